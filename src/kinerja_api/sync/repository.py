"""The statement that says which tombstones a principal may read: those of the rows they could
read before they left, decided per kind of row as its list decides."""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select, true

from kinerja_api.auth.policies import (
    agency_path_of,
    employee_visibility,
    in_region,
    subordinates_of,
)
from kinerja_api.auth.principal import Principal
from kinerja_api.models.org import Employee, Role
from kinerja_api.models.plans import Plan
from kinerja_api.models.sync import SyncEntity, Tombstone, TombstoneReason
from kinerja_api.plans.api import readable_plans


def _in_former_chain(principal: Principal) -> ColumnElement[bool]:
    """The caller was the former supervisor, or above them in the chain."""
    me = principal.employee_id
    if me is None:
        return false()
    return or_(
        Tombstone.former_supervisor_id == me,
        Tombstone.former_supervisor_id.in_(subordinates_of(me)),
    )


def _in_former_agency(principal: Principal) -> ColumnElement[bool]:
    """The caller administers the subtree the row's former agency was in."""
    if not principal.has_any(Role.AGENCY_ADMIN) or principal.agency_id is None:
        return false()
    root_path = agency_path_of(principal.agency_id).scalar_subquery()
    return Tombstone.former_agency_path.startswith(root_path, autoescape=False)


def _hidden_from(principal: Principal, still_readable: ColumnElement[bool]) -> ColumnElement[bool]:
    """A hidden row's tombstone: for its former readers, while they still may not read it (a
    row that came back into sight is served again by its list, its `updated_at` moved)."""
    return and_(
        Tombstone.reason == TombstoneReason.HIDDEN.value,
        or_(_in_former_chain(principal), _in_former_agency(principal)),
        ~still_readable,
    )


def _visible(principal: Principal, entity_type: SyncEntity) -> ColumnElement[bool]:
    match entity_type:
        case SyncEntity.TARGET | SyncEntity.INDICATOR:
            return exists().where(Plan.id == Tombstone.plan_id, readable_plans(principal))
        case SyncEntity.PLAN:
            plan = exists().where(Plan.id == Tombstone.entity_id, readable_plans(principal))
            return _hidden_from(principal, plan)
        case SyncEntity.EMPLOYEE:
            employee = exists().where(
                Employee.id == Tombstone.entity_id, employee_visibility(principal)
            )
            return _hidden_from(principal, employee)
        case SyncEntity.HOLIDAY:
            return true()


def readable(principal: Principal, entity_types: Iterable[SyncEntity]) -> Select[Any]:
    """The tombstones of `entity_types` the caller may read."""
    return select(Tombstone).where(
        in_region(principal, Tombstone.region_id),
        or_(
            false(),
            *(
                and_(Tombstone.entity_type == kind.value, _visible(principal, kind))
                for kind in entity_types
            ),
        ),
    )


def server_now() -> Select[Any]:
    return select(func.now())
