"""The statements complaints are read and written with, and the one condition that says which
complaints a principal may read (`readable`), used by get and list alike."""

import uuid
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import in_region
from kinerja_api.auth.principal import Principal
from kinerja_api.auth.tenancy import enter_all_regions, enter_region
from kinerja_api.core.listing import Subtree
from kinerja_api.feedback.scope import staff_scope
from kinerja_api.models.feedback import (
    Complaint,
    ComplaintResponse,
    ComplaintStatus,
    Holiday,
    ResponseVisibility,
    ServiceUnit,
)
from kinerja_api.models.org import Agency, Employee
from kinerja_api.org.agencies.service import in_subtree


def readable(principal: Principal) -> ColumnElement[bool]:
    """Staff in scope, and the employee a complaint is assigned to."""
    staff = staff_scope(principal, Complaint.region_id, Complaint.agency_id)
    if principal.kind != "user" or principal.employee_id is None:
        return staff
    assigned = and_(
        in_region(principal, Complaint.region_id),
        Complaint.assignee_employee_id == principal.employee_id,
    )
    return or_(staff, assigned)


def readable_complaints(principal: Principal) -> Select[Any]:
    return select(Complaint).where(readable(principal))


async def find(
    session: AsyncSession, principal: Principal, complaint_id: uuid.UUID
) -> Complaint | None:
    complaint: Complaint | None = await session.scalar(
        readable_complaints(principal).where(Complaint.id == complaint_id)
    )
    return complaint


async def under(
    session: AsyncSession, principal: Principal, root_id: uuid.UUID | None
) -> Subtree | None:
    """The list filter `?under=`: the rows stay those the caller may read, so the agency only
    has to be of their region."""
    if root_id is None:
        return None
    root_path = await session.scalar(
        select(Agency.path).where(Agency.id == root_id, in_region(principal, Agency.region_id))
    )
    return Subtree(None if root_path is None else in_subtree(Complaint.agency_id, root_path))


def overdue(is_overdue: bool) -> ColumnElement[bool]:
    late = and_(Complaint.status != ComplaintStatus.RESOLVED, Complaint.due_at < func.now())
    return late if is_overdue else ~late


async def by_tracking_code(session: AsyncSession, code: str) -> Complaint | None:
    """Looked up across regions (the code is all a citizen has); the transaction then enters
    the complaint's region."""
    await enter_all_regions(session)
    complaint: Complaint | None = await session.scalar(
        select(Complaint).where(Complaint.tracking_code == code)
    )
    await enter_region(session, complaint.region_id if complaint is not None else None)
    return complaint


async def responses_of(
    session: AsyncSession, complaint: Complaint, *, public_only: bool = False
) -> list[ComplaintResponse]:
    statement = select(ComplaintResponse).where(
        ComplaintResponse.region_id == complaint.region_id,
        ComplaintResponse.complaint_id == complaint.id,
    )
    if public_only:
        statement = statement.where(ComplaintResponse.visibility == ResponseVisibility.PUBLIC)
    rows = await session.scalars(
        statement.order_by(ComplaintResponse.created_at, ComplaintResponse.id)
    )
    return list(rows)


async def unit_name(session: AsyncSession, unit_id: uuid.UUID) -> str | None:
    name: str | None = await session.scalar(
        select(ServiceUnit.name).where(ServiceUnit.id == unit_id)
    )
    return name


async def agency_in_region(
    session: AsyncSession, region_id: uuid.UUID, agency_id: uuid.UUID
) -> bool:
    found = await session.scalar(
        select(Agency.id).where(Agency.id == agency_id, Agency.region_id == region_id)
    )
    return found is not None


async def active_employee_agency(
    session: AsyncSession, region_id: uuid.UUID, employee_id: uuid.UUID
) -> uuid.UUID | None:
    agency: uuid.UUID | None = await session.scalar(
        select(Employee.agency_id).where(
            Employee.id == employee_id, Employee.region_id == region_id, Employee.active
        )
    )
    return agency


async def holidays_between(
    session: AsyncSession, region_id: uuid.UUID, first: date, last: date
) -> set[date]:
    return set(
        await session.scalars(
            select(Holiday.date).where(
                Holiday.region_id == region_id, Holiday.date.between(first, last)
            )
        )
    )
