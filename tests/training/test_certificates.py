"""Completion: the attended completed, the program's JP credited once however often it is
recorded, one certificate each, numbered in the region's order of the year; certificates as
JSON and PDF, read by the participant, their supervisor, the agency administrators of their
subtree, organisers and auditors; another
region's 404."""

import re
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.core import clock
from kinerja_api.models.events import OutboxEvent
from kinerja_api.models.org import Role
from kinerja_api.models.training import JpLedgerEntry, TrainingCertificate, TrainingEnrollment
from tests.factories import World
from tests.training.helpers import CERTIFICATES, ENROLLMENTS, SESSIONS, team


async def ended_session(world: World, region: Any, **values: Any) -> Any:
    program = await world.program(
        region, name=values.pop("name", "Manajemen Waktu dan Produktivitas"), jp=24
    )
    now = clock.utc_now()
    return await world.training_session(
        program, starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1), **values
    )


async def attend(
    client: httpx.AsyncClient, world: World, admin: Any, session: Any, **marks: Any
) -> None:
    entries = [{"enrollment_id": str(e.id), "status": status} for status, e in marks.items()]
    response = await client.post(
        f"{SESSIONS}/{session.id}/attendance",
        json={"entries": entries},
        headers=world.auth(admin),
    )
    assert response.status_code == 200, response.text


async def complete(
    client: httpx.AsyncClient, world: World, admin: Any, session: Any
) -> dict[str, Any]:
    response = await client.post(f"{SESSIONS}/{session.id}/completion", headers=world.auth(admin))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_completion_recorded_twice_credits_jp_once_and_issues_one_certificate(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    t = await team(world)
    session = await ended_session(world, t.region)
    staff = await world.enrollment(session, t.staff)
    colleague = await world.enrollment(session, t.colleague)
    await attend(client, world, t.admin, session, attended=staff, no_show=colleague)

    first = await complete(client, world, t.admin, session)
    assert first["already_completed"] == 0
    [entry] = first["completed"]
    year = (clock.utc_now() - timedelta(days=1)).year
    assert (entry["enrollment_id"], entry["employee_id"], entry["jp"]) == (
        str(staff.id),
        str(t.staff.id),
        24,
    )
    assert entry["certificate_number"] == f"{t.region.code.upper()}/{year}/MWDP/000001"

    second = await complete(client, world, t.region_admin, session)
    assert (second["completed"], second["already_completed"]) == ([], 1)

    ledger = (
        await connection.execute(
            select(JpLedgerEntry.jp, JpLedgerEntry.source, JpLedgerEntry.year).where(
                JpLedgerEntry.enrollment_id == staff.id
            )
        )
    ).all()
    assert [tuple(row) for row in ledger] == [(24, "training", year)]
    assert await connection.scalar(select(func.count()).select_from(JpLedgerEntry)) == 1
    certificates = await connection.scalar(
        select(func.count()).where(TrainingCertificate.enrollment_id == staff.id)
    )
    assert certificates == 1
    statuses = dict(
        (
            await connection.execute(
                select(TrainingEnrollment.id, TrainingEnrollment.status).where(
                    TrainingEnrollment.session_id == session.id
                )
            )
        ).all()
    )
    assert statuses == {staff.id: "completed", colleague.id: "no_show"}
    events = await connection.scalars(
        select(OutboxEvent.employee_id).where(OutboxEvent.type == "training.completed")
    )
    assert list(events) == [t.staff.id]

    # marking a completed participant again is refused: completion is final
    again = await client.post(
        f"{SESSIONS}/{session.id}/attendance",
        json={"entries": [{"enrollment_id": str(staff.id), "status": "no_show"}]},
        headers=world.auth(t.admin),
    )
    assert again.status_code == 422


async def test_serials_count_the_regions_certificates_of_the_year(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    first = await ended_session(world, t.region)
    second = await ended_session(world, t.region, name="Kepemimpinan Pengawas")
    a = await world.enrollment(first, t.staff)
    b = await world.enrollment(second, t.staff)
    c = await world.enrollment(second, t.boss)
    await attend(client, world, t.admin, first, attended=a)
    await complete(client, world, t.admin, first)
    for enrollment in (b, c):
        await attend(client, world, t.admin, second, attended=enrollment)
    numbers = [
        e["certificate_number"]
        for e in (await complete(client, world, t.admin, second))["completed"]
    ]
    assert sorted(n.split("/")[2:] for n in numbers) == [["KP", "000002"], ["KP", "000003"]]


async def test_a_session_not_ended_is_not_completed(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    program = await world.program(t.region)
    now = clock.utc_now()
    session = await world.training_session(
        program, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
    )
    response = await client.post(f"{SESSIONS}/{session.id}/completion", headers=world.auth(t.admin))
    assert response.status_code == 409
    assert response.json()["reason"] == "not_ended"


async def test_a_certificate_is_read_as_json_and_pdf_by_those_who_may(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    session = await ended_session(world, t.region)
    staff = await world.enrollment(session, t.staff)
    await attend(client, world, t.admin, session, attended=staff)
    [entry] = (await complete(client, world, t.admin, session))["completed"]
    url = f"{CERTIFICATES}/{entry['certificate_id']}"

    for reader in (t.staff_user, t.boss_user, t.agency_admin, t.admin, t.region_admin, t.auditor):
        response = await client.get(url, headers=world.auth(reader))
        assert response.status_code == 200, response.text
        assert response.headers["ETag"] == '"1"'
        body = response.json()
        assert (body["number"], body["jp"], body["employee_id"]) == (
            entry["certificate_number"],
            24,
            str(t.staff.id),
        )
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", body["issued_on"])
    pdf = await client.get(f"{url}/pdf", headers=world.auth(t.staff_user))
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    other_agency_admin = await world.user(t.region, Role.AGENCY_ADMIN, agency=t.other_agency)
    for stranger in (t.colleague_user, t.outsider_user, other_agency_admin, t.complaint_officer):
        assert (await client.get(url, headers=world.auth(stranger))).status_code == 404
    for foreigner in (t.foreign_admin, t.foreign_employee_user):
        assert (await client.get(url, headers=world.auth(foreigner))).status_code == 404
        assert (await client.get(f"{url}/pdf", headers=world.auth(foreigner))).status_code == 404
    assert (await client.get(url)).status_code == 401
    assert (await client.get(f"{url}/pdf")).status_code == 401

    def ids(response: httpx.Response) -> list[str]:
        assert response.status_code == 200, response.text
        return [c["id"] for c in response.json()["items"]]

    mine = await client.get(CERTIFICATES, params={"mine": "true"}, headers=world.auth(t.staff_user))
    assert ids(mine) == [entry["certificate_id"]]
    assert ids(await client.get(CERTIFICATES, headers=world.auth(t.boss_user))) == [
        entry["certificate_id"]
    ]
    for reader in (t.auditor, t.agency_admin):
        assert ids(await client.get(CERTIFICATES, headers=world.auth(reader))) == [
            entry["certificate_id"]
        ]
    assert ids(await client.get(CERTIFICATES, headers=world.auth(other_agency_admin))) == []
    assert ids(await client.get(CERTIFICATES, headers=world.auth(t.colleague_user))) == []
    assert ids(await client.get(CERTIFICATES, headers=world.auth(t.foreign_admin))) == []
    enrollment = await client.get(f"{ENROLLMENTS}/{staff.id}", headers=world.auth(t.staff_user))
    assert enrollment.json()["status"] == "completed"
