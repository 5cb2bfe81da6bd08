"""The JP ledger: external JP recorded with evidence (in the year of the region's zone), an
employee's year against the 20 JP minimum of a PNS, JP of a completion credited once, the
readers of a ledger, refusals and another region's 404."""

from datetime import date

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.models.audit import AuditEvent
from kinerja_api.models.events import OutboxEvent
from kinerja_api.models.org import Employee
from tests.factories import World
from tests.training.helpers import team

EMPLOYEES = "/api/v1/employees"


def entries_url(employee: object) -> str:
    return f"{EMPLOYEES}/{employee.id}/jp-entries"  # type: ignore[attr-defined]


def competency_url(employee: object) -> str:
    return f"{EMPLOYEES}/{employee.id}/competency"  # type: ignore[attr-defined]


def entry_body(**overrides: object) -> dict[str, object]:
    return {
        "activity": "Seminar Nasional Pelayanan Publik",
        "ended_at": "2026-11-20T16:00:00",
        "jp": 8,
        "evidence": "Sertifikat No. 123/LAN/XI/2026",
        **overrides,
    }


async def test_a_training_admin_records_external_jp_with_evidence_audited_and_told(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    t = await team(world, timezone="Asia/Makassar")
    headers = {**world.auth(t.admin), "Idempotency-Key": "jp-1"}
    created = await client.post(entries_url(t.staff), json=entry_body(), headers=headers)
    assert created.status_code == 201, created.text
    entry = created.json()
    assert (entry["source"], entry["year"], entry["jp"], entry["completed_on"]) == (
        "external",
        2026,
        8,
        "2026-11-20",
    )
    assert entry["evidence"] == "Sertifikat No. 123/LAN/XI/2026"
    assert entry["recorded_by"] == str(t.admin.id)
    again = await client.post(entries_url(t.staff), json=entry_body(), headers=headers)
    assert again.json()["id"] == entry["id"]
    audit = await connection.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_id == entry["id"])
    )
    assert list(audit) == ["jp_ledger_entry.recorded"]
    told = await connection.scalars(
        select(OutboxEvent.employee_id).where(OutboxEvent.type == "training.jp_recorded")
    )
    assert list(told) == [t.staff.id]
    by_region_admin = await client.post(
        entries_url(t.staff), json=entry_body(jp=4), headers=world.auth(t.region_admin)
    )
    assert by_region_admin.status_code == 201


@pytest.mark.parametrize(
    ("field", "value"),
    [("jp", 0), ("jp", -2), ("jp", "8"), ("evidence", ""), ("evidence", None), ("activity", "")],
)
async def test_an_external_entry_needs_positive_jp_evidence_and_a_title(
    client: httpx.AsyncClient, world: World, field: str, value: object
) -> None:
    t = await team(world)
    body = entry_body(**{field: value})
    response = await client.post(entries_url(t.staff), json=body, headers=world.auth(t.admin))
    assert response.status_code == 422, response.text
    missing = {k: v for k, v in entry_body().items() if k != "evidence"}
    response = await client.post(entries_url(t.staff), json=missing, headers=world.auth(t.admin))
    assert response.status_code == 422


async def test_the_20_jp_shortfall_is_counted_in_the_region_year_at_the_wita_boundary(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world, timezone="Asia/Makassar")
    admin = world.auth(t.admin)
    # 31 December 23:30 WITA: the old year; 1 January 00:30 WITA (still 31 December in UTC
    # and in WIB): the new one.
    late = entry_body(ended_at="2025-12-31T23:30:00+08:00", jp=6, activity="Akhir tahun")
    early = entry_body(ended_at="2025-12-31T16:30:00Z", jp=12, activity="Awal tahun")
    local = entry_body(ended_at="2026-01-01T00:30:00", jp=3, activity="Awal tahun lokal")
    for body in (late, early, local):
        assert (
            await client.post(entries_url(t.staff), json=body, headers=admin)
        ).status_code == 201

    old = await client.get(competency_url(t.staff), params={"year": 2025}, headers=admin)
    assert old.status_code == 200, old.text
    assert [(a["activity"], a["jp"]) for a in old.json()["activities"]] == [("Akhir tahun", 6)]
    assert (old.json()["total_jp"], old.json()["shortfall_jp"]) == ("6", "14")

    new = (await client.get(competency_url(t.staff), params={"year": 2026}, headers=admin)).json()
    assert new["timezone"] == "Asia/Makassar"
    assert sorted(a["activity"] for a in new["activities"]) == ["Awal tahun", "Awal tahun lokal"]
    assert {a["completed_on"] for a in new["activities"]} == {"2026-01-01"}
    assert (new["total_jp"], new["minimum_jp"], new["shortfall_jp"]) == ("15", "20", "5")

    more = entry_body(ended_at="2026-03-01T10:00:00", jp=7)
    assert (await client.post(entries_url(t.staff), json=more, headers=admin)).status_code == 201
    met = (await client.get(competency_url(t.staff), params={"year": 2026}, headers=admin)).json()
    assert (met["total_jp"], met["shortfall_jp"]) == ("22", "0")


async def test_completed_training_counts_with_its_program_and_a_pppk_has_no_minimum(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    t = await team(world)
    program = await world.program(t.region, jp=24, competency_area="akuntabel")
    session = await world.training_session(program)
    enrollment = await world.enrollment(session, t.staff, status="completed")
    await world.jp_entry(
        t.staff, enrollment=enrollment, jp=24, activity=program.name, completed_on=date(2026, 5, 2)
    )
    await world.jp_entry(t.staff, jp=4, completed_on=date(2025, 12, 30))
    response = await client.get(
        competency_url(t.staff), params={"year": 2026}, headers=world.auth(t.staff_user)
    )
    body = response.json()
    assert [(a["source"], a["program_id"], a["competency_area"]) for a in body["activities"]] == [
        ("training", str(program.id), "akuntabel")
    ]
    assert body["activities"][0]["session_id"] == str(session.id)
    assert (body["total_jp"], body["shortfall_jp"]) == ("24", "0")

    await connection.execute(
        update(Employee).where(Employee.id == t.staff.id).values(employment_type="pppk")
    )
    pppk = await client.get(
        competency_url(t.staff), params={"year": 2025}, headers=world.auth(t.staff_user)
    )
    assert (pppk.json()["employment_type"], pppk.json()["total_jp"]) == ("pppk", "4")
    assert (pppk.json()["minimum_jp"], pppk.json()["shortfall_jp"]) == (None, None)


async def test_jp_of_a_completion_are_credited_once(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    t = await team(world)
    program = await world.program(t.region, jp=20)
    session = await world.training_session(program)
    enrollment = await world.enrollment(session, t.staff, status="completed")
    await world.jp_entry(t.staff, enrollment=enrollment, jp=20, completed_on=date(2026, 4, 1))
    with pytest.raises(IntegrityError, match="uq_jp_ledger_region_id_enrollment_id"):
        async with connection.begin_nested():
            await world.jp_entry(
                t.staff, enrollment=enrollment, jp=20, completed_on=date(2026, 4, 1)
            )
    body = (
        await client.get(
            competency_url(t.staff), params={"year": 2026}, headers=world.auth(t.admin)
        )
    ).json()
    assert (len(body["activities"]), body["total_jp"], body["shortfall_jp"]) == (1, "20", "0")


async def test_who_reads_an_employee_ledger(client: httpx.AsyncClient, world: World) -> None:
    t = await team(world)
    await world.jp_entry(t.staff, jp=5, completed_on=date(2026, 2, 2))
    url = competency_url(t.staff)
    readers = [t.staff_user, t.boss_user, t.agency_admin, t.admin, t.region_admin, t.auditor]
    for user in readers:
        response = await client.get(url, params={"year": 2026}, headers=world.auth(user))
        assert response.status_code == 200, (user.email, response.text)
        assert response.json()["total_jp"] == "5"
    # a colleague of the same supervisor is no reader: as if the employee did not exist
    for user in (t.colleague_user, t.outsider_user):
        assert (await client.get(url, headers=world.auth(user))).status_code == 404
    assert (await client.get(url, headers=world.auth(t.complaint_officer))).status_code == 403
    assert (await client.get(url)).status_code == 401
    assert (
        await client.get(url, params={"year": 1999}, headers=world.auth(t.admin))
    ).status_code == 422


async def test_only_training_and_region_admins_record_jp(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    url = entries_url(t.staff)
    for user in (t.staff_user, t.boss_user, t.agency_admin, t.auditor, t.complaint_officer):
        response = await client.post(url, json=entry_body(), headers=world.auth(user))
        assert response.status_code == 403, (user.email, response.text)
    assert (await client.post(url, json=entry_body())).status_code == 401


async def test_another_region_employee_is_404_on_the_ledger_routes(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    foreign = world.auth(t.foreign_admin)
    post = await client.post(entries_url(t.staff), json=entry_body(), headers=foreign)
    assert post.status_code == 404
    assert (await client.get(competency_url(t.staff), headers=foreign)).status_code == 404
    mine = await client.get(competency_url(t.staff), headers=world.auth(t.foreign_employee_user))
    assert mine.status_code == 404
