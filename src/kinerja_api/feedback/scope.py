"""Who among staff sees which feedback rows: superadmins every region's (they read everything;
the sign-in path that lets them cross regions audits every request), region-wide roles their
region, agency-bound administrators and complaint officers their agency subtree."""

from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, false, true

from kinerja_api.auth.policies import agency_in_subtree, in_region
from kinerja_api.auth.principal import Principal
from kinerja_api.models.org import Role

REGION_WIDE = (Role.REGION_ADMIN, Role.AUDITOR)
AGENCY_BOUND = (Role.AGENCY_ADMIN, Role.COMPLAINT_OFFICER)
# Who reads the staff's lists: service units and survey responses; complaints also the
# employees they are assigned to.
STAFF_READERS = (
    Role.SUPERADMIN,
    Role.REGION_ADMIN,
    Role.AGENCY_ADMIN,
    Role.COMPLAINT_OFFICER,
    Role.AUDITOR,
)
COMPLAINT_READERS = (*STAFF_READERS, Role.EMPLOYEE)


def covers_region(principal: Principal) -> bool:
    """Region administrators and auditors, and complaint officers bound to no agency."""
    if principal.has_any(*REGION_WIDE):
        return True
    return principal.has_any(Role.COMPLAINT_OFFICER) and principal.agency_id is None


def staff_scope(
    principal: Principal,
    region_column: SQLColumnExpression[Any],
    agency_column: SQLColumnExpression[Any],
) -> ColumnElement[bool]:
    if principal.kind == "user" and principal.is_superadmin:
        return true()
    if principal.kind != "user" or principal.region_id is None:
        return false()
    region = in_region(principal, region_column)
    if covers_region(principal):
        return region
    if principal.has_any(*AGENCY_BOUND):
        return and_(region, agency_in_subtree(principal, agency_column))
    return false()


def manages(
    principal: Principal,
    region_column: SQLColumnExpression[Any],
    agency_column: SQLColumnExpression[Any],
) -> ColumnElement[bool]:
    """Service units a principal may change: region administrators their region, agency
    administrators their subtree."""
    if principal.kind != "user" or principal.region_id is None:
        return false()
    region = in_region(principal, region_column)
    if principal.has_any(Role.REGION_ADMIN):
        return region
    if principal.has_any(Role.AGENCY_ADMIN):
        return and_(region, agency_in_subtree(principal, agency_column))
    return false()
