import uuid
from collections.abc import Sequence
from dataclasses import asdict

from sqlalchemy import ColumnElement, and_, literal_column, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from kinerja_api.auth.policies import (
    agency_in_subtree,
    employee_visibility,
    forbidden,
    is_supervisor_of,
    not_found,
    region_of,
)
from kinerja_api.auth.principal import Principal
from kinerja_api.core.audit import record_entity, snapshot
from kinerja_api.core.clock import region_today
from kinerja_api.core.etag import check_if_match
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import ListOf, ListQuery, list_query, page_of
from kinerja_api.core.pagination import Keyset, PageParams, fetch_page, list_scope
from kinerja_api.core.problems import CONFLICT, Problem, field_problem
from kinerja_api.core.tombstones import agency_changed, supervisor_changed
from kinerja_api.models.org import Employee
from kinerja_api.org.agencies import service as agencies
from kinerja_api.org.employees.nip import nip_error
from kinerja_api.org.employees.schemas import (
    EmployeeCreate,
    EmployeeFilters,
    EmployeeOut,
    EmployeeSort,
    EmployeeUpdate,
)

AUDITED = (
    "nip",
    "employment_type",
    "name",
    "title_prefix",
    "title_suffix",
    "position",
    "position_since",
    "grade",
    "grade_since",
    "email",
    "agency_id",
    "supervisor_id",
    "active",
)
NIP_CONSTRAINT = "uq_employees_nip"
_NIP_TAKEN = Msg("NIP {nip} sudah terdaftar.", "NIP {nip} is already registered.")
_AGENCY_UNKNOWN = Msg(
    "Unit kerja tidak ditemukan atau di luar wewenang Anda.",
    "The agency does not exist or is outside what you manage.",
)
_SUPERVISOR_UNKNOWN = Msg(
    "Atasan tidak ditemukan di wilayah Anda.", "The supervisor does not exist in your region."
)
_SUPERVISOR_CYCLE = Msg(
    "Atasan tidak boleh pegawai itu sendiri atau salah satu bawahannya.",
    "The supervisor cannot be the employee or one of their subordinates.",
)
_LIST = ListOf(
    "employees",
    {
        EmployeeSort.NAME: Keyset((Employee.name, Employee.id)),
        EmployeeSort.UPDATED_AT: Keyset((Employee.updated_at, Employee.id)),
    },
)


def writable(principal: Principal) -> ColumnElement[bool]:
    # region_of() refuses principals without a region, so superadmins never write here.
    region = Employee.region_id == region_of(principal)
    if agencies.manages_whole_region(principal):
        return region
    return and_(region, agency_in_subtree(principal, Employee.agency_id))


async def employees_query(
    session: AsyncSession, principal: Principal, filters: EmployeeFilters, sort: EmployeeSort
) -> ListQuery:
    """The employees the caller may see, as the filters narrow them (pages and CSV alike)."""
    return list_query(
        select(Employee).where(employee_visibility(principal)),
        _LIST,
        sort,
        cursor_filters=asdict(filters),
        equal={
            Employee.agency_id: filters.agency_id,
            Employee.supervisor_id: filters.supervisor_id,
            Employee.employment_type: filters.employment_type,
            Employee.active: filters.active,
        },
        where=[None if filters.q is None else _name_or_nip(filters.q)],
        subtree=agencies.subtree(principal, filters.under, Employee.agency_id),
        updated_at=Employee.updated_at,
        updated_since=filters.updated_since,
    )


async def employee_views(
    _session: AsyncSession, _principal: Principal, employees: Sequence[Employee]
) -> list[EmployeeOut]:
    return [EmployeeOut.model_validate(employee) for employee in employees]


async def list_employees(
    session: AsyncSession,
    principal: Principal,
    *,
    filters: EmployeeFilters,
    sort: EmployeeSort,
    page: PageParams,
) -> tuple[list[EmployeeOut], str | None]:
    query = await employees_query(session, principal, filters, sort)
    employees, cursor = await page_of(session, query, page)
    return await employee_views(session, principal, employees), cursor


def _name_or_nip(q: str) -> ColumnElement[bool]:
    return or_(
        Employee.name.icontains(q, autoescape=True), Employee.nip.startswith(q, autoescape=True)
    )


async def get_employee(
    session: AsyncSession, principal: Principal, employee_id: uuid.UUID
) -> Employee:
    employee: Employee | None = await session.scalar(
        select(Employee).where(Employee.id == employee_id, employee_visibility(principal))
    )
    if employee is None:
        raise not_found("Employee")
    return employee


async def list_subordinates(
    session: AsyncSession,
    principal: Principal,
    employee_id: uuid.UUID,
    *,
    depth: int,
    page: PageParams,
) -> tuple[list[tuple[Employee, int]], str | None]:
    """Reports of a visible employee down to `depth` levels, nearest first; only those the
    caller may see themselves are listed."""
    employee = await get_employee(session, principal, employee_id)
    chain = (
        select(Employee.id.label("id"), literal_column("1").label("depth"))
        .where(Employee.supervisor_id == employee.id)
        .cte("subordinate_chain", recursive=True)
    )
    below = aliased(Employee)
    chain = chain.union_all(
        select(below.id, chain.c.depth + literal_column("1")).where(
            below.supervisor_id == chain.c.id, chain.c.depth < depth
        )
    )
    statement = (
        select(Employee, chain.c.depth)
        .join(chain, chain.c.id == Employee.id)
        .where(employee_visibility(principal))
    )
    rows, cursor = await fetch_page(
        session,
        statement,
        keyset=Keyset((chain.c.depth, Employee.name, Employee.id)),
        key_of=lambda row: (row[1], row[0].name, row[0].id),
        params=page,
        scope=list_scope("employee-subordinates", "depth", {"id": employee_id, "depth": depth}),
    )
    return [(row[0], row[1]) for row in rows], cursor


async def _require_agency(
    session: AsyncSession, principal: Principal, agency_id: uuid.UUID
) -> None:
    if await agencies.writable_agency(session, principal, agency_id) is None:
        raise field_problem("body.agency_id", _AGENCY_UNKNOWN, code="not_found")


async def _require_supervisor(
    session: AsyncSession,
    region_id: uuid.UUID,
    supervisor_id: uuid.UUID,
    employee_id: uuid.UUID | None,
) -> None:
    found = await session.scalar(
        select(Employee.id).where(Employee.id == supervisor_id, Employee.region_id == region_id)
    )
    if found is None:
        raise field_problem("body.supervisor_id", _SUPERVISOR_UNKNOWN, code="not_found")
    if employee_id is not None and (
        supervisor_id == employee_id or await is_supervisor_of(session, employee_id, supervisor_id)
    ):
        raise field_problem("body.supervisor_id", _SUPERVISOR_CYCLE, code="cycle")


async def _lock_chain(session: AsyncSession, region_id: uuid.UUID) -> None:
    """Serializes supervisor changes in a region: two concurrent changes could each pass the
    cycle check and together close a loop."""
    await session.execute(
        text("select pg_advisory_xact_lock(hashtextextended(:k, 0))"),
        {"k": f"employee-chain|{region_id}"},
    )


async def _flush(session: AsyncSession, nip: str) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:
        if NIP_CONSTRAINT in str(exc.orig):
            raise Problem(CONFLICT, _NIP_TAKEN, params={"nip": nip}) from exc
        raise


async def create_employee(
    session: AsyncSession, principal: Principal, data: EmployeeCreate
) -> Employee:
    region_id = region_of(principal)
    today = await region_today(session, region_id)
    error = nip_error(data.nip, data.employment_type, today)
    if error is not None:
        raise field_problem("body.nip", error)
    await _require_agency(session, principal, data.agency_id)
    if data.supervisor_id is not None:
        await _require_supervisor(session, region_id, data.supervisor_id, None)
    employee = Employee(region_id=region_id, **data.model_dump())
    session.add(employee)
    await _flush(session, data.nip)
    await record_entity(session, principal, "employee", "created", employee, AUDITED)
    return employee


async def _writable_employee(
    session: AsyncSession, principal: Principal, employee_id: uuid.UUID
) -> Employee:
    employee: Employee | None = await session.scalar(
        select(Employee).where(Employee.id == employee_id, writable(principal))
    )
    if employee is not None:
        return employee
    visible = await session.scalar(
        select(Employee.id).where(Employee.id == employee_id, employee_visibility(principal))
    )
    raise forbidden("Employee") if visible is not None else not_found("Employee")


async def update_employee(
    session: AsyncSession,
    principal: Principal,
    employee_id: uuid.UUID,
    data: EmployeeUpdate,
    if_match: str | None,
) -> Employee:
    changes = data.changes()
    supervisor_id: uuid.UUID | None = changes.get("supervisor_id")
    if supervisor_id is not None:
        await _lock_chain(session, region_of(principal))
    employee = await _writable_employee(session, principal, employee_id)
    check_if_match(if_match, employee.version)
    if "agency_id" in changes:
        await _require_agency(session, principal, changes["agency_id"])
    if supervisor_id is not None:
        await _require_supervisor(session, employee.region_id, supervisor_id, employee.id)
    before = snapshot(employee, AUDITED)
    former_supervisor_id, former_agency_id = employee.supervisor_id, employee.agency_id
    for field, value in changes.items():
        setattr(employee, field, value)
    await session.flush()
    if employee.supervisor_id != former_supervisor_id:
        await supervisor_changed(
            session,
            region_id=employee.region_id,
            employee_id=employee.id,
            former_supervisor_id=former_supervisor_id,
        )
    if employee.agency_id != former_agency_id:
        await agency_changed(
            session,
            region_id=employee.region_id,
            employee_id=employee.id,
            former_agency_id=former_agency_id,
        )
    await record_entity(session, principal, "employee", "updated", employee, AUDITED, before=before)
    return employee
