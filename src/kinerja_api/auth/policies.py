"""Object-level access: which rows a principal may see or change.

Services call these before returning or mutating an object; anything the caller may not see
is answered as if it did not exist (404), never 403, so ids of other tenants leak nothing.
"""

import uuid
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    and_,
    exists,
    false,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from kinerja_api.auth.principal import Principal
from kinerja_api.core.i18n import Msg
from kinerja_api.core.problems import FORBIDDEN, NOT_FOUND, Problem
from kinerja_api.models.org import Agency, Employee, Role

REGION_WIDE_READERS = (Role.REGION_ADMIN, Role.AUDITOR)
_NOT_FOUND = Msg("{entity} tidak ditemukan.", "{entity} not found.")
_NOT_ALLOWED = Msg(
    "Anda tidak berwenang melakukan tindakan ini pada {entity}.",
    "You are not allowed to do this to {entity}.",
)


def not_found(entity: str) -> Problem:
    return Problem(NOT_FOUND, _NOT_FOUND, params={"entity": entity})


def forbidden(entity: str) -> Problem:
    return Problem(FORBIDDEN, _NOT_ALLOWED, params={"entity": entity})


def in_region(principal: Principal, region_column: SQLColumnExpression[Any]) -> ColumnElement[bool]:
    """The tenant filter every query carries (row-level security repeats it in PostgreSQL)."""
    if principal.is_superadmin:
        return true()
    if principal.region_id is None:
        return false()
    return region_column == principal.region_id


def region_of(principal: Principal, requested: uuid.UUID | None = None) -> uuid.UUID:
    """The region a write acts in: the caller's own (superadmins must name one)."""
    if principal.region_id is not None:
        return principal.region_id
    if requested is None:
        raise not_found("Region")
    return requested


def agency_path_of(agency_id: uuid.UUID) -> Select[Any]:
    return select(Agency.path).where(Agency.id == agency_id)


def agency_in_subtree(
    principal: Principal, agency_column: SQLColumnExpression[Any]
) -> ColumnElement[bool]:
    """True for agencies inside the agency admin's subtree (including their own agency)."""
    if principal.agency_id is None:
        return false()
    root_path = agency_path_of(principal.agency_id).scalar_subquery()
    subtree = aliased(Agency)
    return exists(
        select(literal(1)).where(
            subtree.id == agency_column, subtree.path.startswith(root_path, autoescape=False)
        )
    )


def subordinates_of(
    employee_id: uuid.UUID | ColumnElement[uuid.UUID],
) -> Select[tuple[uuid.UUID]]:
    """Ids of everyone below `employee_id` (a value, or a bound parameter of a statement built
    once) in the supervisor chain (transitively)."""
    chain = select(Employee.id).where(Employee.supervisor_id == employee_id).cte(recursive=True)
    below = aliased(Employee)
    chain = chain.union(select(below.id).where(below.supervisor_id == chain.c.id))
    return select(chain.c.id)


def employee_visibility(principal: Principal) -> ColumnElement[bool]:
    """Which employees a principal may read: region-wide roles all of their region; agency
    admins their subtree; everyone themselves and their reports, transitively."""
    if principal.is_superadmin or principal.has_any(*REGION_WIDE_READERS):
        return in_region(principal, Employee.region_id)
    if principal.kind == "service_account":
        return (
            in_region(principal, Employee.region_id) if "org:read" in principal.scopes else false()
        )
    conditions: list[ColumnElement[bool]] = []
    if principal.has_any(Role.AGENCY_ADMIN):
        conditions.append(agency_in_subtree(principal, Employee.agency_id))
    if principal.employee_id is not None:
        conditions.append(Employee.id == principal.employee_id)
        conditions.append(Employee.id.in_(subordinates_of(principal.employee_id)))
    if not conditions:
        return false()
    return and_(in_region(principal, Employee.region_id), or_(*conditions))


async def is_supervisor_of(
    session: AsyncSession, supervisor_id: uuid.UUID, employee_id: uuid.UUID
) -> bool:
    """True when `supervisor_id` is above `employee_id` in the chain."""
    below = subordinates_of(supervisor_id).subquery()
    return bool(await session.scalar(select(exists().where(below.c.id == employee_id))))


def employee_visible(
    principal: Principal, employee_column: SQLColumnExpression[Any]
) -> ColumnElement[bool]:
    """True when the employee in `employee_column` is one the principal may read: for rows that
    belong to an employee (plans, progress reports), whose readers are the employee's."""
    return exists(
        select(literal(1)).where(Employee.id == employee_column, employee_visibility(principal))
    )
