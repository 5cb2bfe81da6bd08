"""Importing a session's attendance and completion: marks as the attendance API records them,
a completion crediting the program's JP and a numbered certificate once, read back through the
enrollments, certificates, competency and compliance routes."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.config import Settings
from kinerja_api.core import clock
from kinerja_api.models.events import OutboxEvent
from kinerja_api.models.training import JpLedgerEntry, TrainingCertificate, TrainingSession
from tests.factories import World
from tests.imports.helpers import (
    Region,
    a_region,
    csv_of,
    errors,
    failed_whole,
    id_of,
    imported,
    nip_of,
    written_whole,
)
from tests.training.helpers import CERTIFICATES, ENROLLMENTS

HEADER = ("session_id", "nip", "status")
KIND = "training_attendance"
COMPLIANCE = "/api/v1/reports/jp-compliance"


@dataclass
class Held:
    """A session of a 24 JP program held two days ago, with three participants: two enrolled,
    one marked no-show."""

    home: Region
    program: Any
    session: Any
    first: Any
    second: Any
    absent: Any
    enrollments: dict[Any, Any]


async def a_held_session(world: World, capacity: int = 5) -> Held:
    home = await a_region(world)
    program = await world.program(home.region, name="Manajemen Waktu dan Produktivitas", jp=24)
    starts_at = clock.utc_now() - timedelta(days=2)
    held = await world.training_session(
        program,
        starts_at=starts_at,
        capacity=capacity,
        enrollment_opens_at=starts_at - timedelta(days=10),
        enrollment_closes_at=starts_at - timedelta(days=1),
    )
    people = [await world.employee(home.region, home.agency) for _ in range(3)]
    enrollments = {
        people[0].id: await world.enrollment(held, people[0]),
        people[1].id: await world.enrollment(held, people[1]),
        people[2].id: await world.enrollment(held, people[2], status="no_show"),
    }
    return Held(home, program, held, people[0], people[1], people[2], enrollments)


def csv(*rows: tuple[Any, Any, str]) -> str:
    cells = ((id_of(session), nip_of(person), status) for session, person, status in rows)
    return csv_of(HEADER, cells, newline="\n")


async def statuses(client: httpx.AsyncClient, h: Held) -> dict[str, str]:
    listed = await client.get(
        ENROLLMENTS, params={"session_id": str(h.session.id)}, headers=h.home.headers
    )
    assert listed.status_code == 200, listed.text
    return {item["employee_id"]: item["status"] for item in listed.json()["items"]}


async def _count(world: World, h: Held, model: Any) -> int:
    """The rows of `model` (training events of the outbox) in the session's region."""
    await enter_all_regions(world.connection)
    statement = select(func.count()).select_from(model).where(model.region_id == h.home.region.id)
    if model is OutboxEvent:
        statement = statement.where(OutboxEvent.type.like("training.%"))
    return int(await world.connection.scalar(statement) or 0)


async def seats(world: World, h: Held) -> int:
    await enter_all_regions(world.connection)
    return int(
        await world.connection.scalar(
            select(TrainingSession.seats_taken).where(TrainingSession.id == h.session.id)
        )
        or 0
    )


async def test_marks_and_completions_are_recorded_credited_once_and_read_back(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    h = await a_held_session(world)
    body = csv(
        (h.session, h.first, "completed"),
        (h.session, h.second, "attended"),
        (h.session, h.absent, "no_show"),
    )
    result = await imported(client, app, settings, h.home.headers, body, kind=KIND)
    assert result["counts"] == {"read": 3, "created": 0, "updated": 2, "unchanged": 1, "failed": 0}
    assert await statuses(client, h) == {
        str(h.first.id): "completed",
        str(h.second.id): "attended",
        str(h.absent.id): "no_show",
    }
    assert await seats(world, h) == 2
    year = clock.today_in("Asia/Jakarta").year

    certificates = await client.get(
        CERTIFICATES, params={"employee_id": str(h.first.id)}, headers=h.home.headers
    )
    [certificate] = certificates.json()["items"]
    assert (certificate["number"], certificate["jp"]) == (
        f"{h.home.region.code.upper()}/{year}/MWDP/000001",
        24,
    )
    competency = await client.get(
        f"/api/v1/employees/{h.first.id}/competency",
        params={"year": year},
        headers=h.home.headers,
    )
    assert competency.status_code == 200, competency.text
    assert competency.json()["total_jp"] == "24"
    [activity] = competency.json()["activities"]
    assert (activity["source"], activity["activity"], activity["enrollment_id"]) == (
        "training",
        "Manajemen Waktu dan Produktivitas",
        str(h.enrollments[h.first.id].id),
    )
    report = await client.get(
        COMPLIANCE,
        params={"year": year, "agency_id": str(h.home.agency.id)},
        headers=h.home.headers,
    )
    totals = {row["employee_id"]: row["total_jp"] for row in report.json()["items"]}
    assert (totals[str(h.first.id)], totals[str(h.second.id)]) == ("24", "0")

    await enter_all_regions(world.connection)
    events = (
        await world.connection.execute(
            select(OutboxEvent.type, OutboxEvent.employee_id, OutboxEvent.payload).where(
                OutboxEvent.region_id == h.home.region.id, OutboxEvent.type.like("training.%")
            )
        )
    ).all()
    assert sorted((e.type, e.employee_id) for e in events) == sorted(
        [("training.completed", h.first.id), ("training.attended", h.second.id)]
    )
    completed = next(e for e in events if e.type == "training.completed")
    assert (completed.payload["certificate_number"], completed.payload["jp"]) == (
        certificate["number"],
        24,
    )

    again = await imported(client, app, settings, h.home.headers, body, kind=KIND)
    assert again["counts"] == {"read": 3, "created": 0, "updated": 0, "unchanged": 3, "failed": 0}
    assert await _count(world, h, JpLedgerEntry) == 1
    assert await _count(world, h, TrainingCertificate) == 1
    assert await _count(world, h, OutboxEvent) == 2
    assert await seats(world, h) == 2


async def test_a_dry_run_counts_and_writes_nothing(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    h = await a_held_session(world)
    body = csv((h.session, h.first, "completed"), (h.session, h.absent, "attended"))
    result = await imported(client, app, settings, h.home.headers, body, kind=KIND, dry_run=True)
    assert result["counts"] == {"read": 2, "created": 0, "updated": 2, "unchanged": 0, "failed": 0}
    assert set((await statuses(client, h)).values()) == {"enrolled", "no_show"}
    assert await seats(world, h) == 2
    assert await _count(world, h, JpLedgerEntry) == 0
    assert await _count(world, h, TrainingCertificate) == 0
    assert await _count(world, h, OutboxEvent) == 0


async def test_all_or_nothing_writes_nothing_when_a_row_fails(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    h = await a_held_session(world)
    stranger = await world.employee(h.home.region, h.home.agency)
    body = csv(
        (h.session, h.first, "completed"),
        (h.session, h.second, "attended"),
        (h.session, stranger, "attended"),
    )
    result = await failed_whole(client, app, settings, h.home.headers, body, kind=KIND)
    [problem] = await errors(client, h.home.headers, result["id"])
    assert (problem["row"], problem["field"], problem["problem"]) == (3, "nip", "conflict")
    assert set((await statuses(client, h)).values()) == {"enrolled", "no_show"}
    assert await _count(world, h, JpLedgerEntry) == 0

    good = csv((h.session, h.first, "completed"), (h.session, h.second, "completed"))
    result = await written_whole(
        client, app, settings, h.home.headers, good, batch_rows=1, kind=KIND
    )
    assert result["counts"]["updated"] == 2
    await enter_all_regions(world.connection)
    numbers = await world.connection.scalars(
        select(TrainingCertificate.number)
        .where(TrainingCertificate.region_id == h.home.region.id)
        .order_by(TrainingCertificate.number)
    )
    assert [number.rsplit("/", 1)[1] for number in numbers] == ["000001", "000002"]


async def test_another_regions_session_and_participants_are_refused_never_written(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    h, foreign = await a_held_session(world), await a_held_session(world)
    body = csv((foreign.session, h.first, "attended"), (h.session, foreign.first, "attended"))
    result = await imported(client, app, settings, h.home.headers, body, kind=KIND)
    found = {
        (e["row"], e["field"], e["problem"])
        for e in await errors(client, h.home.headers, result["id"])
    }
    assert found == {(1, "session_id", "not_found"), (2, "nip", "not_found")}
    assert result["counts"]["updated"] == 0
    assert set((await statuses(client, foreign)).values()) == {"enrolled", "no_show"}


async def test_every_rule_of_the_attendance_api_refuses_its_rows(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    h = await a_held_session(world, capacity=2)
    now = clock.utc_now()
    coming = await world.training_session(h.program, starts_at=now + timedelta(days=3))
    running = await world.training_session(
        h.program, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=3)
    )
    cancelled = await world.training_session(
        h.program, starts_at=now - timedelta(days=3), status="cancelled"
    )
    waiting = await world.employee(h.home.region, h.home.agency)
    done = await world.employee(h.home.region, h.home.agency)
    for target in (coming, running, cancelled):
        await world.enrollment(target, h.first)
    await world.enrollment(h.session, waiting, status="waitlisted")
    await world.enrollment(h.session, done, status="completed")
    stranger = await world.employee(h.home.region, h.home.agency)
    body = csv(
        ("sesi-1", h.first, "attended"),
        (coming, h.first, "attended"),
        (running, h.first, "completed"),
        (cancelled, h.first, "attended"),
        (h.session, waiting, "attended"),
        (h.session, stranger, "attended"),
        (h.session, done, "no_show"),
        (h.session, h.absent, "attended"),
        (h.session, h.second, "hadir"),
        (h.session, "19850314201001100", "attended"),
        (h.session, h.first, "@attended"),
        (running, h.second, "attended"),
    )
    result = await imported(client, app, settings, h.home.headers, body, kind=KIND)
    refused = await errors(client, h.home.headers, result["id"], limit=100)
    assert {(e["row"], e["field"], e["problem"]) for e in refused} == {
        (1, "session_id", "invalid"),
        (2, "session_id", "conflict"),
        (3, "status", "conflict"),
        (4, "session_id", "conflict"),
        (5, "nip", "conflict"),
        (6, "nip", "conflict"),
        (7, "status", "conflict"),
        (8, "status", "conflict"),
        (9, "status", "invalid"),
        (10, "nip", "invalid"),
        (11, "status", "formula"),
        (11, "status", "invalid"),
        (12, "nip", "conflict"),
    }
    english = await errors(
        client, {**h.home.headers, "Accept-Language": "en"}, result["id"], limit=100
    )
    assert {e["message"] for e in english if e["row"] == 8} == {
        "The session's capacity leaves no seat to mark this no-show attended again."
    }
    assert {e["message"] for e in english if e["row"] == 3} == {
        "Completion can be recorded once the session has ended."
    }
    assert result["counts"]["updated"] == 0
    assert await seats(world, h) == 2


async def test_a_service_accounts_completion_is_credited_as_recorded_by_nobody(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    h = await a_held_session(world)
    account = await world.service_account(h.home.region, "imports:write")
    body = csv((h.session, h.first, "completed"))
    result = await imported(client, app, settings, world.auth(account), body, kind=KIND)
    assert result["counts"]["updated"] == 1, result
    await enter_all_regions(world.connection)
    [entry] = (
        await world.connection.execute(
            select(JpLedgerEntry).where(JpLedgerEntry.region_id == h.home.region.id)
        )
    ).all()
    assert (entry.jp, entry.source, entry.recorded_by) == (24, "training", None)
    assert entry.enrollment_id == h.enrollments[h.first.id].id
