"""The statement that says which tombstones a principal may read: those of the rows they could
read before they left, decided per kind of row as its list decides."""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Delete,
    Select,
    and_,
    delete,
    exists,
    false,
    func,
    or_,
    select,
    true,
)

from kinerja_api.auth.policies import employee_visibility, in_region, subordinates_of
from kinerja_api.auth.principal import Principal
from kinerja_api.feedback.api import AGENCY_BOUND, complaint_readable, staff_scope
from kinerja_api.models.feedback import Complaint, FeedbackResponse, ServiceUnit
from kinerja_api.models.org import Agency, Employee, Role, User
from kinerja_api.models.plans import Plan
from kinerja_api.models.sync import SyncEntity, Tombstone, TombstoneReason
from kinerja_api.org.agencies.service import readable as agency_readable
from kinerja_api.org.users.service import readable as user_readable
from kinerja_api.plans.api import readable_plans

# Whose agency makes them read a row: agency administrators, and for feedback rows the
# complaint officers bound to an agency too.
_ADMINS = (Role.AGENCY_ADMIN,)


def _in_former_chain(principal: Principal) -> ColumnElement[bool]:
    """The caller was the former supervisor, or above them in the chain."""
    me = principal.employee_id
    if me is None:
        return false()
    return or_(
        Tombstone.former_supervisor_id == me,
        Tombstone.former_supervisor_id.in_(subordinates_of(me)),
    )


def _in_former_agency(principal: Principal, bound: tuple[Role, ...]) -> ColumnElement[bool]:
    """The caller is bound to an agency on the row's former agency's path: they read its former
    agency's subtree. Matched by the agency's id, so it holds after the caller's own agency has
    moved in the tree since."""
    if not principal.has_any(*bound) or principal.agency_id is None:
        return false()
    return Tombstone.former_agency_path.contains(f"/{principal.agency_id}/", autoescape=True)


def _former_reader(principal: Principal) -> ColumnElement[bool]:
    """The caller was the employee who read the row directly (assignee, approver)."""
    if principal.employee_id is None:
        return false()
    return Tombstone.former_reader_id == principal.employee_id


def _hidden_from(
    principal: Principal,
    still_readable: ColumnElement[bool],
    bound: tuple[Role, ...] = _ADMINS,
) -> ColumnElement[bool]:
    """A hidden row's tombstone: for its former readers, while they still may not read it (a
    row that came back into sight is served again by its list, its `updated_at` moved)."""
    return and_(
        Tombstone.reason == TombstoneReason.HIDDEN.value,
        or_(
            _in_former_chain(principal),
            _in_former_agency(principal, bound),
            _former_reader(principal),
        ),
        ~still_readable,
    )


def _row(model: Any, condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """The tombstone's row exists and the caller may read it."""
    return exists().where(model.id == Tombstone.entity_id, condition)


def _visible(principal: Principal, entity_type: SyncEntity) -> ColumnElement[bool]:
    match entity_type:
        case SyncEntity.TARGET | SyncEntity.INDICATOR:
            return exists().where(Plan.id == Tombstone.plan_id, readable_plans(principal))
        case SyncEntity.PLAN:
            return _hidden_from(principal, _row(Plan, readable_plans(principal)))
        case SyncEntity.EMPLOYEE:
            return _hidden_from(principal, _row(Employee, employee_visibility(principal)))
        case SyncEntity.HOLIDAY:
            return true()
        case SyncEntity.AGENCY:
            return _hidden_from(principal, _row(Agency, agency_readable(principal)))
        case SyncEntity.USER:
            return _hidden_from(principal, _row(User, user_readable(principal)))
        case SyncEntity.SERVICE_UNIT:
            unit = staff_scope(principal, ServiceUnit.region_id, ServiceUnit.agency_id)
            return _hidden_from(principal, _row(ServiceUnit, unit), AGENCY_BOUND)
        case SyncEntity.COMPLAINT:
            complaint = _row(Complaint, complaint_readable(principal))
            return _hidden_from(principal, complaint, AGENCY_BOUND)
        case SyncEntity.FEEDBACK:
            response = FeedbackResponse
            feedback = staff_scope(principal, response.region_id, response.agency_id)
            return _hidden_from(principal, _row(response, feedback), AGENCY_BOUND)


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


def expired(retention_days: int, batch: int) -> Delete:
    """Up to `batch` tombstones older than the retention window (one short transaction each)."""
    cutoff = func.now() - func.make_interval(0, 0, 0, retention_days)
    oldest = select(Tombstone.id).where(Tombstone.occurred_at < cutoff).limit(batch)
    return delete(Tombstone).where(Tombstone.id.in_(oldest))
