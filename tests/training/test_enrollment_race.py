"""Enrollment under contention, over real connections: two uvicorn processes on a database of
their own (real commits), 200 employees asking for a 30-seat session at once."""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.config import Settings
from kinerja_api.core import clock
from kinerja_api.db import create_engine
from kinerja_api.main import create_app
from kinerja_api.models.events import OutboxEvent
from kinerja_api.models.org import Role
from tests.conftest import fresh_database_url
from tests.factories import World
from tests.servers import migrated_database, running_servers
from tests.training.helpers import ENROLLMENTS, SESSIONS

PEOPLE = 200
SEATS = 30


@pytest.fixture(scope="module")
def race_database() -> Iterator[str]:
    with migrated_database(fresh_database_url("kinerja_training_race")) as url:
        yield url


@pytest.fixture(scope="module")
def servers(race_database: str) -> Iterator[tuple[str, str]]:
    with running_servers(race_database) as (first, second):
        yield first, second


@pytest.fixture
async def owner(race_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(race_database, Settings(env="test", database_url=race_database))
    yield engine
    await engine.dispose()


@asynccontextmanager
async def committed_world(race_database: str, engine: AsyncEngine) -> AsyncIterator[World]:
    app = create_app(Settings(env="test", database_url=race_database))
    async with engine.connect() as connection, connection.begin():
        yield World(connection, app)


async def _rows(engine: AsyncEngine, session_id: Any) -> list[Any]:
    async with engine.connect() as connection:
        await enter_all_regions(connection)
        result = await connection.execute(
            text(
                "select id, employee_id, status, arrival, waitlist_order from training_enrollments"
                " where session_id = :s order by arrival"
            ),
            {"s": session_id},
        )
        return list(result.all())


async def test_200_at_once_fill_30_seats_and_a_first_come_waitlist_promoted_once_each(
    servers: tuple[str, str], owner: AsyncEngine, race_database: str
) -> None:
    async with committed_world(race_database, owner) as world:
        region = await world.region()
        agency = await world.agency(region)
        program = await world.program(region)
        session = await world.training_session(program, capacity=SEATS)
        people = []
        for _ in range(PEOPLE):
            employee = await world.employee(region, agency)
            people.append((employee, await world.user(region, Role.EMPLOYEE, employee=employee)))
    url = f"{SESSIONS}/{session.id}/enrollments"
    limits = httpx.Limits(max_connections=PEOPLE + 20)
    async with httpx.AsyncClient(limits=limits, timeout=60) as http:
        # every request once, and the first ten twice: a duplicate is refused, never counted
        asks = [*people, *people[:10]]
        responses = await asyncio.gather(
            *(
                http.post(servers[n % 2] + url, json={}, headers=world.auth(user))
                for n, (_, user) in enumerate(asks)
            )
        )
    statuses = Counter(r.status_code for r in responses)
    assert statuses == Counter({201: PEOPLE, 409: 10}), [
        r.text for r in responses if r.status_code not in (201, 409)
    ]
    assert {r.json()["type"].rsplit("/", 1)[1] for r in responses if r.status_code == 409} == {
        "already-enrolled"
    }

    rows = await _rows(owner, session.id)
    assert len(rows) == PEOPLE
    assert len({row.employee_id for row in rows}) == PEOPLE  # nobody enrolled twice
    assert [row.arrival for row in rows] == list(range(1, PEOPLE + 1))
    # the first 30 to reach the session's lock took the seats, the rest queued in that order
    assert [row.status for row in rows] == ["enrolled"] * SEATS + ["waitlisted"] * (PEOPLE - SEATS)
    assert [row.waitlist_order for row in rows[SEATS:]] == list(range(1, PEOPLE - SEATS + 1))
    # each answer told its requester what the table holds
    answered = {r.json()["id"]: r.json() for r in responses if r.status_code == 201}
    for row in rows:
        assert (answered[str(row.id)]["status"], answered[str(row.id)]["waitlist_order"]) == (
            row.status,
            row.waitlist_order,
        )

    # 20 seats given up at once: the first 20 waitlisted are promoted, each exactly once
    users = {employee.id: user for employee, user in people}
    leaving = rows[:20]
    async with httpx.AsyncClient(limits=limits, timeout=60) as http:
        cancelled = await asyncio.gather(
            *(
                http.post(
                    f"{servers[n % 2]}{ENROLLMENTS}/{row.id}/cancel",
                    headers={**world.auth(users[row.employee_id]), "If-Match": '"1"'},
                )
                for n, row in enumerate(leaving)
            )
        )
    assert [r.status_code for r in cancelled] == [200] * 20, [r.text for r in cancelled]
    after = {row.id: row for row in await _rows(owner, session.id)}
    assert Counter(row.status for row in after.values()) == Counter(
        {"enrolled": SEATS, "cancelled": 20, "waitlisted": PEOPLE - SEATS - 20}
    )
    first_waiting = {row.employee_id for row in rows[SEATS : SEATS + 20]}
    assert {row.employee_id for row in after.values() if row.status == "enrolled"} == (
        {row.employee_id for row in rows[20:SEATS]} | first_waiting
    )
    async with owner.connect() as connection:
        await enter_all_regions(connection)
        promoted = Counter(
            (
                await connection.execute(
                    select(OutboxEvent.employee_id).where(
                        OutboxEvent.type == "training.promoted", OutboxEvent.region_id == region.id
                    )
                )
            ).scalars()
        )
        seats_taken = await connection.scalar(
            text("select seats_taken from training_sessions where id = :s"), {"s": session.id}
        )
    assert promoted == Counter(dict.fromkeys(first_waiting, 1))
    assert seats_taken == SEATS


SESSIONS_ENDED = 6
ATTENDED = 5


async def test_completions_recorded_at_once_number_the_regions_certificates_without_gap_or_twin(
    servers: tuple[str, str], owner: AsyncEngine, race_database: str
) -> None:
    """Six sessions of one region completed at the same moment, each twice, over two processes:
    every attendee gets one certificate, and the year's serials run 1..30 with no number twice
    and none skipped, whichever request reached the region's lock first."""
    async with committed_world(race_database, owner) as world:
        region = await world.region()
        agency = await world.agency(region)
        program = await world.program(region, jp=12)
        admin = await world.user(region, Role.TRAINING_ADMIN)
        ended = []
        for _ in range(SESSIONS_ENDED):
            starts_at = clock.utc_now() - timedelta(days=3)
            session = await world.training_session(
                program,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=8),
                enrollment_opens_at=starts_at - timedelta(days=10),
                enrollment_closes_at=starts_at - timedelta(days=1),
            )
            for _ in range(ATTENDED):
                await world.enrollment(
                    session, await world.employee(region, agency), status="attended"
                )
            ended.append(session)
    async with httpx.AsyncClient(timeout=60) as http:
        responses = await asyncio.gather(
            *(
                http.post(
                    f"{servers[n % 2]}{SESSIONS}/{session.id}/completion", headers=world.auth(admin)
                )
                for n, session in enumerate([*ended, *ended])
            )
        )
    assert [r.status_code for r in responses] == [200] * (2 * SESSIONS_ENDED), [
        r.text for r in responses
    ]
    answered = [entry for r in responses for entry in r.json()["completed"]]
    assert len(answered) == SESSIONS_ENDED * ATTENDED  # the second of each pair completed nobody

    async with owner.connect() as connection:
        await enter_all_regions(connection)
        certificates = (
            await connection.execute(
                text(
                    "select enrollment_id, number from training_certificates where region_id = :r"
                ),
                {"r": region.id},
            )
        ).all()
        credited = await connection.scalar(
            text(
                "select count(*) from jp_ledger where region_id = :r and enrollment_id is not null"
            ),
            {"r": region.id},
        )
    serials = sorted(int(number.rsplit("/", 1)[1]) for _, number in certificates)
    assert serials == list(range(1, SESSIONS_ENDED * ATTENDED + 1))
    assert len({enrollment for enrollment, _ in certificates}) == len(certificates)
    assert {entry["certificate_number"] for entry in answered} == {n for _, n in certificates}
    assert credited == SESSIONS_ENDED * ATTENDED
