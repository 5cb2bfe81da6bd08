"""The organisation's demo: each region with its agency tree, employees, logins and service
account, and the superadmin. Every row is found by its natural key (region code, agency code
within its region, NIP, e-mail, client id) and inserted only when missing."""

import itertools
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.demo.data import DemoDataError, RegionSpec
from kinerja_api.demo.logins import (
    DEMO_PASSWORD,
    DemoLogin,
    region_client,
    region_logins,
    superadmin_login,
)
from kinerja_api.demo.people import RegionPlan, plan_region
from kinerja_api.demo.writing import DemoRegion, SeedReport, create, demo_hash
from kinerja_api.models.org import Agency, Employee, Region, ServiceAccount, User
from kinerja_api.org.users.service import AUDITED as USER_FIELDS

REGION_FIELDS = ("code", "name", "kind", "timezone", "active")
AGENCY_FIELDS = ("code", "name", "kind", "parent_id", "path", "active")
EMPLOYEE_FIELDS = (
    "nip",
    "employment_type",
    "name",
    "position",
    "grade",
    "agency_id",
    "supervisor_id",
    "active",
)
SERVICE_ACCOUNT_FIELDS = ("name", "client_id", "scopes", "active")


async def seed_region(
    session: AsyncSession, spec: RegionSpec, number: int, report: SeedReport
) -> DemoRegion:
    """`number` (1-based) partitions the region's NIP serials from the other regions'."""
    plan = plan_region(spec, number)
    region_id = await _ensure_region(session, spec, report)
    agencies = await _ensure_agencies(session, region_id, plan, report)
    employees = await _ensure_employees(session, region_id, agencies, plan, report)
    region = DemoRegion(spec, plan, region_id, agencies, employees)
    names = {employee.key: employee.name for employee in plan.employees}
    users = [_user_row(login, region, names) for login in region_logins(spec)]
    await _ensure_users(session, report, users)
    await _ensure_service_account(session, report, region)
    return region


async def seed_superadmin(session: AsyncSession, report: SeedReport) -> None:
    await _ensure_users(session, report, [_user_row(superadmin_login(), None, {})])


async def _ensure_region(session: AsyncSession, spec: RegionSpec, report: SeedReport) -> uuid.UUID:
    row = {
        "code": spec.code,
        "name": spec.name,
        "kind": spec.kind.value,
        "timezone": spec.timezone,
    }
    await create(session, report, Region, "region", REGION_FIELDS, [row])
    region_id = await session.scalar(select(Region.id).where(Region.code == spec.code))
    assert region_id is not None  # inserted just now, or already there
    return region_id


async def _ensure_agencies(
    session: AsyncSession, region_id: uuid.UUID, plan: RegionPlan, report: SeedReport
) -> dict[str, tuple[uuid.UUID, str]]:
    """Agency code → (id, path), parents written before their children."""
    known: dict[str, tuple[uuid.UUID, str]] = {}
    for _, level in itertools.groupby(plan.agencies, key=lambda a: a.depth):
        rows = []
        for agency in level:
            agency_id = uuid.uuid4()
            parent = known[agency.parent_code] if agency.parent_code else None
            rows.append(
                {
                    "id": agency_id,
                    "region_id": region_id,
                    "parent_id": parent[0] if parent else None,
                    "code": agency.code,
                    "name": agency.name,
                    "kind": agency.kind.value,
                    "path": f"{parent[1] if parent else '/'}{agency_id}/",
                }
            )
        await create(session, report, Agency, "agency", AGENCY_FIELDS, rows)
        found = await session.execute(
            select(Agency.code, Agency.id, Agency.path).where(
                Agency.region_id == region_id, Agency.code.in_([row["code"] for row in rows])
            )
        )
        known.update({code: (agency_id, path) for code, agency_id, path in found})
    return known


async def _ensure_employees(
    session: AsyncSession,
    region_id: uuid.UUID,
    agencies: dict[str, tuple[uuid.UUID, str]],
    plan: RegionPlan,
    report: SeedReport,
) -> dict[str, uuid.UUID]:
    """Employee key → id, supervisors written before their reports."""
    known: dict[str, uuid.UUID] = {}
    for _, level in itertools.groupby(plan.employees, key=lambda e: e.depth):
        batch = list(level)
        rows = [
            {
                "region_id": region_id,
                "agency_id": agencies[employee.agency_code][0],
                "supervisor_id": known[employee.supervisor_key]
                if employee.supervisor_key
                else None,
                "nip": employee.nip,
                "employment_type": employee.employment_type.value,
                "name": employee.name,
                "position": employee.position,
                "grade": employee.grade,
            }
            for employee in batch
        ]
        await create(session, report, Employee, "employee", EMPLOYEE_FIELDS, rows)
        found = await session.execute(
            select(Employee.nip, Employee.id, Employee.region_id).where(
                Employee.nip.in_([employee.nip for employee in batch])
            )
        )
        by_nip = {nip: (employee_id, owner) for nip, employee_id, owner in found}
        for employee in batch:
            employee_id, owner = by_nip[employee.nip]
            if owner != region_id:
                raise DemoDataError(f"NIP {employee.nip} already belongs to another region")
            known[employee.key] = employee_id
    return known


async def _ensure_users(
    session: AsyncSession, report: SeedReport, rows: list[dict[str, Any]]
) -> None:
    wanted = [row["email"].lower() for row in rows]
    existing = set(
        await session.scalars(
            select(func.lower(User.email)).where(func.lower(User.email).in_(wanted))
        )
    )
    missing = [row for row in rows if row["email"].lower() not in existing]
    for row in missing:
        row["password_hash"] = demo_hash(DEMO_PASSWORD)
    await create(session, report, User, "user", USER_FIELDS, missing)


def _user_row(login: DemoLogin, region: DemoRegion | None, names: dict[str, str]) -> dict[str, Any]:
    employee, agency = login.employee_key, login.agency_code
    return {
        "region_id": region.id if region else None,
        "email": login.email,
        "full_name": names[employee] if employee else login.full_name,
        "roles": [login.role.value],
        "employee_id": region.employees[employee] if region and employee else None,
        "agency_id": region.agencies[agency][0] if region and agency else None,
    }


async def _ensure_service_account(
    session: AsyncSession, report: SeedReport, region: DemoRegion
) -> None:
    client = region_client(region.spec)
    exists = await session.scalar(
        select(ServiceAccount.id).where(ServiceAccount.client_id == client.client_id)
    )
    if exists is not None:
        return
    row = {
        "region_id": region.id,
        "name": client.name,
        "client_id": client.client_id,
        "secret_hash": demo_hash(client.secret),
        "scopes": list(client.scopes),
    }
    await create(session, report, ServiceAccount, "service_account", SERVICE_ACCOUNT_FIELDS, [row])
