"""The SKP workflow: draft → submitted → approved | returned, the lock after approval, revisions,
weights, and audit and outbox rows written with each change."""

import uuid
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.core.idempotency import REPLAY_HEADER
from kinerja_api.models.events import OutboxEvent
from kinerja_api.models.org import Role
from kinerja_api.models.plans import PlanRevision
from tests.plans.conftest import (
    PLANS,
    Team,
    audit_rows,
    etag,
    outbox_rows,
    ready_plan,
    statements,
    transition,
)


async def outbox_types(connection: AsyncConnection, entity_id: object) -> list[str]:
    await enter_all_regions(connection)
    rows = await connection.execute(
        select(OutboxEvent.type).where(OutboxEvent.entity_id == entity_id).order_by(OutboxEvent.id)
    )
    return list(rows.scalars())


async def test_employee_creates_their_own_plan_once_per_period(
    client: httpx.AsyncClient, team: Team
) -> None:
    headers = {**team.auth(team.staff_user), "Idempotency-Key": "plan-1"}
    body = {"period_id": str(team.period.id)}
    created = await client.post(PLANS, json=body, headers=headers)
    assert created.status_code == 201, created.text
    plan = created.json()
    assert created.headers["location"] == f"{PLANS}/{plan['id']}"
    assert (plan["employee_id"], plan["agency_id"]) == (str(team.staff.id), str(team.unit.id))
    assert (plan["status"], plan["revision"], plan["approver_id"]) == ("draft", 1, None)

    replay = await client.post(PLANS, json=body, headers=headers)
    assert replay.status_code == 201
    assert replay.headers[REPLAY_HEADER] == "true"
    assert replay.json() == plan

    duplicate = await client.post(PLANS, json=body, headers=team.auth(team.staff_user))
    assert duplicate.status_code == 409, duplicate.text
    assert duplicate.headers["content-type"] == "application/problem+json"


async def test_plan_create_needs_an_open_period_of_the_region(
    client: httpx.AsyncClient, team: Team
) -> None:
    world = team.world
    headers = team.auth(team.staff_user)
    closed = await world.period(team.region, year=2025, status="closed")
    refused = await client.post(PLANS, json={"period_id": str(closed.id)}, headers=headers)
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/period-closed")

    foreign = await world.period(await world.region())
    unknown = await client.post(PLANS, json={"period_id": str(foreign.id)}, headers=headers)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "body.period_id"

    admin = team.auth(await world.user(team.region, Role.REGION_ADMIN))
    no_employee = await client.post(PLANS, json={"period_id": str(team.period.id)}, headers=admin)
    assert no_employee.status_code == 403


async def test_submit_approve_revise_and_read_the_approved_revision(
    client: httpx.AsyncClient, team: Team, connection: AsyncConnection
) -> None:
    plan = await ready_plan(team.world, team.period, team.staff)
    staff, supervisor = team.auth(team.staff_user), team.auth(team.supervisor_user)
    path = f"{PLANS}/{plan.id}"

    submitted = await transition(
        client, plan.id, "submit", staff, if_match=await etag(client, path, staff)
    )
    assert submitted.status_code == 200, submitted.text
    body = submitted.json()
    assert (body["status"], body["approver_id"]) == ("submitted", str(team.supervisor.id))
    assert body["submitted_at"] is not None

    # Approval is the approver's alone: the head above them sees the plan but may not approve.
    head = team.auth(team.head_user)
    assert (await transition(client, plan.id, "approve", head)).status_code == 403
    assert (await transition(client, plan.id, "approve", staff)).status_code == 403
    approved = await transition(
        client, plan.id, "approve", supervisor, if_match=submitted.headers["etag"]
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["approved_revision"] == 1

    # Locked: no target changes, no second approval.
    target = {"kind": "utama", "title": "Sasaran baru"}
    locked = await client.post(f"{path}/targets", json=target, headers=staff)
    assert locked.status_code == 409
    assert locked.json()["type"].endswith("/plan-locked")

    revised = await transition(client, plan.id, "revise", staff, if_match=approved.headers["etag"])
    assert revised.status_code == 200, revised.text
    assert (revised.json()["status"], revised.json()["revision"]) == ("draft", 2)
    assert revised.json()["approved_revision"] == 1
    assert (await client.post(f"{path}/targets", json=target, headers=staff)).status_code == 201

    revisions = await client.get(f"{path}/revisions", headers=supervisor)
    assert revisions.status_code == 200
    [first] = revisions.json()["items"]
    assert first["revision"] == 1
    assert first["approved_by"] == str(team.supervisor.id)
    assert len(first["snapshot"]["targets"]) == 1
    assert len(first["snapshot"]["targets"][0]["indicators"]) == 1
    one = await client.get(f"{path}/revisions/1", headers=staff)
    assert one.json() == first
    assert (await client.get(f"{path}/revisions/2", headers=staff)).status_code == 404

    assert await team.world.audit_actions(plan.id) == [
        "plan.submitted",
        "plan.approved",
        "plan.revised",
    ]
    assert await outbox_types(connection, plan.id) == [
        "plan.submitted",
        "plan.approved",
        "plan.revised",
    ]


async def test_return_needs_a_note_and_the_returned_plan_is_resubmitted(
    client: httpx.AsyncClient, team: Team
) -> None:
    plan = await ready_plan(team.world, team.period, team.staff)
    staff, supervisor = team.auth(team.staff_user), team.auth(team.supervisor_user)
    assert (await transition(client, plan.id, "submit", staff)).status_code == 200

    no_note = await transition(client, plan.id, "return", supervisor, json={})
    assert no_note.status_code == 422
    assert no_note.json()["errors"][0]["field"] == "body.note"
    returned = await transition(
        client, plan.id, "return", supervisor, json={"note": "Tambahkan indikator waktu."}
    )
    assert returned.status_code == 200, returned.text
    assert (returned.json()["status"], returned.json()["return_note"]) == (
        "returned",
        "Tambahkan indikator waktu.",
    )
    again = await transition(client, plan.id, "submit", staff)
    assert again.status_code == 200
    assert (again.json()["status"], again.json()["return_note"]) == ("submitted", None)


TRANSITIONS = {
    "submit": {"draft", "returned"},
    "approve": {"submitted"},
    "return": {"submitted"},
    "revise": {"approved"},
}
TARGET_STATUS = {
    "submit": "submitted",
    "approve": "approved",
    "return": "returned",
    "revise": "draft",
}


def _actor(team: Team, action: str) -> Any:
    return team.staff_user if action in ("submit", "revise") else team.supervisor_user


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (status, action)
        for action, sources in TRANSITIONS.items()
        for status in ("draft", "submitted", "approved", "returned")
        if status not in sources
    ],
)
async def test_transitions_not_allowed_from_the_current_state_are_409(
    client: httpx.AsyncClient, team: Team, status: str, action: str
) -> None:
    plan = await ready_plan(
        team.world, team.period, team.staff, status=status, approver_id=team.supervisor.id
    )
    response = await transition(
        client, plan.id, action, team.auth(_actor(team, action)), json={"note": "x"}
    )
    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["type"].endswith("/invalid-transition")
    assert (problem["current_status"], problem["attempted_status"]) == (
        status,
        TARGET_STATUS[action],
    )
    assert status in problem["detail"]
    assert TARGET_STATUS[action] in problem["detail"]


@pytest.mark.parametrize(
    ("status", "action"),
    [(status, action) for action, sources in TRANSITIONS.items() for status in sorted(sources)],
)
async def test_every_allowed_transition(
    client: httpx.AsyncClient, team: Team, status: str, action: str
) -> None:
    values: dict[str, Any] = {"approver_id": team.supervisor.id}
    if status == "submitted":
        values["submitted_at"] = datetime.now(UTC)
    plan = await ready_plan(team.world, team.period, team.staff, status=status, **values)
    response = await transition(
        client,
        plan.id,
        action,
        team.auth(_actor(team, action)),
        json={"note": "Perbaiki."} if action == "return" else None,
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == TARGET_STATUS[action]


async def test_the_supervisor_is_told_a_draft_cannot_be_approved_yet(
    client: httpx.AsyncClient, team: Team
) -> None:
    plan = await ready_plan(team.world, team.period, team.staff)
    response = await transition(client, plan.id, "approve", team.auth(team.supervisor_user))
    assert response.status_code == 409, response.text
    assert response.json()["current_status"] == "draft"
    # Further up the chain the plan is visible but not theirs to approve.
    head = await transition(client, plan.id, "approve", team.auth(team.head_user))
    assert head.status_code == 403


async def test_transitions_need_if_match(client: httpx.AsyncClient, team: Team) -> None:
    plan = await ready_plan(team.world, team.period, team.staff)
    staff = team.auth(team.staff_user)
    url = f"{PLANS}/{plan.id}/submit"
    assert (await client.post(url, headers=staff)).status_code == 428
    assert (await client.post(url, headers={**staff, "If-Match": '"7"'})).status_code == 412


async def test_weights_must_all_be_given_and_add_up_to_100_on_submit(
    client: httpx.AsyncClient, team: Team
) -> None:
    world = team.world
    plan = await world.plan(team.period, team.staff)
    first, second = await world.target(plan), await world.target(plan)
    await world.indicator(first, weight=60)
    unweighted = await world.indicator(second)
    empty = await world.target(plan)
    staff = team.auth(team.staff_user)

    refused = await transition(client, plan.id, "submit", staff)
    assert refused.status_code == 422, refused.text
    problems = {(e["field"], e["code"]) for e in refused.json()["errors"]}
    assert problems == {
        (f"targets.{empty.id}", "no_indicators"),
        (f"indicators.{unweighted.id}.weight", "missing"),
        ("indicators.weight", "weight_sum"),
    }
    assert await world.audit_actions(plan.id) == []

    await world.indicator(empty, weight=15)
    fixed = await client.patch(
        f"/api/v1/indicators/{unweighted.id}",
        json={"weight": "25"},
        headers={**staff, "If-Match": '"1"'},
    )
    assert fixed.status_code == 200, fixed.text
    assert (await transition(client, plan.id, "submit", staff)).status_code == 200


async def test_an_empty_plan_cannot_be_submitted(client: httpx.AsyncClient, team: Team) -> None:
    empty = await team.world.plan(team.period, team.staff)
    response = await transition(client, empty.id, "submit", team.auth(team.staff_user))
    assert response.status_code == 422
    assert [e["code"] for e in response.json()["errors"]] == ["no_targets"]


async def test_the_top_of_the_chain_is_approved_by_the_regions_administrators(
    client: httpx.AsyncClient, team: Team, connection: AsyncConnection
) -> None:
    """The head has no supervisor, like the Sekretaris Daerah whose rater is the regional head:
    BKPSDM (region_admin) approves or returns their plan on the regional head's behalf."""
    world = team.world
    plan = await ready_plan(world, team.period, team.head)
    head = team.auth(team.head_user)
    admin_user = await world.user(team.region, Role.REGION_ADMIN)
    admin = world.auth(admin_user)

    early = await transition(client, plan.id, "approve", admin)
    assert early.status_code == 409, early.text
    assert early.json()["current_status"] == "draft"
    submitted = await transition(client, plan.id, "submit", head)
    assert submitted.status_code == 200, submitted.text
    assert (submitted.json()["status"], submitted.json()["approver_id"]) == ("submitted", None)

    refusals = [
        (team.head_user, 403),
        (await world.user(team.region, Role.AGENCY_ADMIN, agency=team.agency), 403),
        (await world.user(team.region, Role.AUDITOR), 403),
        # A subordinate does not even see their head's plan.
        (team.supervisor_user, 404),
        (await world.user(await world.region(), Role.REGION_ADMIN), 404),
    ]
    for user, status in refusals:
        for action in ("approve", "return"):
            response = await transition(
                client, plan.id, action, world.auth(user), json={"note": "x"}
            )
            assert response.status_code == status, (user.roles, action, response.text)

    returned = await transition(client, plan.id, "return", admin, json={"note": "Perjelas."})
    assert returned.status_code == 200, returned.text
    assert returned.json()["status"] == "returned"
    assert (await transition(client, plan.id, "submit", head)).status_code == 200
    approved = await transition(client, plan.id, "approve", admin)
    assert approved.status_code == 200, approved.text
    assert (approved.json()["status"], approved.json()["approved_revision"]) == ("approved", 1)

    [revision] = (await client.get(f"{PLANS}/{plan.id}/revisions", headers=head)).json()["items"]
    assert revision["approved_by"] is None
    assert [(row[0], row[3]) for row in await audit_rows(connection, plan.id)] == [
        ("plan.submitted", team.head_user.id),
        ("plan.returned", admin_user.id),
        ("plan.submitted", team.head_user.id),
        ("plan.approved", admin_user.id),
    ]


async def test_a_plan_submitted_from_the_top_stays_with_the_region_after_a_supervisor_is_named(
    client: httpx.AsyncClient, team: Team
) -> None:
    world = team.world
    plan = await ready_plan(world, team.period, team.head)
    assert (await transition(client, plan.id, "submit", team.auth(team.head_user))).status_code == (
        200
    )
    secretary = await world.employee(team.region, team.agency, name="Sekretaris Daerah")
    await world.set_supervisor(team.head, secretary)
    secretary_user = await world.user(team.region, Role.EMPLOYEE, employee=secretary)
    refused = await transition(client, plan.id, "approve", world.auth(secretary_user))
    assert refused.status_code == 403, refused.text
    admin = world.auth(await world.user(team.region, Role.REGION_ADMIN))
    assert (await transition(client, plan.id, "approve", admin)).status_code == 200


async def test_region_admins_do_not_approve_plans_that_have_an_approver(
    client: httpx.AsyncClient, team: Team
) -> None:
    plan = await ready_plan(
        team.world, team.period, team.staff, status="submitted", approver_id=team.supervisor.id
    )
    admin = team.world.auth(await team.world.user(team.region, Role.REGION_ADMIN))
    for action in ("approve", "return"):
        response = await transition(client, plan.id, action, admin, json={"note": "x"})
        assert response.status_code == 403, response.text
        assert response.json()["type"].endswith("/forbidden")


async def test_a_closed_period_refuses_every_change(client: httpx.AsyncClient, team: Team) -> None:
    world = team.world
    period = await world.period(team.region, year=2024, status="closed")
    plan = await ready_plan(world, period, team.staff)
    target = await world.target(plan)
    indicator = await world.indicator(target)
    staff = {**team.auth(team.staff_user), "If-Match": "*"}
    attempts = [
        client.post(f"{PLANS}/{plan.id}/submit", headers=staff),
        client.post(
            f"{PLANS}/{plan.id}/targets", json={"kind": "utama", "title": "x"}, headers=staff
        ),
        client.patch(f"/api/v1/targets/{target.id}", json={"title": "y"}, headers=staff),
        client.delete(f"/api/v1/indicators/{indicator.id}", headers=staff),
        client.post(
            f"/api/v1/targets/{target.id}/indicators",
            json={"aspect": "waktu", "description": "d", "target_value": "12", "unit": "bulan"},
            headers=staff,
        ),
    ]
    for attempt in attempts:
        response = await attempt
        assert response.status_code == 409, response.text
        assert response.json()["type"].endswith("/period-closed")


async def test_a_failed_request_leaves_neither_audit_nor_outbox_rows(
    client: httpx.AsyncClient, team: Team, connection: AsyncConnection
) -> None:
    """The approval writes its audit row and publishes its event, then fails storing the
    revision: the audit row vanishes with the rest of the transaction, and the event, which the
    outbox writes only when the transaction commits (core/events.py), is never written."""
    plan = await ready_plan(
        team.world, team.period, team.staff, status="submitted", approver_id=team.supervisor.id
    )
    await team.world._insert(
        PlanRevision,
        region_id=plan.region_id,
        plan_id=plan.id,
        revision=1,
        approved_at=datetime.now(UTC),
        snapshot={},
    )
    supervisor = team.auth(team.supervisor_user)
    # Not vacuous: on the successful path the same approval writes its audit row before the
    # revision and its outbox row after it, in the same request's transaction, ...
    peer = await team.world.employee(team.region, team.unit, supervisor=team.supervisor)
    sibling = await ready_plan(
        team.world, team.period, peer, status="submitted", approver_id=team.supervisor.id
    )
    with statements(connection) as seen:
        assert (await transition(client, sibling.id, "approve", supervisor)).status_code == 200
    assert _inserted_before_the_revision(seen) == {"audit_events"}
    assert "outbox_events" in _inserted(seen)
    assert await team.world.audit_actions(sibling.id) == ["plan.approved"]
    assert await outbox_types(connection, sibling.id) == ["plan.approved"]

    # ... and the failing one writes its audit row before its revision insert fails.
    with statements(connection) as seen:
        response = await transition(client, plan.id, "approve", supervisor)
    assert response.status_code == 500
    assert _inserted_before_the_revision(seen) == {"audit_events"}
    assert "outbox_events" not in _inserted(seen)
    assert await team.world.audit_actions(plan.id) == []
    assert await outbox_types(connection, plan.id) == []
    status = await client.get(f"{PLANS}/{plan.id}", headers=team.auth(team.staff_user))
    assert status.json()["status"] == "submitted"


async def test_the_approved_revision_stays_readable_while_the_next_is_prepared(
    client: httpx.AsyncClient, team: Team
) -> None:
    world = team.world
    plan = await ready_plan(world, team.period, team.staff)
    staff, supervisor = team.auth(team.staff_user), team.auth(team.supervisor_user)
    path = f"{PLANS}/{plan.id}"
    assert (await transition(client, plan.id, "submit", staff)).status_code == 200
    approved = (await transition(client, plan.id, "approve", supervisor)).json()
    first = (await client.get(f"{path}/revisions/1", headers=staff)).json()

    # Revise, change the working copy, submit and get it returned: revision 1 is still the one
    # in force, on the plan resource and under /revisions.
    assert (await transition(client, plan.id, "revise", staff)).status_code == 200
    [target] = (await client.get(f"{path}/targets", headers=staff)).json()["items"]
    renamed = await client.patch(
        f"/api/v1/targets/{target['id']}",
        json={"title": "Diubah"},
        headers={**staff, "If-Match": "*"},
    )
    assert renamed.status_code == 200, renamed.text
    assert (await transition(client, plan.id, "submit", staff)).status_code == 200
    returned = await transition(client, plan.id, "return", supervisor, json={"note": "Belum."})
    assert returned.status_code == 200, returned.text
    in_progress = (await client.get(path, headers=staff)).json()
    assert (in_progress["status"], in_progress["revision"]) == ("returned", 2)
    assert in_progress["approved_revision"] == 1
    assert in_progress["approved_at"] == approved["approved_at"]
    listed = (await client.get(f"{path}/revisions", headers=supervisor)).json()["items"]
    assert listed == [first]
    assert first["snapshot"]["targets"][0]["title"] == target["title"] != "Diubah"

    assert (await transition(client, plan.id, "submit", staff)).status_code == 200
    again = await transition(client, plan.id, "approve", supervisor)
    assert (again.json()["approved_revision"], again.json()["status"]) == (2, "approved")
    listed = (await client.get(f"{path}/revisions", headers=supervisor)).json()["items"]
    assert [r["revision"] for r in listed] == [1, 2]
    assert listed[1]["snapshot"]["targets"][0]["title"] == "Diubah"


async def test_the_approver_is_the_supervisor_at_submission(
    client: httpx.AsyncClient, team: Team
) -> None:
    world = team.world
    plan = await ready_plan(world, team.period, team.staff)
    assert (
        await transition(client, plan.id, "submit", team.auth(team.staff_user))
    ).status_code == (200)
    newcomer = await world.employee(team.region, team.unit, supervisor=team.head)
    newcomer_user = await world.user(team.region, Role.EMPLOYEE, employee=newcomer)
    admin = world.auth(await world.user(team.region, Role.REGION_ADMIN))
    employee = f"/api/v1/employees/{team.staff.id}"
    moved = await client.patch(
        employee,
        json={"supervisor_id": str(newcomer.id)},
        headers={**admin, "If-Match": await etag(client, employee, admin)},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["supervisor_id"] == str(newcomer.id)

    # The new supervisor now sees the plan (a report's) but did not receive it for approval.
    refused = await transition(client, plan.id, "approve", world.auth(newcomer_user))
    assert refused.status_code == 403, refused.text
    assert refused.json()["type"].endswith("/forbidden")
    approved = await transition(client, plan.id, "approve", team.auth(team.supervisor_user))
    assert approved.status_code == 200, approved.text
    assert approved.json()["approver_id"] == str(team.supervisor.id)


@pytest.mark.parametrize(
    ("action", "status"),
    [("approve", "submitted"), ("return", "submitted"), ("revise", "approved")],
)
async def test_transitions_in_a_closed_period_are_refused(
    client: httpx.AsyncClient, team: Team, action: str, status: str
) -> None:
    period = await team.world.period(team.region, year=2024, status="closed")
    plan = await ready_plan(
        team.world, period, team.staff, status=status, approver_id=team.supervisor.id
    )
    response = await transition(
        client, plan.id, action, team.auth(_actor(team, action)), json={"note": "x"}
    )
    assert response.status_code == 409, response.text
    assert response.json()["type"].endswith("/period-closed")
    assert await team.world.audit_actions(plan.id) == []


SOURCE_STATUS = {
    "submit": "draft",
    "approve": "submitted",
    "return": "submitted",
    "revise": "approved",
}


@pytest.mark.parametrize("role", [Role.REGION_ADMIN, Role.AGENCY_ADMIN, Role.AUDITOR])
@pytest.mark.parametrize("action", list(SOURCE_STATUS))
async def test_administrators_and_auditors_do_not_act_on_plans(
    client: httpx.AsyncClient, team: Team, role: Role, action: str
) -> None:
    """They see the plan, so they are refused (403), from the state the action starts from."""
    world = team.world
    plan = await ready_plan(
        world, team.period, team.staff, status=SOURCE_STATUS[action], approver_id=team.supervisor.id
    )
    agency = team.agency if role is Role.AGENCY_ADMIN else None
    user = await world.user(team.region, role, agency=agency)
    response = await transition(client, plan.id, action, world.auth(user), json={"note": "x"})
    assert response.status_code == 403, response.text
    assert response.json()["type"].endswith("/forbidden")


@pytest.mark.parametrize(
    ("who", "action"),
    [
        ("staff", "approve"),
        ("staff", "return"),
        ("supervisor", "submit"),
        ("supervisor", "revise"),
    ],
)
async def test_the_employee_and_the_supervisor_keep_to_their_own_transitions(
    client: httpx.AsyncClient, team: Team, who: str, action: str
) -> None:
    plan = await ready_plan(
        team.world,
        team.period,
        team.staff,
        status=SOURCE_STATUS[action],
        approver_id=team.supervisor.id,
    )
    user = team.staff_user if who == "staff" else team.supervisor_user
    response = await transition(client, plan.id, action, team.auth(user), json={"note": "x"})
    assert response.status_code == 403, response.text
    assert response.json()["type"].endswith("/forbidden")


async def test_created_and_returned_plans_write_matching_audit_and_outbox_rows(
    client: httpx.AsyncClient, team: Team, connection: AsyncConnection
) -> None:
    staff = team.auth(team.staff_user)
    created = await client.post(PLANS, json={"period_id": str(team.period.id)}, headers=staff)
    assert created.status_code == 201, created.text
    plan_id = uuid.UUID(created.json()["id"])
    target = await team.world.target(SimpleNamespace(id=plan_id, region_id=team.region.id))
    await team.world.indicator(target)
    assert (await transition(client, plan_id, "submit", staff)).status_code == 200
    returned = await transition(
        client, plan_id, "return", team.auth(team.supervisor_user), json={"note": "Perbaiki."}
    )
    assert returned.status_code == 200, returned.text

    region, employee = team.region.id, team.staff.id
    assert await outbox_rows(connection, plan_id) == [
        ("plan.created", "plan", plan_id, region, employee),
        ("plan.submitted", "plan", plan_id, region, employee),
        ("plan.returned", "plan", plan_id, region, employee),
    ]
    assert await audit_rows(connection, plan_id) == [
        ("plan.created", "plan", region, team.staff_user.id),
        ("plan.submitted", "plan", region, team.staff_user.id),
        ("plan.returned", "plan", region, team.supervisor_user.id),
    ]


def _inserted(sql: list[str]) -> list[str]:
    return [
        statement.split()[2] for statement in sql if statement.upper().startswith("INSERT INTO")
    ]


def _inserted_before_the_revision(sql: list[str]) -> set[str]:
    tables = _inserted(sql)
    assert "plan_revisions" in tables, tables
    return set(tables[: tables.index("plan_revisions")])
