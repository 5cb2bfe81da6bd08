"""Whose ledger a principal reads: the region's training and region administrators, auditors
and superadmins every employee's; agency administrators their subtree's; everyone their own and
their reports' (transitively); service accounts with `training:read` the region's. The year's
entries of one employee, and a page of an agency subtree's yearly totals in one statement."""

import uuid
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    false,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import agency_in_subtree, subordinates_of
from kinerja_api.auth.principal import Principal
from kinerja_api.models.org import Employee, Region, Role
from kinerja_api.models.training import (
    JpLedgerEntry,
    TrainingEnrollment,
    TrainingProgram,
)
from kinerja_api.training.jp import MINIMUM_BY_EMPLOYMENT
from kinerja_api.training.programs.repository import READ_SCOPE

REGION_WIDE = (Role.REGION_ADMIN, Role.TRAINING_ADMIN, Role.AUDITOR)
RECORDERS = (Role.TRAINING_ADMIN, Role.REGION_ADMIN)


def readable(principal: Principal) -> ColumnElement[bool]:
    """Employees whose ledger the principal reads."""
    if principal.is_superadmin:
        return true()
    if principal.region_id is None:
        return false()
    region = Employee.region_id == principal.region_id
    if principal.kind == "service_account":
        return region if READ_SCOPE in principal.scopes else false()
    if principal.has_any(*REGION_WIDE):
        return region
    conditions: list[ColumnElement[bool]] = []
    if principal.has_any(Role.AGENCY_ADMIN):
        conditions.append(agency_in_subtree(principal, Employee.agency_id))
    if principal.employee_id is not None:
        conditions.append(Employee.id == principal.employee_id)
        conditions.append(Employee.id.in_(subordinates_of(principal.employee_id)))
    if not conditions:
        return false()
    return and_(region, or_(*conditions))


def reporting(principal: Principal) -> ColumnElement[bool]:
    """Employees a principal reads in the compliance report: region-wide readers the region;
    agency administrators their subtree (not their own reports elsewhere: it is an agency's
    report)."""
    if principal.is_superadmin:
        return true()
    if principal.region_id is None or principal.kind != "user":
        return false()
    region = Employee.region_id == principal.region_id
    if principal.has_any(*REGION_WIDE):
        return region
    if principal.has_any(Role.AGENCY_ADMIN):
        return and_(region, agency_in_subtree(principal, Employee.agency_id))
    return false()


def recording(principal: Principal) -> ColumnElement[bool]:
    """Employees for whom the principal records external JP: the region's, for its training
    and region administrators."""
    if principal.kind != "user" or principal.region_id is None:
        return false()
    if not principal.has_any(*RECORDERS):
        return false()
    return Employee.region_id == principal.region_id


async def find_employee(
    session: AsyncSession, principal: Principal, employee_id: uuid.UUID, condition: Any
) -> Any | None:
    """The employee (id, region, agency, employment type) with the region's zone, when
    `condition` lets the principal see them."""
    row = (
        await session.execute(
            select(
                Employee.id,
                Employee.region_id,
                Employee.agency_id,
                Employee.employment_type,
                Region.timezone,
            )
            .join(Region, Region.id == Employee.region_id)
            .where(Employee.id == employee_id, condition)
        )
    ).one_or_none()
    return row


async def year_entries(
    session: AsyncSession, region_id: uuid.UUID, employee_id: uuid.UUID, year: int
) -> list[Any]:
    """The employee's ledger entries of the year, with the training behind each completed
    enrollment, in the order they ended."""
    rows = await session.execute(
        select(
            JpLedgerEntry.id,
            JpLedgerEntry.source,
            JpLedgerEntry.activity,
            JpLedgerEntry.jp,
            JpLedgerEntry.completed_on,
            JpLedgerEntry.enrollment_id,
            JpLedgerEntry.evidence,
            TrainingEnrollment.session_id,
            TrainingEnrollment.program_id,
            TrainingProgram.kind.label("program_kind"),
            TrainingProgram.competency_area,
        )
        .outerjoin(
            TrainingEnrollment,
            and_(
                TrainingEnrollment.region_id == JpLedgerEntry.region_id,
                TrainingEnrollment.id == JpLedgerEntry.enrollment_id,
            ),
        )
        .outerjoin(TrainingProgram, TrainingProgram.id == TrainingEnrollment.program_id)
        .where(
            JpLedgerEntry.region_id == region_id,
            JpLedgerEntry.employee_id == employee_id,
            JpLedgerEntry.year == year,
        )
        .order_by(JpLedgerEntry.completed_on, JpLedgerEntry.created_at, JpLedgerEntry.id)
    )
    return list(rows)


def total_of(year: int) -> ColumnElement[Any]:
    """The employee's (the outer statement's `Employee`) JP of the year, read through the
    ledger's (region, employee, year) index for each employee of the page only."""
    return cast(
        ColumnElement[Any],
        select(func.coalesce(func.sum(JpLedgerEntry.jp), 0))
        .where(
            JpLedgerEntry.region_id == Employee.region_id,
            JpLedgerEntry.employee_id == Employee.id,
            JpLedgerEntry.year == year,
        )
        .correlate(Employee)
        .scalar_subquery(),
    )


def compliance_rows(principal: Principal, year: int) -> Select[Any]:
    """Active employees the principal reports on, each with the year's JP: one statement a
    page."""
    total = total_of(year).label("total_jp")
    return select(
        Employee.id,
        Employee.name,
        Employee.nip,
        Employee.agency_id,
        Employee.employment_type,
        total,
    ).where(Employee.active, reporting(principal))


def short_of_minimum(year: int) -> ColumnElement[bool]:
    """Employees below the yearly minimum of their employment type (none for PPPK)."""
    below = [
        and_(Employee.employment_type == str(kind), total_of(year) < literal(int(minimum)))
        for kind, minimum in MINIMUM_BY_EMPLOYMENT.items()
        if minimum is not None
    ]
    return or_(*below) if below else false()
