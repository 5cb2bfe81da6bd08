"""Complaints: reassignment, refused bodies and roles, deadlines in WITA, the list's filters and
sorts, idempotent filing, and what superadmins may read."""

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.feedback.workdays import deadline, is_working_day
from kinerja_api.models.org import Role
from tests.factories import World
from tests.feedback.test_complaints import CONTACT, STAFF, SUBMIT, _act, _body, _count, _setup

WITA = ZoneInfo("Asia/Makassar")


async def _filed(client: httpx.AsyncClient, unit: Any, officer: dict[str, str]) -> str:
    assert (await client.post(SUBMIT, json=_body(unit))).status_code == 201
    (item,) = (await client.get(STAFF, headers=officer)).json()["items"]
    return str(item["id"])


# --- reassignment -------------------------------------------------------------------------


async def test_assigning_to_an_agency_alone_takes_it_from_the_former_assignee(
    client: httpx.AsyncClient, world: World
) -> None:
    region, agency, unit = await _setup(world)
    other = await world.agency(region)
    employee = await world.employee(region, agency)
    former = world.auth(await world.user(region, Role.EMPLOYEE, employee=employee))
    officer = world.auth(await world.user(region, Role.COMPLAINT_OFFICER))
    complaint_id = await _filed(client, unit, officer)
    await _act(client, complaint_id, "assign", {"assignee_employee_id": str(employee.id)}, officer)
    (mine,) = (await client.get(STAFF, headers=former)).json()["items"]
    assert mine["contact"]["phone"] == CONTACT["phone"]

    moved = await _act(client, complaint_id, "assign", {"agency_id": str(other.id)}, officer)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["agency_id"], moved.json()["assignee_employee_id"]) == (
        str(other.id),
        None,
    )
    assert (await client.get(STAFF, headers=former)).json()["items"] == []
    gone = await client.get(f"{STAFF}/{complaint_id}", headers=former)
    assert gone.status_code == 404
    assert CONTACT["phone"] not in gone.text


async def test_an_employee_named_with_an_agency_must_work_there(
    client: httpx.AsyncClient, world: World
) -> None:
    region, agency, unit = await _setup(world)
    other = await world.agency(region)
    employee = await world.employee(region, agency)
    officer = world.auth(await world.user(region, Role.COMPLAINT_OFFICER))
    complaint_id = await _filed(client, unit, officer)
    both = {"agency_id": str(agency.id), "assignee_employee_id": str(employee.id)}
    kept = await _act(client, complaint_id, "assign", both, officer)
    assert (kept.json()["agency_id"], kept.json()["assignee_employee_id"]) == (
        str(agency.id),
        str(employee.id),
    )
    elsewhere = {"agency_id": str(other.id), "assignee_employee_id": str(employee.id)}
    refused = await _act(client, complaint_id, "assign", elsewhere, officer)
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "body.assignee_employee_id"


async def test_bad_assign_and_triage_bodies_are_422_problems(
    client: httpx.AsyncClient, world: World
) -> None:
    region, _, unit = await _setup(world)
    foreign = await world.region()
    foreign_agency = await world.agency(foreign)
    foreign_employee = await world.employee(foreign, foreign_agency)
    officer = world.auth(await world.user(region, Role.COMPLAINT_OFFICER))
    complaint_id = await _filed(client, unit, officer)
    unknown = "00000000-0000-4000-8000-000000000000"
    for action, body, field in [
        ("assign", {}, "body"),
        ("assign", {"assignee_employee_id": unknown}, "body.assignee_employee_id"),
        ("assign", {"assignee_employee_id": str(foreign_employee.id)}, "body.assignee_employee_id"),
        ("assign", {"agency_id": unknown}, "body.agency_id"),
        ("assign", {"agency_id": str(foreign_agency.id)}, "body.agency_id"),
        ("assign", {"assignee_employee_id": "x"}, "body.assignee_employee_id"),
        ("triage", {"agency_id": str(foreign_agency.id)}, "body.agency_id"),
        ("triage", {"category": "weather"}, "body.category"),
        ("triage", {"status": "resolved"}, "body.status"),
    ]:
        response = await _act(client, complaint_id, action, body, officer)
        assert response.status_code == 422, (action, body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == field, (action, body)


# --- roles --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.REGION_ADMIN, Role.AUDITOR, Role.TRAINING_ADMIN])
@pytest.mark.parametrize("action", ["triage", "assign", "respond", "resolve"])
async def test_complaint_actions_are_refused_to_roles_that_do_not_handle_them(
    client: httpx.AsyncClient, world: World, role: Role, action: str
) -> None:
    # DESIGN §2: complaint officers triage and answer; region administrators and auditors only
    # read them (agency administrators handle their subtree's).
    region, agency, unit = await _setup(world)
    officer = world.auth(await world.user(region, Role.COMPLAINT_OFFICER))
    complaint_id = await _filed(client, unit, officer)
    caller = world.auth(await world.user(region, role, agency=agency))
    bodies = {
        "triage": {},
        "assign": {"agency_id": str(agency.id)},
        "respond": {"body": "x", "visibility": "public"},
        "resolve": {"resolution": "x"},
    }
    etag = (await client.get(f"{STAFF}/{complaint_id}", headers=officer)).headers["etag"]
    response = await client.post(
        f"{STAFF}/{complaint_id}/{action}",
        json=bodies[action],
        headers={**caller, "If-Match": etag},
    )
    assert response.status_code == 403, response.text


# --- deadlines ----------------------------------------------------------------------------


def _next_working_day(after: datetime) -> Any:
    day = after.astimezone(WITA).date() + timedelta(days=1)
    while not is_working_day(day, set()):
        day += timedelta(days=1)
    return day


async def test_the_deadline_counts_working_days_in_wita_across_a_weekend_and_a_holiday(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region(timezone="Asia/Makassar")
    unit = await world.service_unit(await world.agency(region))
    holiday = _next_working_day(datetime.now(UTC))
    await world.holiday(region, holiday)
    created = await client.post(SUBMIT, json=_body(unit))
    assert created.status_code == 201, created.text
    submitted = datetime.fromisoformat(created.json()["submitted_at"])
    due = datetime.fromisoformat(created.json()["due_at"])
    expected = deadline(submitted, WITA, {holiday}, 5)
    assert due == expected.due_at
    # Midnight in Gorontalo is 16:00 UTC; a WIB or UTC calendar would land elsewhere.
    assert due.astimezone(WITA).time() == time()
    assert due.astimezone(UTC).hour == 16
    first_day = submitted.astimezone(WITA).date()
    skipped = [
        first_day + timedelta(days=n)
        for n in range(1, (expected.last_day - first_day).days + 1)
        if not is_working_day(first_day + timedelta(days=n), {holiday})
    ]
    assert holiday in skipped
    assert any(day.weekday() >= 5 for day in skipped)
    assert due > deadline(submitted, WITA, set(), 5).due_at


async def test_reopening_starts_a_new_deadline(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    region = await world.region(timezone="Asia/Makassar")
    old_due = datetime(2026, 1, 9, 16, tzinfo=UTC)
    resolved = await world.complaint(
        region,
        status="resolved",
        resolved_at=datetime.now(UTC) - timedelta(days=2),
        due_at=old_due,
    )
    reopened = await client.post(
        f"{SUBMIT}/{resolved.tracking_code}/reopen", json={"reason": "Belum beres."}
    )
    assert reopened.status_code == 200, reopened.text
    view = reopened.json()
    at = datetime.fromisoformat(view["reopened_at"])
    assert datetime.fromisoformat(view["due_at"]) == deadline(at, WITA, set(), 5).due_at
    assert datetime.fromisoformat(view["due_at"]) > old_due
    assert view["overdue"] is False
    stored = await connection.scalar(
        text("select due_at from complaints where id = :id"), {"id": resolved.id}
    )
    assert stored == datetime.fromisoformat(view["due_at"])


async def test_the_honeypot_on_reopen_changes_nothing(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    region = await world.region()
    resolved = await world.complaint(
        region, status="resolved", resolved_at=datetime.now(UTC) - timedelta(days=1)
    )
    url = f"{SUBMIT}/{resolved.tracking_code}/reopen"
    bot = await client.post(url, json={"reason": "Beli sekarang!", "website": "spam.example"})
    assert bot.status_code == 200, bot.text
    assert (bot.json()["status"], bot.json()["reopened_at"], bot.json()["responses"]) == (
        "resolved",
        None,
        [],
    )
    status = await connection.scalar(
        text("select status from complaints where id = :id"), {"id": resolved.id}
    )
    assert status == "resolved"
    assert await world.audit_actions(resolved.id) == []


# --- the list -----------------------------------------------------------------------------


async def test_the_list_filters_what_an_office_needs(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    parent = await world.agency(region)
    child = await world.agency(region, parent=parent)
    sibling = await world.agency(region)
    employee = await world.employee(region, child)
    early = datetime(2026, 3, 1, tzinfo=UTC)
    late = datetime(2026, 4, 1, tzinfo=UTC)
    in_child = await world.complaint(
        region,
        agency_id=child.id,
        category="facilities",
        submitted_at=early,
        assignee_employee_id=employee.id,
        status="assigned",
    )
    in_parent = await world.complaint(region, agency_id=parent.id, submitted_at=late)
    in_sibling = await world.complaint(region, agency_id=sibling.id, submitted_at=late)
    headers = world.auth(await world.user(region, Role.REGION_ADMIN))

    async def ids(**params: Any) -> list[str]:
        response = await client.get(STAFF, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert await ids(under=str(parent.id)) == [str(in_parent.id), str(in_child.id)]
    assert await ids(agency_id=str(parent.id)) == [str(in_parent.id)]
    assert await ids(category="facilities") == [str(in_child.id)]
    assert await ids(status="assigned") == [str(in_child.id)]
    assert await ids(assignee_employee_id=str(employee.id)) == [str(in_child.id)]
    assert await ids(submitted_before="2026-03-15T00:00:00Z") == [str(in_child.id)]
    assert set(await ids(submitted_from="2026-03-15T00:00:00Z")) == {
        str(in_parent.id),
        str(in_sibling.id),
    }
    bad = await client.get(STAFF, params={"sort": "description"}, headers=headers)
    assert bad.status_code == 422
    assignee = world.auth(await world.user(region, Role.EMPLOYEE, employee=employee))
    theirs = await client.get(STAFF, params={"under": str(parent.id)}, headers=assignee)
    assert [item["id"] for item in theirs.json()["items"]] == [str(in_child.id)]


async def test_the_list_sorts_by_deadline_and_syncs_by_updated_since(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    region = await world.region()
    later = await world.complaint(region, due_at=datetime(2030, 2, 1, tzinfo=UTC))
    sooner = await world.complaint(region, due_at=datetime(2030, 1, 1, tzinfo=UTC))
    await connection.execute(
        text("update complaints set updated_at = :at where id = :id"),
        {"at": datetime(2026, 1, 1, tzinfo=UTC), "id": later.id},
    )
    headers = world.auth(await world.user(region, Role.COMPLAINT_OFFICER))
    by_due = await client.get(STAFF, params={"sort": "due_at", "limit": 1}, headers=headers)
    assert [i["id"] for i in by_due.json()["items"]] == [str(sooner.id)]
    rest = await client.get(
        STAFF,
        params={"sort": "due_at", "limit": 1, "cursor": by_due.json()["next_cursor"]},
        headers=headers,
    )
    assert [i["id"] for i in rest.json()["items"]] == [str(later.id)]
    synced = await client.get(
        STAFF,
        params={"sort": "updated_at", "updated_since": "2026-06-01T00:00:00Z"},
        headers=headers,
    )
    assert [i["id"] for i in synced.json()["items"]] == [str(sooner.id)]
    oldest_first = await client.get(STAFF, params={"sort": "updated_at"}, headers=headers)
    assert [i["id"] for i in oldest_first.json()["items"]] == [str(later.id), str(sooner.id)]


# --- idempotent filing --------------------------------------------------------------------


async def test_an_idempotent_complaint_retry_replays_the_receipt(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    _, _, unit = await _setup(world)
    headers = {"Idempotency-Key": "complaint-1"}
    first = await client.post(SUBMIT, json=_body(unit), headers=headers)
    retry = await client.post(SUBMIT, json=_body(unit), headers=headers)
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    other = await client.post(SUBMIT, json=_body(unit, location="Loket 9"), headers=headers)
    assert other.status_code == 422, other.text
    assert await _count(connection) == 1


# --- superadmins --------------------------------------------------------------------------


async def test_superadmins_read_every_regions_complaints_but_never_contacts(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    first, _, unit = await _setup(world)
    second, _, other_unit = await _setup(world)
    await client.post(SUBMIT, json=_body(unit))
    await client.post(SUBMIT, json=_body(other_unit, location="Loket 7"))
    superadmin = world.auth(await world.user(None, Role.SUPERADMIN))
    listed = await client.get(STAFF, headers=superadmin)
    assert listed.status_code == 200, listed.text
    mine = [i for i in listed.json()["items"] if i["region_id"] in (str(first.id), str(second.id))]
    assert len(mine) == 2
    assert all((i["contact"], i["contact_hidden"]) == (None, True) for i in mine)
    assert all(value not in listed.text for value in CONTACT.values())
    detail = await client.get(f"{STAFF}/{mine[0]['id']}", headers=superadmin)
    assert detail.status_code == 200
    assert all(value not in detail.text for value in CONTACT.values())
    refused = await client.post(
        f"{STAFF}/{mine[0]['id']}/triage",
        json={},
        headers={**superadmin, "If-Match": detail.headers["etag"]},
    )
    assert refused.status_code == 403
    crossings = await connection.scalar(
        text("select count(*) from audit_events where action = 'superadmin.access'")
    )
    assert crossings == 2  # the two reads; the refused write rolled back with its trace
