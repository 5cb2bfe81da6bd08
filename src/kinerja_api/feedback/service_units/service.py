import uuid
from dataclasses import asdict

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import forbidden, not_found, region_of
from kinerja_api.auth.principal import Principal
from kinerja_api.core.audit import record_entity, snapshot
from kinerja_api.core.etag import check_if_match
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import ListOf, list_page
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.core.problems import CONFLICT, Problem, field_problem
from kinerja_api.core.tombstones import service_unit_moved
from kinerja_api.feedback import public
from kinerja_api.feedback.codes import STAFF_CODE_LENGTH, UNIT_CODE_LENGTH, insert_with_code
from kinerja_api.feedback.scope import manages, staff_scope
from kinerja_api.feedback.service_units.schemas import (
    PublicServiceUnitOut,
    PublicStaffOut,
    ServiceUnitCreate,
    ServiceUnitFilters,
    ServiceUnitSort,
    ServiceUnitUpdate,
    StaffCreate,
)
from kinerja_api.models.feedback import ServiceUnit, ServiceUnitStaff
from kinerja_api.models.org import Agency, Employee

AUDITED = ("agency_id", "code", "name", "address", "active")
STAFF_AUDITED = ("service_unit_id", "employee_id", "code", "label", "active")
STAFF_INDEX = "uq_service_unit_staff_region_id_service_unit_id_employee_id"
CODE_INDEXES = ("uq_service_units_code", "uq_service_unit_staff_code")
_AGENCY_UNKNOWN = Msg(
    "Unit kerja tidak ditemukan atau di luar wewenang Anda.",
    "The agency does not exist or is outside what you manage.",
)
_EMPLOYEE_UNKNOWN = Msg(
    "Pegawai tidak ditemukan di wilayah Anda.", "The employee does not exist in your region."
)
_ALREADY_STAFF = Msg(
    "Pegawai ini sudah terdaftar sebagai petugas unit layanan ini.",
    "This employee already serves at this service unit.",
)
_LIST = ListOf(
    "service-units",
    {
        ServiceUnitSort.NAME: Keyset((ServiceUnit.name, ServiceUnit.id)),
        ServiceUnitSort.UPDATED_AT: Keyset((ServiceUnit.updated_at, ServiceUnit.id)),
    },
)
_STAFF = ListOf(
    "service-unit-staff", {"created_at": Keyset((ServiceUnitStaff.created_at, ServiceUnitStaff.id))}
)


async def list_units(
    session: AsyncSession,
    principal: Principal,
    *,
    filters: ServiceUnitFilters,
    sort: ServiceUnitSort,
    page: PageParams,
) -> tuple[list[ServiceUnit], str | None]:
    return await list_page(
        session,
        select(ServiceUnit).where(
            staff_scope(principal, ServiceUnit.region_id, ServiceUnit.agency_id)
        ),
        _LIST,
        sort,
        cursor_filters=asdict(filters),
        page=page,
        equal={ServiceUnit.agency_id: filters.agency_id, ServiceUnit.active: filters.active},
        where=[
            None if filters.q is None else ServiceUnit.name.icontains(filters.q, autoescape=True)
        ],
        updated_at=ServiceUnit.updated_at,
        updated_since=filters.updated_since,
    )


async def get_unit(session: AsyncSession, principal: Principal, unit_id: uuid.UUID) -> ServiceUnit:
    unit: ServiceUnit | None = await session.scalar(
        select(ServiceUnit).where(
            ServiceUnit.id == unit_id,
            staff_scope(principal, ServiceUnit.region_id, ServiceUnit.agency_id),
        )
    )
    if unit is None:
        raise not_found("Service unit")
    return unit


async def _writable_unit(
    session: AsyncSession, principal: Principal, unit_id: uuid.UUID
) -> ServiceUnit:
    unit: ServiceUnit | None = await session.scalar(
        select(ServiceUnit).where(
            ServiceUnit.id == unit_id,
            manages(principal, ServiceUnit.region_id, ServiceUnit.agency_id),
        )
    )
    if unit is not None:
        return unit
    await get_unit(session, principal, unit_id)
    raise forbidden("Service unit")


async def _require_agency(
    session: AsyncSession, principal: Principal, agency_id: uuid.UUID
) -> None:
    found = await session.scalar(
        select(Agency.id).where(
            Agency.id == agency_id, manages(principal, Agency.region_id, Agency.id)
        )
    )
    if found is None:
        raise field_problem("body.agency_id", _AGENCY_UNKNOWN, code="not_found")


async def create_unit(
    session: AsyncSession, principal: Principal, data: ServiceUnitCreate
) -> ServiceUnit:
    region_id = region_of(principal)
    await _require_agency(session, principal, data.agency_id)
    unit = ServiceUnit(region_id=region_id, **data.model_dump())
    await insert_with_code(session, unit, UNIT_CODE_LENGTH, CODE_INDEXES)
    await record_entity(session, principal, "service_unit", "created", unit, AUDITED)
    return unit


async def update_unit(
    session: AsyncSession,
    principal: Principal,
    unit_id: uuid.UUID,
    data: ServiceUnitUpdate,
    if_match: str | None,
) -> ServiceUnit:
    unit = await _writable_unit(session, principal, unit_id)
    check_if_match(if_match, unit.version)
    changes = data.changes()
    if "agency_id" in changes:
        await _require_agency(session, principal, changes["agency_id"])
    before = snapshot(unit, AUDITED)
    former_agency_id = unit.agency_id
    for field, value in changes.items():
        setattr(unit, field, value)
    await session.flush()
    if unit.agency_id != former_agency_id:
        await service_unit_moved(
            session, region_id=unit.region_id, unit_id=unit.id, former_agency_id=former_agency_id
        )
    await record_entity(session, principal, "service_unit", "updated", unit, AUDITED, before=before)
    return unit


async def list_staff(
    session: AsyncSession,
    principal: Principal,
    unit_id: uuid.UUID,
    *,
    page: PageParams,
) -> tuple[list[ServiceUnitStaff], str | None]:
    unit = await get_unit(session, principal, unit_id)
    return await list_page(
        session,
        select(ServiceUnitStaff).where(
            ServiceUnitStaff.region_id == unit.region_id,
            ServiceUnitStaff.service_unit_id == unit.id,
        ),
        _STAFF,
        "created_at",
        cursor_filters={"unit": unit.id},
        page=page,
    )


async def add_staff(
    session: AsyncSession, principal: Principal, unit_id: uuid.UUID, data: StaffCreate
) -> ServiceUnitStaff:
    unit = await _writable_unit(session, principal, unit_id)
    employee = await session.scalar(
        select(Employee.id).where(
            Employee.id == data.employee_id, Employee.region_id == unit.region_id
        )
    )
    if employee is None:
        raise field_problem("body.employee_id", _EMPLOYEE_UNKNOWN, code="not_found")
    staff = ServiceUnitStaff(
        region_id=unit.region_id,
        service_unit_id=unit.id,
        employee_id=data.employee_id,
        label=data.label,
    )
    try:
        await insert_with_code(session, staff, STAFF_CODE_LENGTH, CODE_INDEXES)
    except IntegrityError as exc:
        if STAFF_INDEX in str(exc.orig):
            raise Problem(CONFLICT, _ALREADY_STAFF) from exc
        raise
    await record_entity(session, principal, "service_unit_staff", "created", staff, STAFF_AUDITED)
    return staff


async def deactivate_staff(
    session: AsyncSession, principal: Principal, unit_id: uuid.UUID, staff_id: uuid.UUID
) -> None:
    """The code stops being offered and accepted; past feedback keeps its link."""
    unit = await _writable_unit(session, principal, unit_id)
    staff: ServiceUnitStaff | None = await session.scalar(
        select(ServiceUnitStaff).where(
            ServiceUnitStaff.id == staff_id,
            ServiceUnitStaff.region_id == unit.region_id,
            ServiceUnitStaff.service_unit_id == unit.id,
        )
    )
    if staff is None:
        raise not_found("Staff")
    if not staff.active:
        return
    before = snapshot(staff, STAFF_AUDITED)
    staff.active = False
    await session.flush()
    await record_entity(
        session, principal, "service_unit_staff", "deactivated", staff, STAFF_AUDITED, before=before
    )


async def public_unit(session: AsyncSession, code: str) -> PublicServiceUnitOut:
    unit = await public.active_unit(session, code)
    if unit is None:
        raise not_found("Service unit")
    agency_name = await session.scalar(select(Agency.name).where(Agency.id == unit.agency_id))
    staff = await session.execute(
        select(ServiceUnitStaff.code, ServiceUnitStaff.label)
        .where(
            ServiceUnitStaff.region_id == unit.region_id,
            ServiceUnitStaff.service_unit_id == unit.id,
            ServiceUnitStaff.active,
        )
        .order_by(ServiceUnitStaff.label, ServiceUnitStaff.code)
    )
    return PublicServiceUnitOut(
        code=unit.code,
        name=unit.name,
        agency_name=agency_name or "",
        address=unit.address,
        staff=[PublicStaffOut(code=code, label=label) for code, label in staff.all()],
    )
