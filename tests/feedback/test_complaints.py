"""Complaints: public filing and tracking, the officers' workflow, deadlines and privacy."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.feedback.codes import ALPHABET, TRACKING_CODE_LENGTH, random_code
from kinerja_api.feedback.workdays import deadline, is_working_day
from kinerja_api.models.feedback import Complaint
from kinerja_api.models.org import Role
from tests.factories import World

SUBMIT = "/api/v1/public/complaints"
STAFF = "/api/v1/complaints"
CONTACT = {"name": "Rina Marlina", "phone": "+62 812-3456-7890", "email": "rina@example.com"}
WIB = ZoneInfo("Asia/Jakarta")


def _body(unit: Any = None, **extra: Any) -> dict[str, Any]:
    place = {"unit_code": unit.code} if unit is not None else {}
    return {
        **place,
        "category": "waiting_time",
        "description": "Antrean KTP lebih dari tiga jam tanpa kejelasan.",
        "location": "Loket 2",
        "contact": CONTACT,
        **extra,
    }


def _assert_no_personal_data(response: httpx.Response, *secrets: str) -> None:
    for value in (*CONTACT.values(), *secrets):
        assert value not in response.text
    assert "contact" not in response.json()


async def _setup(world: World) -> tuple[Any, Any, Any]:
    region = await world.region()
    agency = await world.agency(region)
    return region, agency, await world.service_unit(agency)


async def _count(connection: AsyncConnection) -> int:
    await enter_all_regions(connection)
    return int(await connection.scalar(select(func.count()).select_from(Complaint)) or 0)


async def _act(
    client: httpx.AsyncClient,
    complaint_id: object,
    action: str,
    body: dict[str, Any],
    headers: dict[str, str],
) -> httpx.Response:
    current = await client.get(f"{STAFF}/{complaint_id}", headers=headers)
    assert current.status_code == 200, current.text
    return await client.post(
        f"{STAFF}/{complaint_id}/{action}",
        json=body,
        headers={**headers, "If-Match": current.headers["etag"]},
    )


# --- public -------------------------------------------------------------------------------


async def test_a_citizen_files_and_follows_a_complaint_by_tracking_code(
    client: httpx.AsyncClient, world: World
) -> None:
    region, _, unit = await _setup(world)
    created = await client.post(SUBMIT, json=_body(unit))
    assert created.status_code == 201, created.text
    receipt = created.json()
    assert set(receipt) == {"tracking_code", "status", "submitted_at", "due_at"}
    code = receipt["tracking_code"]
    assert len(code.replace("-", "")) == TRACKING_CODE_LENGTH
    assert set(code.replace("-", "")) <= set(ALPHABET)
    _assert_no_personal_data(created)

    followed = await client.get(f"{SUBMIT}/{code.replace('-', '').lower()}")
    assert followed.status_code == 200, followed.text
    view = followed.json()
    assert (view["status"], view["category"], view["service_unit_name"]) == (
        "submitted",
        "waiting_time",
        unit.name,
    )
    assert (view["due_at"], view["overdue"], view["responses"]) == (receipt["due_at"], False, [])
    _assert_no_personal_data(followed)
    del region


async def test_the_deadline_skips_the_regions_holidays(
    client: httpx.AsyncClient, world: World
) -> None:
    region, _, unit = await _setup(world)
    day = datetime.now(WIB).date() + timedelta(days=1)
    while not is_working_day(day, set()):
        day += timedelta(days=1)
    await world.holiday(region, day)
    created = await client.post(SUBMIT, json=_body(unit))
    submitted = datetime.fromisoformat(created.json()["submitted_at"])
    due = datetime.fromisoformat(created.json()["due_at"])
    assert due == deadline(submitted, WIB, {day}, 5).due_at
    assert due > deadline(submitted, WIB, set(), 5).due_at


async def test_a_complaint_may_name_only_its_region(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    created = await client.post(SUBMIT, json=_body(region_code=region.code, contact=None))
    assert created.status_code == 201, created.text
    neither = await client.post(SUBMIT, json=_body())
    assert neither.status_code == 422
    unknown = await client.post(SUBMIT, json=_body(region_code="atlantis"))
    assert unknown.json()["errors"][0]["field"] == "body.region_code"


def test_tracking_codes_carry_80_random_bits_from_the_whole_alphabet() -> None:
    assert TRACKING_CODE_LENGTH * 5 >= 80
    codes = [random_code(TRACKING_CODE_LENGTH) for _ in range(300)]
    assert len(set(codes)) == len(codes)
    assert set(Counter("".join(codes))) == set(ALPHABET)
    # No shared prefix, as a counter or a timestamp would leave.
    assert len({code[:3] for code in codes}) > 250


async def test_tracking_codes_are_not_enumerable(client: httpx.AsyncClient, world: World) -> None:
    _, _, unit = await _setup(world)
    codes = []
    for number in range(3):
        created = await client.post(SUBMIT, json=_body(unit, location=f"Loket {number}"))
        codes.append(created.json()["tracking_code"].replace("-", ""))
    assert len(set(codes)) == 3
    # A counter or a timestamp would share a prefix; 20 random bits almost never do.
    assert len({code[:4] for code in codes}) == 3
    neighbour = codes[0][:-1] + ALPHABET[(ALPHABET.index(codes[0][-1]) + 1) % len(ALPHABET)]
    for guess in (neighbour, random_code(TRACKING_CODE_LENGTH)):
        missing = await client.get(f"{SUBMIT}/{guess}")
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"


async def test_the_honeypot_gives_a_receipt_that_leads_nowhere(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    _, _, unit = await _setup(world)
    created = await client.post(SUBMIT, json=_body(unit, website="buy-now.example"))
    assert created.status_code == 201
    assert (await client.get(f"{SUBMIT}/{created.json()['tracking_code']}")).status_code == 404
    assert await _count(connection) == 0


async def test_duplicates_are_refused(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    _, _, unit = await _setup(world)
    assert (await client.post(SUBMIT, json=_body(unit))).status_code == 201
    assert (await client.post(SUBMIT, json=_body(unit))).status_code == 409
    assert await _count(connection) == 1


# --- the officers' workflow ---------------------------------------------------------------


async def test_triage_assign_respond_resolve_and_reopen(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    region, agency, unit = await _setup(world)
    employee = await world.employee(region, agency)
    officer = world.auth(await world.user(region, Role.COMPLAINT_OFFICER))
    code = (await client.post(SUBMIT, json=_body(unit))).json()["tracking_code"]
    listed = await client.get(STAFF, headers=officer)
    (item,) = listed.json()["items"]
    assert item["contact"] == {
        "name": "Rina Marlina",
        "phone": CONTACT["phone"],
        "email": CONTACT["email"],
    }
    complaint_id = item["id"]

    triaged = await _act(
        client, complaint_id, "triage", {"category": "service", "note": "cek CCTV"}, officer
    )
    assert (triaged.json()["status"], triaged.json()["category"]) == ("triaged", "service")
    assigned = await _act(
        client, complaint_id, "assign", {"assignee_employee_id": str(employee.id)}, officer
    )
    assert assigned.status_code == 200, assigned.text
    assert (assigned.json()["assignee_employee_id"], assigned.json()["agency_id"]) == (
        str(employee.id),
        str(agency.id),
    )
    internal = await _act(
        client,
        complaint_id,
        "respond",
        {"body": "Petugas loket 2 cuti.", "visibility": "internal"},
        officer,
    )
    assert internal.status_code == 200
    public = await _act(
        client,
        complaint_id,
        "respond",
        {"body": "Kami tambah petugas.", "visibility": "public"},
        officer,
    )
    assert len(public.json()["responses"]) == 3
    resolved = await _act(
        client, complaint_id, "resolve", {"resolution": "Loket 3 dibuka."}, officer
    )
    assert resolved.json()["status"] == "resolved"
    again = await _act(client, complaint_id, "resolve", {"resolution": "Lagi"}, officer)
    assert again.status_code == 409

    view = (await client.get(f"{SUBMIT}/{code}")).json()
    assert view["status"] == "resolved"
    assert [(r["author"], r["body"]) for r in view["responses"]] == [
        ("officer", "Kami tambah petugas."),
        ("officer", "Loket 3 dibuka."),
    ]
    assert view["reopen_until"] is not None
    reopened = await client.post(f"{SUBMIT}/{code}/reopen", json={"reason": "Masih antre lama."})
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["status"] == "reopened"
    assert reopened.json()["responses"][-1] == {
        "author": "citizen",
        "body": "Masih antre lama.",
        "created_at": reopened.json()["responses"][-1]["created_at"],
    }
    _assert_no_personal_data(reopened, employee.name, employee.nip)
    assert await world.audit_actions(complaint_id) == [
        "complaint.submitted",
        "complaint.triaged",
        "complaint.assigned",
        "complaint.responded",
        "complaint.responded",
        "complaint.resolved",
        "complaint.reopened",
    ]
    events = await connection.scalars(
        text("select type from outbox_events where entity_id = :id order by id"),
        {"id": complaint_id},
    )
    assert list(events)[-2:] == ["complaint.resolved", "complaint.reopened"]


async def test_reopening_is_allowed_only_for_14_days_after_resolution(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    now = datetime.now(UTC)
    late = await world.complaint(region, status="resolved", resolved_at=now - timedelta(days=15))
    open_one = await world.complaint(region)
    for complaint in (late, open_one):
        response = await client.post(
            f"{SUBMIT}/{complaint.tracking_code}/reopen", json={"reason": "Belum"}
        )
        assert response.status_code == 409, response.text
    recent = await world.complaint(region, status="resolved", resolved_at=now - timedelta(days=13))
    ok = await client.post(f"{SUBMIT}/{recent.tracking_code}/reopen", json={"reason": "Belum"})
    assert ok.status_code == 200


async def test_updates_need_if_match(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    complaint = await world.complaint(region)
    officer = world.auth(await world.user(region, Role.COMPLAINT_OFFICER))
    url = f"{STAFF}/{complaint.id}/triage"
    assert (await client.post(url, json={}, headers=officer)).status_code == 428
    stale = await client.post(url, json={}, headers={**officer, "If-Match": '"7"'})
    assert stale.status_code == 412


async def test_overdue_complaints_are_flagged_and_listable(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    past = datetime.now(UTC) - timedelta(hours=1)
    late = await world.complaint(region, due_at=past)
    await world.complaint(region, due_at=past, status="resolved", resolved_at=past)
    await world.complaint(region)
    headers = world.auth(await world.user(region, Role.REGION_ADMIN))
    overdue = await client.get(STAFF, params={"overdue": "true"}, headers=headers)
    assert [(i["id"], i["overdue"]) for i in overdue.json()["items"]] == [(str(late.id), True)]
    on_time = await client.get(STAFF, params={"overdue": "false"}, headers=headers)
    assert len(on_time.json()["items"]) == 2
    assert not any(i["overdue"] for i in on_time.json()["items"])
    public = await client.get(f"{SUBMIT}/{late.tracking_code}")
    assert public.json()["overdue"] is True


async def test_contact_details_only_for_officers_handling_it(
    client: httpx.AsyncClient, world: World
) -> None:
    region, agency, unit = await _setup(world)
    await client.post(SUBMIT, json=_body(unit))
    admin = world.auth(await world.user(region, Role.AGENCY_ADMIN, agency=agency))
    auditor = world.auth(await world.user(region, Role.AUDITOR))
    for headers in (admin, auditor):
        (item,) = (await client.get(STAFF, headers=headers)).json()["items"]
        assert (item["contact"], item["contact_hidden"]) == (None, True)
        detail = await client.get(f"{STAFF}/{item['id']}", headers=headers)
        assert all(value not in detail.text for value in CONTACT.values())
        assert detail.json()["contact"] is None
    agency_officer = world.auth(await world.user(region, Role.COMPLAINT_OFFICER, agency=agency))
    (item,) = (await client.get(STAFF, headers=agency_officer)).json()["items"]
    assert item["contact"]["email"] == CONTACT["email"]
    sibling_officer = world.auth(
        await world.user(region, Role.COMPLAINT_OFFICER, agency=await world.agency(region))
    )
    assert (await client.get(STAFF, headers=sibling_officer)).json()["items"] == []
    assert (await client.get(f"{STAFF}/{item['id']}", headers=sibling_officer)).status_code == 404
    refused = await _act(client, item["id"], "triage", {}, auditor)
    assert refused.status_code == 403


@pytest.mark.parametrize("action", ["triage", "assign", "respond", "resolve"])
async def test_another_regions_complaints_are_404(
    client: httpx.AsyncClient, world: World, action: str
) -> None:
    home, foreign = await world.region(), await world.region()
    complaint = await world.complaint(foreign)
    officer = world.auth(await world.user(home, Role.COMPLAINT_OFFICER))
    assert (await client.get(f"{STAFF}/{complaint.id}", headers=officer)).status_code == 404
    bodies = {
        "triage": {},
        "assign": {"agency_id": str(complaint.id)},
        "respond": {"body": "x", "visibility": "public"},
        "resolve": {"resolution": "x"},
    }
    response = await client.post(
        f"{STAFF}/{complaint.id}/{action}",
        json=bodies[action],
        headers={**officer, "If-Match": '"1"'},
    )
    assert response.status_code == 404, response.text


async def test_the_assigned_employee_reads_and_answers_only_their_complaint(
    client: httpx.AsyncClient, world: World
) -> None:
    region, agency, unit = await _setup(world)
    employee = await world.employee(region, agency)
    assignee = world.auth(await world.user(region, Role.EMPLOYEE, employee=employee))
    bystander = world.auth(
        await world.user(region, Role.EMPLOYEE, employee=await world.employee(region, agency))
    )
    officer = world.auth(await world.user(region, Role.COMPLAINT_OFFICER))
    await client.post(SUBMIT, json=_body(unit))
    (item,) = (await client.get(STAFF, headers=officer)).json()["items"]
    assert (await client.get(STAFF, headers=assignee)).json()["items"] == []
    await _act(client, item["id"], "assign", {"assignee_employee_id": str(employee.id)}, officer)

    (mine,) = (await client.get(STAFF, headers=assignee)).json()["items"]
    assert mine["contact"]["phone"] == CONTACT["phone"]
    assert (await client.get(f"{STAFF}/{item['id']}", headers=bystander)).status_code == 404
    answered = await _act(
        client,
        item["id"],
        "respond",
        {"body": "Sudah kami tindak lanjuti.", "visibility": "public"},
        assignee,
    )
    assert answered.status_code == 200, answered.text
    refused = await _act(client, item["id"], "resolve", {"resolution": "Selesai"}, assignee)
    assert refused.status_code == 403
