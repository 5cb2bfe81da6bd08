"""Data for the plan benchmarks (`plans-list`, `plans-approve` in run.py), written straight
with asyncpg: an agency subtree of 2,000 employees with a plan each, and a pool of submitted
plans waiting for one supervisor's approval. Written once per bench database; the approval
pool is reset to `submitted` on every run."""

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from kinerja_api.auth.passwords import hash_secret

PASSWORD = "bench-kinerja-password"  # noqa: S105 - a throwaway bench database
LIST_REGION = "bench-plans"
APPROVE_REGION = "bench-approve"
UNITS = 20
STAFF_PER_UNIT = 99  # plus the unit head: 20 x 100 + the agency head = 2,001 employees
OUTSIDE_UNITS = 5
YEAR = 2026
APPROVE_STAFF = 1000
STATUSES = ("draft", "submitted", "approved")


@dataclass(frozen=True)
class ListData:
    region_id: uuid.UUID
    agency_id: uuid.UUID
    period_id: uuid.UUID
    admin_email: str


@dataclass(frozen=True)
class ApproveData:
    approver_email: str
    plan_ids: list[uuid.UUID]
    # Who approves, for the baseline (which has no authentication): the region, the approving
    # supervisor's employee id and user id.
    region_id: uuid.UUID
    approver_id: uuid.UUID
    approver_user_id: uuid.UUID


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _connect(url: str) -> asyncpg.Connection:
    connection = await asyncpg.connect(_dsn(url))
    # Row-level security is forced even for the owner; bench data spans regions.
    await connection.execute("select set_config('kinerja.all_regions', 'on', false)")
    return connection


class _Writer:
    def __init__(self, connection: asyncpg.Connection, region_id: uuid.UUID, prefix: str) -> None:
        self.connection = connection
        self.region_id = region_id
        self.prefix = prefix
        self.serial = 0
        self.employees: list[tuple[Any, ...]] = []

    def employee(self, agency_id: uuid.UUID, supervisor_id: uuid.UUID | None) -> uuid.UUID:
        self.serial += 1
        employee_id = uuid.uuid4()
        nip = f"{self.prefix}{self.serial:016d}"
        self.employees.append(
            (employee_id, self.region_id, agency_id, supervisor_id, nip, "pns",
             f"Pegawai {self.serial}", "Analis", "III/a")
        )  # fmt: skip
        return employee_id

    async def flush_employees(self) -> None:
        await self.connection.copy_records_to_table(
            "employees",
            records=self.employees,
            columns=["id", "region_id", "agency_id", "supervisor_id", "nip", "employment_type",
                     "name", "position", "grade"],
        )  # fmt: skip
        self.employees.clear()


async def _region(connection: asyncpg.Connection, code: str) -> tuple[uuid.UUID, bool]:
    found = await connection.fetchval("select id from regions where code = $1", code)
    if found is not None:
        return found, False
    region_id = await connection.fetchval(
        "insert into regions (code, name, kind, timezone) values ($1, $2, 'kabupaten', "
        "'Asia/Jakarta') returning id",
        code,
        f"Kabupaten {code}",
    )
    return region_id, True


async def _agency(
    connection: asyncpg.Connection, region_id: uuid.UUID, code: str, parent: tuple[Any, str] | None
) -> tuple[uuid.UUID, str]:
    agency_id = uuid.uuid4()
    path = f"{parent[1] if parent else '/'}{agency_id}/"
    await connection.execute(
        "insert into agencies (id, region_id, parent_id, code, name, kind, path) "
        "values ($1, $2, $3, $4, $5, 'dinas', $6)",
        agency_id, region_id, parent[0] if parent else None, code, f"Dinas {code}", path,
    )  # fmt: skip
    return agency_id, path


async def _user(
    connection: asyncpg.Connection,
    region_id: uuid.UUID,
    email: str,
    role: str,
    *,
    employee_id: uuid.UUID | None = None,
    agency_id: uuid.UUID | None = None,
) -> None:
    await connection.execute(
        "insert into users (region_id, email, full_name, password_hash, roles, employee_id, "
        "agency_id) values ($1, $2, 'Bench', $3, $4, $5, $6)",
        region_id, email, hash_secret(PASSWORD), [role], employee_id, agency_id,
    )  # fmt: skip


async def _period(connection: asyncpg.Connection, region_id: uuid.UUID, year: int) -> uuid.UUID:
    period_id: uuid.UUID = await connection.fetchval(
        "insert into periods (region_id, year) values ($1, $2) returning id", region_id, year
    )
    return period_id


async def _list_data(url: str) -> ListData:
    connection = await _connect(url)
    try:
        region_id, created = await _region(connection, LIST_REGION)
        email = f"admin@{LIST_REGION}.bench"
        if not created:
            await connection.execute("analyze")
            row = await connection.fetchrow(
                "select a.id as agency_id, p.id as period_id from agencies a, periods p "
                "where a.region_id = $1 and a.code = 'root' and p.region_id = $1 and p.year = $2",
                region_id,
                YEAR,
            )
            return ListData(region_id, row["agency_id"], row["period_id"], email)
        async with connection.transaction():
            root = await _agency(connection, region_id, "root", None)
            outside = await _agency(connection, region_id, "outside", None)
            writer = _Writer(connection, region_id, "77")
            head = writer.employee(root[0], None)
            supervised: list[tuple[uuid.UUID, uuid.UUID, uuid.UUID | None]] = [
                (head, root[0], None)
            ]
            for parent, boss, units, prefix in (
                (root, head, UNITS, "u"),
                (outside, None, OUTSIDE_UNITS, "o"),
            ):
                for number in range(units):
                    unit = await _agency(connection, region_id, f"{prefix}{number}", parent)
                    unit_head = writer.employee(unit[0], boss)
                    supervised.append((unit_head, unit[0], boss))
                    for _ in range(STAFF_PER_UNIT):
                        staff = writer.employee(unit[0], unit_head)
                        supervised.append((staff, unit[0], unit_head))
            await writer.flush_employees()
            period_id = await _period(connection, region_id, YEAR)
            now = datetime.now(UTC)
            plans = []
            for index, (employee_id, agency_id, supervisor) in enumerate(supervised):
                status = STATUSES[index % 3]
                approver = supervisor if status != "draft" else None
                plans.append(
                    (region_id, period_id, employee_id, agency_id, approver, status,
                     1 if status == "approved" else None, now - timedelta(seconds=index))
                )  # fmt: skip
            await connection.copy_records_to_table(
                "plans",
                records=plans,
                columns=["region_id", "period_id", "employee_id", "agency_id", "approver_id",
                         "status", "approved_revision", "updated_at"],
            )  # fmt: skip
            await _user(connection, region_id, email, "region_admin")
        # Fresh statistics, as autovacuum would gather them on a live database.
        await connection.execute("analyze")
        return ListData(region_id, root[0], period_id, email)
    finally:
        await connection.close()


async def _approve_data(url: str, periods: int) -> ApproveData:
    connection = await _connect(url)
    email = f"supervisor@{APPROVE_REGION}.bench"
    try:
        region_id, created = await _region(connection, APPROVE_REGION)
        if created:
            await _write_approval_pool(connection, region_id, email, periods)
        async with connection.transaction():
            # Every run approves the same pool again: put it back as it was submitted.
            await connection.execute("delete from plan_revisions where region_id = $1", region_id)
            await connection.execute(
                "update plans set status = 'submitted', approved_revision = null, "
                "approved_at = null where region_id = $1 and status <> 'submitted'",
                region_id,
            )
        await connection.execute("analyze")
        ids = await connection.fetch(
            "select id from plans where region_id = $1 order by id", region_id
        )
        approver = await connection.fetchrow(
            "select id, employee_id from users where region_id = $1 and email = $2",
            region_id,
            email,
        )
        return ApproveData(
            email,
            [row["id"] for row in ids],
            region_id,
            approver["employee_id"],
            approver["id"],
        )
    finally:
        await connection.close()


async def _write_approval_pool(
    connection: asyncpg.Connection, region_id: uuid.UUID, email: str, periods: int
) -> None:
    async with connection.transaction():
        agency = await _agency(connection, region_id, "root", None)
        writer = _Writer(connection, region_id, "78")
        supervisor = writer.employee(agency[0], None)
        staff = [writer.employee(agency[0], supervisor) for _ in range(APPROVE_STAFF)]
        await writer.flush_employees()
        await _user(connection, region_id, email, "employee", employee_id=supervisor)
        now = datetime.now(UTC)
        plans, targets, indicators = [], [], []
        for year in range(2100 - periods + 1, 2101):
            period_id = await _period(connection, region_id, year)
            for employee_id in staff:
                plan_id, target_id = uuid.uuid4(), uuid.uuid4()
                plans.append(
                    (plan_id, region_id, period_id, employee_id, agency[0], supervisor,
                     "submitted", now)
                )  # fmt: skip
                targets.append((target_id, region_id, plan_id, "utama", f"Sasaran {year}"))
                indicators.append(
                    (uuid.uuid4(), region_id, plan_id, target_id, "kuantitas", "Dokumen",
                     Decimal(12), "dokumen")
                )  # fmt: skip
        await connection.copy_records_to_table(
            "plans",
            records=plans,
            columns=["id", "region_id", "period_id", "employee_id", "agency_id", "approver_id",
                     "status", "submitted_at"],
        )  # fmt: skip
        await connection.copy_records_to_table(
            "targets", records=targets, columns=["id", "region_id", "plan_id", "kind", "title"]
        )
        await connection.copy_records_to_table(
            "indicators",
            records=indicators,
            columns=["id", "region_id", "plan_id", "target_id", "aspect", "description",
                     "target_value", "unit"],
        )  # fmt: skip


def list_data(url: str) -> ListData:
    return asyncio.run(_list_data(url))


def approve_data(url: str, periods: int) -> ApproveData:
    return asyncio.run(_approve_data(url, periods))
