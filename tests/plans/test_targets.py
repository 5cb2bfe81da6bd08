"""Targets (RHK) and indicators (IKI): the plan's employee edits them while the plan is a draft or
returned; cascades name a target of the supervisor's plan in the same period."""

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.core.idempotency import REPLAY_HEADER
from kinerja_api.models.org import Role
from kinerja_api.models.plans import Plan
from tests.plans.conftest import PLANS, Team
from tests.plans.test_workflow import outbox_types

TARGETS = "/api/v1/targets"
INDICATORS = "/api/v1/indicators"


async def test_target_and_indicator_lifecycle(
    client: httpx.AsyncClient, team: Team, connection: AsyncConnection
) -> None:
    plan = await team.world.plan(team.period, team.staff)
    staff = team.auth(team.staff_user)
    body = {"kind": "utama", "title": "Layanan KTP tepat waktu", "public": True}
    keyed = {**staff, "Idempotency-Key": "t-1"}
    created = await client.post(f"{PLANS}/{plan.id}/targets", json=body, headers=keyed)
    assert created.status_code == 201, created.text
    target = created.json()
    assert created.headers["location"] == f"{TARGETS}/{target['id']}"
    assert (target["kind"], target["public"], target["cascade_mode"]) == ("utama", True, None)
    replay = await client.post(f"{PLANS}/{plan.id}/targets", json=body, headers=keyed)
    assert replay.headers[REPLAY_HEADER] == "true"
    assert replay.json()["id"] == target["id"]

    path = f"{TARGETS}/{target['id']}"
    assert (await client.patch(path, json={"title": "x"}, headers=staff)).status_code == 428
    stale = await client.patch(path, json={"title": "x"}, headers={**staff, "If-Match": '"5"'})
    assert stale.status_code == 412
    updated = await client.patch(
        path,
        json={"title": "Layanan KTP", "description": "Satu hari"},
        headers={**staff, "If-Match": created.headers["etag"]},
    )
    assert updated.status_code == 200, updated.text
    assert (updated.json()["title"], updated.json()["version"]) == ("Layanan KTP", 2)

    indicator_body = {
        "aspect": "kuantitas",
        "description": "KTP diterbitkan",
        "target_value": "1200.5",
        "unit": "dokumen",
        "aggregation": "sum",
        "weight": "100",
    }
    made = await client.post(f"{path}/indicators", json=indicator_body, headers=staff)
    assert made.status_code == 201, made.text
    indicator = made.json()
    assert indicator["target_value"] == "1200.5000"
    assert indicator["plan_id"] == str(plan.id)
    listed = await client.get(f"{path}/indicators", headers=team.auth(team.supervisor_user))
    assert [i["id"] for i in listed.json()["items"]] == [indicator["id"]]

    ipath = f"{INDICATORS}/{indicator['id']}"
    changed = await client.patch(
        ipath, json={"target_value": "1300"}, headers={**staff, "If-Match": made.headers["etag"]}
    )
    assert changed.status_code == 200, changed.text
    assert (await client.delete(ipath, headers=staff)).status_code == 428
    deleted = await client.delete(ipath, headers={**staff, "If-Match": changed.headers["etag"]})
    assert deleted.status_code == 204
    assert (await client.get(ipath, headers=staff)).status_code == 404

    gone = await client.delete(path, headers={**staff, "If-Match": updated.headers["etag"]})
    assert gone.status_code == 204
    assert (await client.get(path, headers=staff)).status_code == 404
    assert await team.world.audit_actions(target["id"]) == [
        "target.created",
        "target.updated",
        "target.deleted",
    ]
    assert await outbox_types(connection, target["id"]) == [
        "target.created",
        "target.updated",
        "target.deleted",
    ]
    assert await outbox_types(connection, indicator["id"]) == [
        "indicator.created",
        "indicator.updated",
        "indicator.deleted",
    ]


async def test_validation_errors_list_each_field(client: httpx.AsyncClient, team: Team) -> None:
    plan = await team.world.plan(team.period, team.staff)
    staff = team.auth(team.staff_user)
    response = await client.post(
        f"{PLANS}/{plan.id}/targets", json={"kind": "wajib", "title": ""}, headers=staff
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"body.kind", "body.title"}
    target = await team.world.target(plan)
    response = await client.post(
        f"{TARGETS}/{target.id}/indicators",
        json={
            "aspect": "kuantitas",
            "description": "d",
            "target_value": "0",
            "unit": "x",
            "weight": "101",
        },
        headers=staff,
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {
        "body.target_value",
        "body.weight",
    }


async def test_only_the_plans_employee_edits_and_others_get_404(
    client: httpx.AsyncClient, team: Team
) -> None:
    world = team.world
    plan = await world.plan(team.period, team.staff)
    target = await world.target(plan)
    body = {"kind": "utama", "title": "x"}
    supervisor = team.auth(team.supervisor_user)
    assert (
        await client.post(f"{PLANS}/{plan.id}/targets", json=body, headers=supervisor)
    ).status_code == 403
    peer = await world.employee(team.region, team.unit, supervisor=team.supervisor)
    peer_auth = team.auth(await world.user(team.region, "employee", employee=peer))
    assert (await client.get(f"{TARGETS}/{target.id}", headers=peer_auth)).status_code == 404
    patched = await client.patch(
        f"{TARGETS}/{target.id}", json={"title": "y"}, headers={**peer_auth, "If-Match": '"1"'}
    )
    assert patched.status_code == 404
    foreign = await world.region()
    foreign_admin = team.auth(await world.user(foreign, "region_admin"))
    assert (await client.get(f"{TARGETS}/{target.id}", headers=foreign_admin)).status_code == 404
    assert (
        await client.get(f"{PLANS}/{plan.id}/targets", headers=foreign_admin)
    ).status_code == 404


async def test_a_cascade_names_a_target_of_the_supervisors_plan_in_the_same_period(
    client: httpx.AsyncClient, team: Team
) -> None:
    world = team.world
    boss_plan = await world.plan(team.period, team.supervisor)
    boss_target = await world.target(boss_plan)
    boss_indicator = await world.indicator(boss_target)
    head_target = await world.target(await world.plan(team.period, team.head))
    other_year = await world.target(
        await world.plan(await world.period(team.region, year=2025), team.supervisor)
    )
    plan = await world.plan(team.period, team.staff)
    staff = team.auth(team.staff_user)
    url = f"{PLANS}/{plan.id}/targets"

    for wrong in (head_target.id, other_year.id):
        body = {
            "kind": "utama",
            "title": "x",
            "parent_target_id": str(wrong),
            "cascade_mode": "direct",
        }
        refused = await client.post(url, json=body, headers=staff)
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == "body.parent_target_id"
    half = await client.post(
        url,
        json={"kind": "utama", "title": "x", "parent_target_id": str(boss_target.id)},
        headers=staff,
    )
    assert half.status_code == 422

    ok = await client.post(
        url,
        json={
            "kind": "utama",
            "title": "Bagian saya",
            "parent_target_id": str(boss_target.id),
            "cascade_mode": "direct",
        },
        headers=staff,
    )
    assert ok.status_code == 201, ok.text
    child = ok.json()
    share = {
        "aspect": "kuantitas",
        "description": "d",
        "target_value": "40",
        "unit": "dokumen",
        "parent_indicator_id": str(boss_indicator.id),
    }
    made = await client.post(f"{TARGETS}/{child['id']}/indicators", json=share, headers=staff)
    assert made.status_code == 201, made.text
    unrelated = await world.indicator(head_target)
    wrong_share = {**share, "parent_indicator_id": str(unrelated.id)}
    refused = await client.post(
        f"{TARGETS}/{child['id']}/indicators", json=wrong_share, headers=staff
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "body.parent_indicator_id"

    # The supervisor cannot delete a target their staff cascade from.
    boss = {**team.auth(team.supervisor_user), "If-Match": "*"}
    blocked = await client.delete(f"{TARGETS}/{boss_target.id}", headers=boss)
    assert blocked.status_code == 409
    blocked = await client.delete(f"{INDICATORS}/{boss_indicator.id}", headers=boss)
    assert blocked.status_code == 409

    # Unlinking: both fields together.
    unlink = await client.patch(
        f"{TARGETS}/{child['id']}",
        json={"parent_target_id": None},
        headers={**staff, "If-Match": ok.headers["etag"]},
    )
    assert unlink.status_code == 422
    unlink = await client.patch(
        f"{TARGETS}/{child['id']}",
        json={"parent_target_id": None, "cascade_mode": None},
        headers={**staff, "If-Match": ok.headers["etag"]},
    )
    assert unlink.status_code == 200, unlink.text
    shared = await client.get(f"{INDICATORS}/{made.json()['id']}", headers=staff)
    assert shared.json()["parent_indicator_id"] is None


async def test_target_changes_move_the_plans_updated_at_but_not_its_etag(
    client: httpx.AsyncClient, team: Team
) -> None:
    plan = await team.world.plan(team.period, team.staff)
    await team.world.connection.execute(
        update(Plan).where(Plan.id == plan.id).values(updated_at=datetime(2026, 1, 5, tzinfo=UTC))
    )
    staff = team.auth(team.staff_user)
    body = {"kind": "utama", "title": "x"}
    assert (
        await client.post(f"{PLANS}/{plan.id}/targets", json=body, headers=staff)
    ).status_code == 201
    after = await client.get(f"{PLANS}/{plan.id}", headers=staff)
    assert datetime.fromisoformat(after.json()["updated_at"]) > datetime(2026, 1, 5, tzinfo=UTC)
    assert after.headers["etag"] == '"1"'


async def _edits(
    client: httpx.AsyncClient, plan: Any, target: Any, indicator: Any, headers: dict[str, str]
) -> list[tuple[str, httpx.Response]]:
    """Every change to a plan's content, in an order that works on an editable plan."""
    headers = {**headers, "If-Match": "*"}
    new_indicator = {"aspect": "waktu", "description": "d", "target_value": "12", "unit": "bulan"}
    return [
        (
            "create target",
            await client.post(
                f"{PLANS}/{plan.id}/targets", json={"kind": "utama", "title": "x"}, headers=headers
            ),
        ),
        (
            "update target",
            await client.patch(f"{TARGETS}/{target.id}", json={"title": "y"}, headers=headers),
        ),
        (
            "create indicator",
            await client.post(
                f"{TARGETS}/{target.id}/indicators", json=new_indicator, headers=headers
            ),
        ),
        (
            "update indicator",
            await client.patch(
                f"{INDICATORS}/{indicator.id}", json={"target_value": "7"}, headers=headers
            ),
        ),
        ("delete indicator", await client.delete(f"{INDICATORS}/{indicator.id}", headers=headers)),
        ("delete target", await client.delete(f"{TARGETS}/{target.id}", headers=headers)),
    ]


@pytest.mark.parametrize("status", ["submitted", "approved"])
async def test_submitted_and_approved_plans_are_locked(
    client: httpx.AsyncClient, team: Team, status: str
) -> None:
    world = team.world
    plan = await world.plan(team.period, team.staff, status=status, approver_id=team.supervisor.id)
    target = await world.target(plan)
    indicator = await world.indicator(target)
    for name, response in await _edits(client, plan, target, indicator, team.auth(team.staff_user)):
        assert response.status_code == 409, (name, response.text)
        problem = response.json()
        assert problem["type"].endswith("/plan-locked"), name
        assert (problem["status"], problem["current_status"]) == (409, status), name
    # A plan has no fields of its own to edit: it changes only through its transitions.
    patched = await client.patch(
        f"{PLANS}/{plan.id}",
        json={"period_id": str(team.period.id)},
        headers=team.auth(team.staff_user),
    )
    assert patched.status_code == 405
    assert await world.audit_actions(target.id) == []


@pytest.mark.parametrize("status", ["draft", "returned"])
async def test_draft_and_returned_plans_are_editable(
    client: httpx.AsyncClient, team: Team, status: str
) -> None:
    world = team.world
    plan = await world.plan(team.period, team.staff, status=status, approver_id=team.supervisor.id)
    target = await world.target(plan)
    indicator = await world.indicator(target)
    for name, response in await _edits(client, plan, target, indicator, team.auth(team.staff_user)):
        assert response.status_code in (200, 201, 204), (name, response.text)


@pytest.mark.parametrize("role", [Role.REGION_ADMIN, Role.AGENCY_ADMIN, Role.AUDITOR])
async def test_administrators_and_auditors_do_not_edit_targets_or_indicators(
    client: httpx.AsyncClient, team: Team, role: Role
) -> None:
    """They see the plan, so they are refused (403), never told it does not exist."""
    world = team.world
    plan = await world.plan(team.period, team.staff)
    target = await world.target(plan)
    indicator = await world.indicator(target)
    agency = team.agency if role is Role.AGENCY_ADMIN else None
    headers = world.auth(await world.user(team.region, role, agency=agency))
    for name, response in await _edits(client, plan, target, indicator, headers):
        assert response.status_code == 403, (name, response.text)
        assert response.json()["type"].endswith("/forbidden"), name
