"""Data for the enrollment benchmark (`training-enroll` in run.py), written straight with
asyncpg: a region of 500 employees (five units of 100 under one agency), a training program
and a training administrator with a login, written once per bench database; and on every run,
for each target its own fresh sessions (25 seats each, the enrollment window open, open to
the agency's subtree), enough for the warm-up and every round. A person holds one place in a
session, so no session can serve two runs or two targets.

The requests are nominations (a training administrator enrolls `employee_id`) rather than
self-enrollments: one token serves every request, where self-enrollment would need a login
per employee (500 tokens, and an argon2 verification each in the prepare hook) and a Lua
script pairing tokens with bodies. What is measured is the same either way: the session's
lock, the facts read once it is held, the enrollment, the counters, audit and outbox; only
where the employee's id comes from differs (the body instead of the token)."""

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
from plans_data import PASSWORD, _agency, _connect, _region, _user, _Writer

REGION = "bench-training"
UNITS = 5
STAFF_PER_UNIT = 99  # plus the unit head: 5 x 100 = 500 employees
CAPACITY = 25
GROUP = 10  # sessions loaded at once
ADMIN_EMAIL = f"training-admin@{REGION}.bench"
PROGRAM = "Manajemen Waktu dan Produktivitas"


@dataclass(frozen=True)
class EnrollData:
    region_id: uuid.UUID
    admin_id: uuid.UUID
    admin_email: str
    employee_ids: list[uuid.UUID]
    # Per target, its fresh sessions in the order they are to be loaded, in groups of GROUP.
    session_ids: dict[str, list[uuid.UUID]]


async def _write(connection: asyncpg.Connection, region_id: uuid.UUID) -> None:
    root = await _agency(connection, region_id, "root", None)
    writer = _Writer(connection, region_id, "81")
    for number in range(UNITS):
        unit = await _agency(connection, region_id, f"t{number}", root)
        head = writer.employee(unit[0], None)
        for _ in range(STAFF_PER_UNIT):
            writer.employee(unit[0], head)
    await writer.flush_employees()
    await connection.execute(
        "insert into training_programs (region_id, name, kind, competency_area, provider, jp) "
        "values ($1, $2, 'pelatihan_klasikal', 'manajerial', 'BKPSDM', 24)",
        region_id,
        PROGRAM,
    )
    await _user(connection, region_id, ADMIN_EMAIL, "training_admin")


async def _sessions(
    connection: asyncpg.Connection, region_id: uuid.UUID, target: str, count: int
) -> list[uuid.UUID]:
    now = datetime.now(UTC)
    starts_at = now + timedelta(days=30)
    rows = await connection.fetch(
        "insert into training_sessions (region_id, program_id, starts_at, ends_at, place, "
        "capacity, enrollment_opens_at, enrollment_closes_at, eligible_agency_ids) "
        "select $1, p.id, $2, $3, $4, $5, $6, $7, array[a.id] "
        "from training_programs p, agencies a, generate_series(1, $8) "
        "where p.region_id = $1 and p.name = $9 and a.region_id = $1 and a.code = 'root' "
        "returning id",
        region_id, starts_at, starts_at + timedelta(hours=8), f"Bench {target}", CAPACITY,
        now - timedelta(days=1), now + timedelta(days=7), count, PROGRAM,
    )  # fmt: skip
    return [row["id"] for row in rows]


async def _enroll_data(url: str, targets: list[str], groups: int) -> EnrollData:
    connection = await _connect(url)
    try:
        region_id, created = await _region(connection, REGION)
        if created:
            async with connection.transaction():
                await _write(connection, region_id)
        admin_id = await connection.fetchval("select id from users where email = $1", ADMIN_EMAIL)
        employee_ids = [
            row["id"]
            for row in await connection.fetch(
                "select id from employees where region_id = $1 order by nip", region_id
            )
        ]
        session_ids = {}
        async with connection.transaction():
            for target in targets:
                session_ids[target] = await _sessions(connection, region_id, target, groups * GROUP)
        await connection.execute("analyze training_sessions")
        return EnrollData(region_id, admin_id, ADMIN_EMAIL, employee_ids, session_ids)
    finally:
        await connection.close()


def enroll_data(url: str, targets: list[str], groups: int) -> EnrollData:
    """The region (written once) and, for each of `targets`, `groups` x GROUP new sessions."""
    return asyncio.run(_enroll_data(url, targets, groups))


# What the load left in a target's sessions: seats beyond capacity, counters that disagree
# with the rows, a waitlist drawn while a seat was free or numbered other than 1..n, and an
# employee holding two places in one session.
_CHECK = """
select
  count(*) filter (where e.held > 0) as sessions_used,
  coalesce(sum(e.enrolled), 0) as enrolled,
  coalesce(sum(e.waitlisted), 0) as waitlisted,
  count(*) filter (where e.enrolled > s.capacity or s.seats_taken > s.capacity)
    as overbooked_sessions,
  count(*) filter (where e.enrolled <> s.seats_taken or e.held <> s.arrivals
                   or s.waitlist_next <> e.waitlisted + 1) as miscounted_sessions,
  count(*) filter (where e.waitlisted > 0 and e.enrolled < s.capacity)
    as waitlisted_beside_free_seat,
  count(*) filter (where e.orders <> e.waitlisted or e.last_order <> e.waitlisted)
    as misnumbered_waitlists,
  coalesce(sum(e.held - e.people), 0) as double_places
from training_sessions s cross join lateral (
  select count(*) filter (where status = 'enrolled') as enrolled,
         count(*) filter (where status = 'waitlisted') as waitlisted,
         count(distinct waitlist_order) as orders,
         coalesce(max(waitlist_order), 0) as last_order,
         count(*) as held,
         count(distinct employee_id) as people
  from training_enrollments where region_id = s.region_id and session_id = s.id
) e
where s.id = any($1::uuid[])
"""


async def _check(url: str, session_ids: list[uuid.UUID]) -> dict[str, float]:
    connection = await _connect(url)
    try:
        row = await connection.fetchrow(_CHECK, session_ids)
        return {key: float(value) for key, value in row.items()}
    finally:
        await connection.close()


def check(url: str, session_ids: Sequence[str | uuid.UUID]) -> dict[str, float]:
    """Counts over `session_ids` of what must never happen under load (all zero when the
    locking holds), beside how many sessions, seats and waitlist places the load used."""
    return asyncio.run(_check(url, [uuid.UUID(str(i)) for i in session_ids]))


__all__ = ["CAPACITY", "GROUP", "PASSWORD", "EnrollData", "check", "enroll_data"]
