"""Data for the evaluation benchmarks (`evaluation-results` and `evaluation-submit` in run.py),
written straight with asyncpg once per bench database: a region of 10,000 employees (100 units
of a head and 99 staff under one agency head) and a closed 360° cycle with 100,000 responses
(700,000 answers): each employee rated by themselves, their supervisor and eight peers (unit
heads also by their staff, as subordinates). For submissions, each run adds open cycles in
which one rater (with a login) has a pending peer assignment for every other employee."""

import asyncio
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
from plans_data import PASSWORD, _agency, _connect, _period, _region, _user, _Writer

REGION = "bench-evaluations"
UNITS = 100
STAFF_PER_UNIT = 99  # plus the unit head: 100 x 100 = 10,000 employees, and the agency head
PEERS = 8
YEAR = 2026
VALUES = (
    "berorientasi_pelayanan",
    "akuntabel",
    "kompeten",
    "harmonis",
    "loyal",
    "adaptif",
    "kolaboratif",
)


@dataclass(frozen=True)
class ResultsData:
    region_id: uuid.UUID
    cycle_id: uuid.UUID
    admin_email: str
    responses: int


async def _write(connection: asyncpg.Connection, region_id: uuid.UUID) -> uuid.UUID:
    root = await _agency(connection, region_id, "root", None)
    writer = _Writer(connection, region_id, "79")
    head = writer.employee(root[0], None)
    units: list[list[uuid.UUID]] = []
    unit_agencies: list[uuid.UUID] = []
    for number in range(UNITS):
        unit = await _agency(connection, region_id, f"e{number}", root)
        unit_agencies.append(unit[0])
        unit_head = writer.employee(unit[0], head)
        units.append(
            [unit_head] + [writer.employee(unit[0], unit_head) for _ in range(STAFF_PER_UNIT)]
        )
    await writer.flush_employees()
    period_id = await _period(connection, region_id, YEAR)
    closes_on = date(YEAR, 11, 30)
    cycle_id: uuid.UUID = await connection.fetchval(
        "insert into evaluation_cycles (region_id, period_id, name, opens_on, closes_on, "
        "status) values ($1, $2, 'Bench 360', $3, $4, 'closed') returning id",
        region_id, period_id, date(YEAR, 11, 1), closes_on,
    )  # fmt: skip
    responses, answers, assignments = [], [], []
    for number, members in enumerate(units):
        unit_head, staff = members[0], members[1:]
        raters: list[tuple[uuid.UUID, str]] = [(unit_head, "self"), (head, "supervisor")]
        raters += [(s, "subordinate") for s in staff[:PEERS]]
        rated = [(unit_head, raters)]
        for index, member in enumerate(staff):
            peers = [staff[(index + k) % len(staff)] for k in range(1, PEERS + 1)]
            rated.append(
                (
                    member,
                    [(member, "self"), (unit_head, "supervisor")] + [(p, "peer") for p in peers],
                )
            )
        for ratee, ratee_raters in rated:
            for offset, (rater, relation) in enumerate(ratee_raters):
                assignments.append(
                    (region_id, cycle_id, ratee, rater, relation, unit_agencies[number],
                     closes_on, "submitted")
                )  # fmt: skip
                response_id = uuid.uuid4()
                responses.append((response_id, region_id, cycle_id, ratee, relation))
                for position, value in enumerate(VALUES):
                    score = 1 + (number + offset + position) % 5
                    answers.append(
                        (response_id, value, region_id, cycle_id, ratee, relation, score,
                         "Baik sekali" if position == 0 and offset % 3 == 0 else None)
                    )  # fmt: skip
    await connection.copy_records_to_table(
        "evaluation_assignments",
        records=assignments,
        columns=["region_id", "cycle_id", "ratee_id", "rater_id", "relation", "agency_id",
                 "due_on", "status"],
    )  # fmt: skip
    await connection.copy_records_to_table(
        "evaluation_responses",
        records=responses,
        columns=["id", "region_id", "cycle_id", "ratee_id", "relation"],
    )
    await connection.copy_records_to_table(
        "evaluation_answers",
        records=answers,
        columns=["response_id", "value", "region_id", "cycle_id", "ratee_id", "relation",
                 "score", "comment"],
    )  # fmt: skip
    return cycle_id


async def _results_data(url: str) -> ResultsData:
    connection = await _connect(url)
    email = f"admin@{REGION}.bench"
    try:
        region_id, created = await _region(connection, REGION)
        if created:
            async with connection.transaction():
                await _write(connection, region_id)
                await _user(connection, region_id, email, "region_admin")
            await connection.execute("analyze")
        cycle_id = await connection.fetchval(
            "select id from evaluation_cycles where region_id = $1 and name = 'Bench 360'",
            region_id,
        )
        count = await connection.fetchval(
            "select count(*) from evaluation_responses where region_id = $1 and cycle_id = $2",
            region_id,
            cycle_id,
        )
        return ResultsData(region_id, cycle_id, email, count)
    finally:
        await connection.close()


def results_data(url: str) -> ResultsData:
    return asyncio.run(_results_data(url))


@dataclass(frozen=True)
class SubmitData:
    region_id: uuid.UUID
    rater_id: uuid.UUID
    rater_email: str
    assignment_ids: list[uuid.UUID]


RATER_EMAIL = f"rater@{REGION}.bench"


async def _submit_data(url: str, cycles: int) -> SubmitData:
    await _results_data(url)  # the region and its people
    connection = await _connect(url)
    try:
        region_id = await connection.fetchval("select id from regions where code = $1", REGION)
        rater_id = await connection.fetchval(
            "select id from employees where region_id = $1 order by nip limit 1", region_id
        )
        if not await connection.fetchval("select 1 from users where email = $1", RATER_EMAIL):
            await _user(connection, region_id, RATER_EMAIL, "employee", employee_id=rater_id)
        today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
        period_id = await connection.fetchval(
            "select id from periods where region_id = $1 and year = $2", region_id, today.year
        ) or await _period(connection, region_id, today.year)
        ids: list[uuid.UUID] = []
        for _ in range(cycles):
            async with connection.transaction():
                cycle_id = await connection.fetchval(
                    "insert into evaluation_cycles (region_id, period_id, name, opens_on, "
                    "closes_on, status, launched_at) values ($1, $2, 'Bench submissions', $3, "
                    "$4, 'launched', now()) returning id",
                    region_id, period_id, today - timedelta(days=1),
                    min(today + timedelta(days=30), date(today.year, 12, 31)),
                )  # fmt: skip
                ids += await connection.fetchval(
                    "with added as (insert into evaluation_assignments (region_id, cycle_id, "
                    "ratee_id, rater_id, relation, agency_id, due_on) select $1, $2, e.id, $3, "
                    "'peer', e.agency_id, c.closes_on from employees e, evaluation_cycles c "
                    "where e.region_id = $1 and e.id <> $3 and c.id = $2 returning id) "
                    "select array_agg(id order by id) from added",
                    region_id, cycle_id, rater_id,
                )  # fmt: skip
        await connection.execute("analyze evaluation_assignments")
        return SubmitData(region_id, rater_id, RATER_EMAIL, ids)
    finally:
        await connection.close()


def submit_data(url: str, cycles: int) -> SubmitData:
    """`cycles` new open cycles, each with a pending assignment of the rater for every other
    employee of the region (9,999 a cycle)."""
    return asyncio.run(_submit_data(url, cycles))


__all__ = ["PASSWORD", "ResultsData", "SubmitData", "results_data", "submit_data"]
