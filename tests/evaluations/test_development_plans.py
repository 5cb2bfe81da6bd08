"""Development plans (rencana pengembangan): recorded by the rating's rater for a predikat below
Baik, one per rating, audited and announced to the employee; read by the employee's readers."""

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.models.events import OutboxEvent
from kinerja_api.models.org import Role
from tests.evaluations.results_helpers import PLANS, Team, team
from tests.factories import World

BODY = {
    "values": ["akuntabel", "kolaboratif"],
    "actions": "Pelatihan pelayanan publik dan pendampingan bulanan oleh atasan",
    "due_on": "2027-06-30",
}


async def _rated(world: World, predikat: str = "butuh_perbaikan") -> tuple[Team, Any]:
    built = await team(world, peers=1)
    rating = await world.rating(built.period, built.ratee, built.boss, predikat)
    return built, rating


async def _events(connection: AsyncConnection, entity_id: object) -> list[tuple[Any, ...]]:
    await enter_all_regions(connection)
    rows = await connection.execute(
        select(OutboxEvent.type, OutboxEvent.employee_id, OutboxEvent.payload)
        .where(OutboxEvent.entity_id == entity_id)
        .order_by(OutboxEvent.id)
    )
    return [tuple(row) for row in rows]


async def test_the_rater_records_a_plan_once_and_the_employee_is_told(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    built, rating = await _rated(world)
    boss = {**built.logins["boss"], "Idempotency-Key": "plan-1"}
    created = await client.post(PLANS, json={**BODY, "rating_id": str(rating.id)}, headers=boss)
    assert created.status_code == 201, created.text
    plan = created.json()
    assert (plan["employee_id"], plan["author_id"], plan["values"]) == (
        str(built.ratee.id),
        str(built.boss.id),
        ["akuntabel", "kolaboratif"],
    )
    assert created.headers["Location"] == f"{PLANS}/{plan['id']}"
    replay = await client.post(PLANS, json={**BODY, "rating_id": str(rating.id)}, headers=boss)
    assert (replay.status_code, replay.json()["id"]) == (201, plan["id"])
    assert replay.headers["Idempotent-Replayed"] == "true"
    again = await client.post(
        PLANS, json={**BODY, "rating_id": str(rating.id)}, headers=built.logins["boss"]
    )
    assert again.status_code == 409
    assert again.json()["type"].endswith("/conflict")
    assert await world.audit_actions(plan["id"]) == ["development_plan.created"]
    assert await _events(connection, plan["id"]) == [
        (
            "evaluation.development_planned",
            built.ratee.id,
            {"development_plan_id": plan["id"], "rating_id": str(rating.id)},
        )
    ]


@pytest.mark.parametrize("predikat", ["butuh_perbaikan", "kurang", "sangat_kurang"])
async def test_every_weak_predikat_takes_a_plan(
    client: httpx.AsyncClient, world: World, predikat: str
) -> None:
    built, rating = await _rated(world, predikat)
    created = await client.post(
        PLANS, json={**BODY, "rating_id": str(rating.id)}, headers=built.logins["boss"]
    )
    assert created.status_code == 201, created.text


@pytest.mark.parametrize("predikat", ["sangat_baik", "baik"])
async def test_a_good_predikat_needs_no_plan(
    client: httpx.AsyncClient, world: World, predikat: str
) -> None:
    built, rating = await _rated(world, predikat)
    refused = await client.post(
        PLANS,
        json={**BODY, "rating_id": str(rating.id)},
        headers={**built.logins["boss"], "Accept-Language": "en"},
    )
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/development-plan-not-required")
    assert predikat in refused.json()["detail"]


async def test_only_the_rater_records_it(client: httpx.AsyncClient, world: World) -> None:
    built, rating = await _rated(world)
    body = {**BODY, "rating_id": str(rating.id)}
    # The employee themselves and the rater's own supervisor may read the rating, not plan it.
    for login in ("ratee", "head"):
        response = await client.post(PLANS, json=body, headers=built.logins[login])
        assert response.status_code == 403, (login, response.text)
    # Administrators, auditors and service accounts never write plans.
    for login in ("admin", "agency_admin", "auditor", "superadmin", "service", "officer"):
        response = await client.post(PLANS, json=body, headers=built.logins[login])
        assert response.status_code == 403, (login, response.text)
    # A peer may not even see the rating.
    unseen = await client.post(PLANS, json=body, headers=built.logins["peer"])
    assert unseen.status_code == 422
    assert unseen.json()["errors"][0]["field"] == "body.rating_id"


async def test_input_is_validated(client: httpx.AsyncClient, world: World) -> None:
    built, rating = await _rated(world)
    boss = built.logins["boss"]
    bad: list[dict[str, Any]] = [
        {**BODY, "values": []},
        {**BODY, "values": ["jujur"]},
        {**BODY, "values": ["loyal", "loyal"]},
        {**BODY, "actions": ""},
        {**BODY, "actions": "a\x00b"},
        {k: v for k, v in BODY.items() if k != "due_on"},
        {**BODY, "id": "x"},
    ]
    for body in bad:
        response = await client.post(
            PLANS, json={**body, "rating_id": str(rating.id)}, headers=boss
        )
        assert response.status_code == 422, (body, response.text)
    missing = await client.post(PLANS, json=BODY, headers=boss)
    assert missing.status_code == 422


async def test_read_and_change_with_etags(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    built, rating = await _rated(world)
    created = await client.post(
        PLANS, json={**BODY, "rating_id": str(rating.id)}, headers=built.logins["boss"]
    )
    url = f"{PLANS}/{created.json()['id']}"
    read = await client.get(url, headers=built.logins["ratee"])
    assert read.status_code == 200
    etag = read.headers["ETag"]
    change = {"values": ["loyal"], "due_on": "2027-09-30"}
    boss = built.logins["boss"]
    assert (await client.patch(url, json=change, headers=boss)).status_code == 428
    stale = await client.patch(url, json=change, headers={**boss, "If-Match": '"9"'})
    assert stale.status_code == 412
    for login in ("ratee", "head", "admin"):
        refused = await client.patch(
            url, json=change, headers={**built.logins[login], "If-Match": etag}
        )
        assert refused.status_code == 403, (login, refused.text)
    assert (
        await client.patch(url, json={"values": []}, headers={**boss, "If-Match": etag})
    ).status_code == 422
    assert (
        await client.patch(url, json={"actions": None}, headers={**boss, "If-Match": etag})
    ).status_code == 422
    updated = await client.patch(url, json=change, headers={**boss, "If-Match": etag})
    assert updated.status_code == 200, updated.text
    assert (updated.json()["values"], updated.json()["due_on"]) == (["loyal"], "2027-09-30")
    assert updated.headers["ETag"] != etag
    assert await world.audit_actions(created.json()["id"]) == [
        "development_plan.created",
        "development_plan.updated",
    ]
    assert len(await _events(connection, created.json()["id"])) == 2


async def test_who_reads_plans(client: httpx.AsyncClient, world: World) -> None:
    built, rating = await _rated(world)
    plan = await world.development_plan(rating)
    url = f"{PLANS}/{plan.id}"
    for login in ("ratee", "boss", "head", "admin", "agency_admin", "auditor", "superadmin"):
        response = await client.get(url, headers=built.logins[login])
        assert response.status_code == 200, (login, response.text)
        listed = await client.get(PLANS, headers=built.logins[login])
        assert [p["id"] for p in listed.json()["items"]] == [str(plan.id)], login
    assert (await client.get(url, headers=built.logins["service"])).status_code == 200
    assert (await client.get(url, headers=built.logins["peer"])).status_code == 404
    assert (await client.get(PLANS, headers=built.logins["peer"])).json()["items"] == []
    for login in ("officer", "trainer"):
        assert (await client.get(url, headers=built.logins[login])).status_code == 403
        assert (await client.get(PLANS, headers=built.logins[login])).status_code == 403
    no_scope = world.auth(await world.service_account(built.region, "plans:read"))
    assert (await client.get(PLANS, headers=no_scope)).status_code == 403


async def test_list_filters(client: httpx.AsyncClient, world: World) -> None:
    built, rating = await _rated(world)
    plan = await world.development_plan(rating)
    other_peer = built.peers[0]
    other_rating = await world.rating(built.period, other_peer, built.boss, "kurang")
    other_plan = await world.development_plan(other_rating)
    admin = built.logins["admin"]

    async def ids(**params: str) -> list[str]:
        response = await client.get(PLANS, params=params, headers=admin)
        assert response.status_code == 200, response.text
        return [p["id"] for p in response.json()["items"]]

    assert sorted(await ids()) == sorted([str(plan.id), str(other_plan.id)])
    assert await ids(employee_id=str(built.ratee.id)) == [str(plan.id)]
    assert await ids(rating_id=str(other_rating.id)) == [str(other_plan.id)]
    assert len(await ids(period_id=str(built.period.id))) == 2
    assert len(await ids(under=str(built.agency.id))) == 2
    assert await ids(under=str((await world.agency(built.region)).id)) == []
    assert await ids(updated_since="2999-01-01T00:00:00Z") == []
    first = await client.get(PLANS, params={"limit": 1}, headers=admin)
    rest = await client.get(
        PLANS, params={"limit": 1, "cursor": first.json()["next_cursor"]}, headers=admin
    )
    assert first.json()["items"][0]["id"] != rest.json()["items"][0]["id"]


async def test_another_regions_plans_and_ratings_are_404(
    client: httpx.AsyncClient, world: World
) -> None:
    _built, rating = await _rated(world)
    plan = await world.development_plan(rating)
    home = await team(world, peers=0)
    url = f"{PLANS}/{plan.id}"
    for login in ("admin", "auditor", "boss", "ratee", "service"):
        headers = home.logins[login]
        response = await client.get(url, headers=headers)
        assert response.status_code == 404, (login, response.text)
        assert (await client.get(PLANS, headers=headers)).json()["items"] == []
    boss = {**home.logins["boss"], "If-Match": '"1"'}
    assert (await client.patch(url, json={"actions": "Lain"}, headers=boss)).status_code == 404
    created = await client.post(
        PLANS, json={**BODY, "rating_id": str(rating.id)}, headers=home.logins["boss"]
    )
    assert created.status_code == 422
    superadmin = world.auth(await world.user(None, Role.SUPERADMIN))
    assert (await client.get(url, headers=superadmin)).status_code == 200
