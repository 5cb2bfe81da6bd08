"""Who may read what the evaluations say about an employee: their 360° results, the follow-up of
their rating and their development plan. Region-wide readers (region administrators, auditors,
superadmins) read the region's; agency administrators their subtree's (by the employee's
agency); employees their own, their reports' (transitively) and those they rate; service
accounts the region's when they hold `evaluations:read`."""

from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, false, or_

from kinerja_api.auth.policies import (
    REGION_WIDE_READERS,
    agency_in_subtree,
    in_region,
    subordinates_of,
)
from kinerja_api.auth.principal import Principal
from kinerja_api.models.org import Role

READ_SCOPE = "evaluations:read"
# People who may call the read routes; the rows each sees are decided by `evaluated_readable`.
READER_ROLES = (
    Role.SUPERADMIN,
    Role.REGION_ADMIN,
    Role.AGENCY_ADMIN,
    Role.AUDITOR,
    Role.EMPLOYEE,
)


def evaluated_readable(
    principal: Principal,
    *,
    region: SQLColumnExpression[Any],
    employee: SQLColumnExpression[Any],
    agency: SQLColumnExpression[Any],
    rater: SQLColumnExpression[Any] | None = None,
) -> ColumnElement[bool]:
    """Rows about the employee in `employee` (of the agency in `agency`) that the principal may
    read; `rater` names who rated them, when the row has one."""
    if principal.is_superadmin or principal.has_any(*REGION_WIDE_READERS):
        return in_region(principal, region)
    if principal.kind == "service_account":
        return in_region(principal, region) if READ_SCOPE in principal.scopes else false()
    conditions: list[ColumnElement[bool]] = []
    if principal.has_any(Role.AGENCY_ADMIN):
        conditions.append(agency_in_subtree(principal, agency))
    if principal.employee_id is not None:
        conditions.append(employee == principal.employee_id)
        conditions.append(employee.in_(subordinates_of(principal.employee_id)))
        if rater is not None:
            conditions.append(rater == principal.employee_id)
    if not conditions:
        return false()
    return and_(in_region(principal, region), or_(*conditions))
