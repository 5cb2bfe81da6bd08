"""Verification by the supervisor chain, its events, and the plan's progress summary."""

from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.models.events import OutboxEvent
from kinerja_api.models.org import Role
from kinerja_api.models.plans import Plan
from tests.factories import World
from tests.progress.helpers import URL, report_body, team


async def _report(client: httpx.AsyncClient, world: World, t: Any, value: str = "10") -> str:
    response = await client.post(
        URL, json=report_body(t.indicator, value), headers=world.auth(t.staff_user)
    )
    assert response.status_code == 201, response.text
    report_id: str = response.json()["id"]
    return report_id


def _if_match(world: World, user: Any, version: int = 1) -> dict[str, str]:
    return {**world.auth(user), "If-Match": f'"{version}"'}


async def _events(connection: AsyncConnection, entity_id: object) -> list[OutboxEvent]:
    await enter_all_regions(connection)
    rows = await connection.execute(
        select(OutboxEvent).where(OutboxEvent.entity_id == entity_id).order_by(OutboxEvent.id)
    )
    return list(rows.all())  # type: ignore[arg-type]


async def test_supervisor_accepts_and_the_events_are_in_the_outbox(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    t = await team(world)
    report_id = await _report(client, world, t)
    verified = await client.post(
        f"{URL}/{report_id}/verify",
        json={"decision": "accept", "note": "Bagus"},
        headers={**world.auth(t.boss_user), "If-Match": '"1"'},
    )
    assert verified.status_code == 200, verified.text
    body = verified.json()
    assert (body["status"], body["verified_by"], body["verification_note"]) == (
        "accepted",
        str(t.boss.id),
        "Bagus",
    )
    assert body["verified_at"] is not None
    assert verified.headers["etag"] == '"2"'
    again = await client.post(
        f"{URL}/{report_id}/verify",
        json={"decision": "reject", "note": "x"},
        headers={**world.auth(t.boss_user), "If-Match": '"2"'},
    )
    assert again.status_code == 409
    assert await world.audit_actions(report_id) == [
        "progress_report.created",
        "progress_report.verified",
    ]
    events = await _events(connection, report_id)
    assert [e.type for e in events] == ["progress.reported", "progress.verified"]
    assert {(e.employee_id, e.agency_id, e.region_id) for e in events} == {
        (t.staff.id, t.agency.id, t.region.id)
    }
    assert events[1].payload["status"] == "accepted"
    assert events[1].public is False  # the target is not public


async def test_the_head_above_the_supervisor_may_verify_too(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    report_id = await _report(client, world, t)
    rejected = await client.post(
        f"{URL}/{report_id}/verify",
        json={"decision": "reject", "note": "Bukti belum lengkap"},
        headers={**world.auth(t.head_user), "If-Match": '"1"'},
    )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "rejected"


async def test_verify_rules(client: httpx.AsyncClient, world: World) -> None:
    t = await team(world)
    other = await team(world)
    report_id = await _report(client, world, t)
    path = f"{URL}/{report_id}/verify"
    accept = {"decision": "accept"}
    own = await client.post(path, json=accept, headers=world.auth(t.staff_user))
    assert own.status_code == 403
    peer = await client.post(path, json=accept, headers=world.auth(t.peer_user))
    assert peer.status_code == 404
    admin = await world.user(t.region, Role.REGION_ADMIN)
    assert (await client.post(path, json=accept, headers=world.auth(admin))).status_code == 403
    foreign = await client.post(path, json=accept, headers=world.auth(other.boss_user))
    assert foreign.status_code == 404
    missing = await client.post(path, json=accept, headers=world.auth(t.boss_user))
    assert missing.status_code == 428, missing.text
    no_note = await client.post(
        path, json={"decision": "reject"}, headers=_if_match(world, t.boss_user)
    )
    assert no_note.status_code == 422
    assert {e["field"] for e in no_note.json()["errors"]} == {"body.note"}
    bad = await client.post(path, json={"decision": "maybe"}, headers=world.auth(t.boss_user))
    assert bad.status_code == 422
    stale = await client.post(
        path, json=accept, headers={**world.auth(t.boss_user), "If-Match": '"5"'}
    )
    assert stale.status_code == 412


async def test_the_plans_approver_may_verify_after_the_chain_changed(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    report_id = await _report(client, world, t)
    await world.set_supervisor(t.staff, t.peer)  # the boss approved the plan, then moved away
    verified = await client.post(
        f"{URL}/{report_id}/verify",
        json={"decision": "accept"},
        headers=_if_match(world, t.boss_user),
    )
    assert verified.status_code == 200, verified.text
    assert verified.json()["verified_by"] == str(t.boss.id)


async def test_accepted_public_reports_make_public_events(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    t = await team(world)
    public_target = await world.target(t.plan, public=True)
    indicator = await world.indicator(public_target)
    created = await client.post(URL, json=report_body(indicator), headers=world.auth(t.staff_user))
    report_id = created.json()["id"]
    await client.post(
        f"{URL}/{report_id}/verify",
        json={"decision": "accept"},
        headers=_if_match(world, t.boss_user),
    )
    events = await _events(connection, report_id)
    assert [(e.type, e.public) for e in events] == [
        ("progress.reported", False),
        ("progress.verified", True),
    ]


async def test_plan_progress_counts_only_accepted_reports(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)  # indicator: target 100, sum
    boss = world.auth(t.boss_user)
    for value, decision in (("20", "accept"), ("15", "accept"), ("40", "reject"), ("7", None)):
        report_id = await _report(client, world, t, value)
        if decision:
            response = await client.post(
                f"{URL}/{report_id}/verify",
                json={"decision": decision, "note": "ok"},
                headers={**boss, "If-Match": '"1"'},
            )
            assert response.status_code == 200
    summary = await client.get(f"/api/v1/plans/{t.plan.id}/progress", headers=boss)
    assert summary.status_code == 200, summary.text
    body = summary.json()
    assert body["percent"] == "35.00"
    assert body["reports_by_status"] == {"pending": 1, "accepted": 2, "rejected": 1, "withdrawn": 0}
    (target,) = body["targets"]
    (indicator,) = target["indicators"]
    assert (indicator["achieved_value"], indicator["percent"], indicator["report_count"]) == (
        "35.0000",
        "35.00",
        2,
    )
    q2 = indicator["quarters"][1]
    assert (q2["quarter"], q2["percent"], q2["ytd_percent"]) == (2, "35.00", "35.00")
    assert indicator["quarters"][0]["percent"] == "0.00"
    peer = await client.get(f"/api/v1/plans/{t.plan.id}/progress", headers=world.auth(t.peer_user))
    assert peer.status_code == 404


async def test_plan_and_target_resources_carry_their_achievement(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)  # indicator: target 100, sum
    boss = world.auth(t.boss_user)
    other_target = await world.target(t.plan)
    await world.indicator(other_target)  # nothing reported: 0 %
    for value, decision in (("20", "accept"), ("15", "accept"), ("40", "reject")):
        report_id = await _report(client, world, t, value)
        verified = await client.post(
            f"{URL}/{report_id}/verify",
            json={"decision": decision, "note": "ok"},
            headers={**boss, "If-Match": '"1"'},
        )
        assert verified.status_code == 200
    plan = (await client.get(f"/api/v1/plans/{t.plan.id}", headers=boss)).json()
    assert plan["achievement"]["percent"] == "17.50"  # mean of 35 % and 0 %
    q2 = plan["achievement"]["quarters"][1]
    assert (q2["quarter"], q2["percent"], q2["ytd_percent"]) == (2, "17.50", "17.50")
    listed = (await client.get(f"/api/v1/plans?employee_id={t.staff.id}", headers=boss)).json()
    assert [item["achievement"] for item in listed["items"]] == [plan["achievement"]]
    target = (await client.get(f"/api/v1/targets/{t.target.id}", headers=boss)).json()
    assert target["achievement"]["percent"] == "35.00"
    targets = (await client.get(f"/api/v1/plans/{t.plan.id}/targets", headers=boss)).json()
    assert {item["id"]: item["achievement"]["percent"] for item in targets["items"]} == {
        str(t.target.id): "35.00",
        str(other_target.id): "0.00",
    }


async def test_accepting_a_report_moves_its_plans_updated_at_but_not_its_etag(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    long_ago = datetime(2026, 1, 5, tzinfo=UTC)
    await world.connection.execute(
        update(Plan).where(Plan.id == t.plan.id).values(updated_at=long_ago)
    )
    boss = world.auth(t.boss_user)
    before = await client.get(f"/api/v1/plans/{t.plan.id}", headers=boss)
    report_id = await _report(client, world, t)
    verified = await client.post(
        f"{URL}/{report_id}/verify",
        json={"decision": "accept"},
        headers=_if_match(world, t.boss_user),
    )
    assert verified.status_code == 200, verified.text
    after = await client.get(f"/api/v1/plans/{t.plan.id}", headers=boss)
    assert datetime.fromisoformat(after.json()["updated_at"]) > long_ago
    assert after.headers["etag"] == before.headers["etag"]
    synced = await client.get(
        "/api/v1/plans",
        params={"employee_id": str(t.staff.id), "updated_since": "2026-01-06T00:00:00Z"},
        headers=boss,
    )
    assert [item["id"] for item in synced.json()["items"]] == [str(t.plan.id)]


async def test_the_top_of_the_chain_is_verified_by_the_regions_administrators(
    client: httpx.AsyncClient, world: World
) -> None:
    """The head has no supervisor: BKPSDM approved their plan (no approver employee), so the
    region's administrators verify its reports; an agency administrator may not."""
    t = await team(world)
    plan = await world.plan(t.period, t.head, status="approved")
    indicator = await world.indicator(await world.target(plan))
    created = await client.post(URL, json=report_body(indicator), headers=world.auth(t.head_user))
    assert created.status_code == 201, created.text
    report_id = created.json()["id"]
    agency_admin = await world.user(t.region, Role.AGENCY_ADMIN, agency=t.agency)
    admin = await world.user(t.region, Role.REGION_ADMIN)
    decision = {"decision": "accept", "note": "Sesuai"}
    for refused in (agency_admin, t.boss_user):
        response = await client.post(
            f"{URL}/{report_id}/verify", json=decision, headers=_if_match(world, refused)
        )
        assert response.status_code in (403, 404), response.text
    verified = await client.post(
        f"{URL}/{report_id}/verify", json=decision, headers=_if_match(world, admin)
    )
    assert verified.status_code == 200, verified.text
    assert (verified.json()["status"], verified.json()["verified_by"]) == ("accepted", None)


async def test_region_admins_do_not_verify_reports_on_plans_with_an_approver(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    report_id = await _report(client, world, t)
    admin = await world.user(t.region, Role.REGION_ADMIN)
    response = await client.post(
        f"{URL}/{report_id}/verify",
        json={"decision": "accept"},
        headers=_if_match(world, admin),
    )
    assert response.status_code == 403, response.text
