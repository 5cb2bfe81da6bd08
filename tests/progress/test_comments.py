"""The feedback thread between an employee and their supervisor chain."""

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.models.events import OutboxEvent
from kinerja_api.models.org import Role
from tests.factories import World
from tests.progress.helpers import team


async def test_employee_and_supervisors_talk_on_the_plan(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    t = await team(world)
    url = f"/api/v1/plans/{t.plan.id}/comments"
    first = await client.post(
        url, json={"body": "Mohon arahan untuk indikator ini."}, headers=world.auth(t.staff_user)
    )
    assert first.status_code == 201, first.text
    second = await client.post(
        url,
        json={"body": "Fokus pada kualitas dokumen.", "target_id": str(t.target.id)},
        headers=world.auth(t.boss_user),
    )
    assert second.status_code == 201, second.text
    third = await client.post(url, json={"body": "Setuju."}, headers=world.auth(t.head_user))
    assert third.status_code == 201
    assert (second.json()["author_id"], second.json()["target_id"]) == (
        str(t.boss.id),
        str(t.target.id),
    )

    thread = await client.get(url, headers=world.auth(t.staff_user))
    assert [c["id"] for c in thread.json()["items"]] == [
        first.json()["id"],
        second.json()["id"],
        third.json()["id"],
    ]
    on_target = await client.get(
        url, params={"target_id": str(t.target.id)}, headers=world.auth(t.staff_user)
    )
    assert [c["id"] for c in on_target.json()["items"]] == [second.json()["id"]]
    assert await world.audit_actions(first.json()["id"]) == ["plan_comment.created"]
    await enter_all_regions(connection)
    event = (
        await connection.execute(
            select(OutboxEvent).where(OutboxEvent.entity_id == first.json()["id"])
        )
    ).one()
    assert (event.type, event.employee_id, event.public) == (
        "feedback.commented",
        t.staff.id,
        False,
    )


async def test_comment_rules(client: httpx.AsyncClient, world: World) -> None:
    t = await team(world)
    other = await team(world)
    url = f"/api/v1/plans/{t.plan.id}/comments"
    body = {"body": "Catatan"}
    peer = await client.post(url, json=body, headers=world.auth(t.peer_user))
    assert peer.status_code == 404
    assert (await client.get(url, headers=world.auth(t.peer_user))).status_code == 404
    admin = await world.user(t.region, Role.REGION_ADMIN)
    assert (await client.post(url, json=body, headers=world.auth(admin))).status_code == 403
    assert (await client.get(url, headers=world.auth(admin))).status_code == 200
    foreign = await client.post(url, json=body, headers=world.auth(other.boss_user))
    assert foreign.status_code == 404
    wrong_target = await client.post(
        url,
        json={"body": "x", "target_id": str(other.target.id)},
        headers=world.auth(t.staff_user),
    )
    assert wrong_target.status_code == 422
    empty = await client.post(url, json={"body": "  "}, headers=world.auth(t.staff_user))
    assert empty.status_code == 422


async def test_the_plans_approver_reads_and_joins_the_thread_outside_the_chain(
    client: httpx.AsyncClient, world: World
) -> None:
    """Whoever may read the plan reads its progress and thread: its approver too, though no
    longer above its employee (plans and progress share one rule for reading a plan)."""
    t = await team(world)
    moved = await world.employee(t.region, t.agency, supervisor=t.head)
    plan = await world.plan(t.period, moved, status="approved", approver_id=t.boss.id)
    boss = world.auth(t.boss_user)
    url = f"/api/v1/plans/{plan.id}"
    assert (await client.get(url, headers=boss)).status_code == 200
    assert (await client.get(f"{url}/progress", headers=boss)).status_code == 200
    comment = await client.post(f"{url}/comments", json={"body": "Catatan"}, headers=boss)
    assert comment.status_code == 201, comment.text
    thread = await client.get(f"{url}/comments", headers=boss)
    assert [c["id"] for c in thread.json()["items"]] == [comment.json()["id"]]
    peer = world.auth(t.peer_user)
    assert (await client.get(f"{url}/comments", headers=peer)).status_code == 404
