"""Which enrollments a principal reads: the region's training and region administrators and
auditors all of the region's; agency administrators their subtree's; everyone their own and
their reports' (transitively). What an enrollment request is decided on, and a session's
cancellation in one statement."""

import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Row,
    Select,
    Table,
    Uuid,
    and_,
    bindparam,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy import any_ as any_of
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from kinerja_api.auth.policies import agency_in_subtree, subordinates_of
from kinerja_api.auth.principal import Principal
from kinerja_api.models.org import Agency, Employee, Role
from kinerja_api.models.training import EnrollmentStatus, TrainingEnrollment, TrainingSession
from kinerja_api.training.programs.repository import READ_SCOPE

REGION_WIDE = (Role.REGION_ADMIN, Role.TRAINING_ADMIN, Role.AUDITOR)
ORGANISERS = (Role.REGION_ADMIN, Role.TRAINING_ADMIN)
HOLDING = (EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITLISTED)
ENROLLMENTS = cast(Table, TrainingEnrollment.__table__)


def readable(principal: Principal) -> ColumnElement[bool]:
    if principal.is_superadmin:
        return true()
    if principal.region_id is None:
        return false()
    region = TrainingEnrollment.region_id == principal.region_id
    if principal.kind == "service_account":
        return region if READ_SCOPE in principal.scopes else false()
    if principal.has_any(*REGION_WIDE):
        return region
    conditions: list[ColumnElement[bool]] = []
    if principal.has_any(Role.AGENCY_ADMIN):
        conditions.append(agency_in_subtree(principal, TrainingEnrollment.agency_id))
    if principal.employee_id is not None:
        conditions.append(TrainingEnrollment.employee_id == principal.employee_id)
        conditions.append(
            TrainingEnrollment.employee_id.in_(subordinates_of(principal.employee_id))
        )
    if not conditions:
        return false()
    return and_(region, or_(*conditions))


def cancellable(principal: Principal) -> ColumnElement[bool]:
    """The participant, their supervisors (transitively) and the region's organisers."""
    if principal.kind != "user" or principal.region_id is None:
        return false()
    region = TrainingEnrollment.region_id == principal.region_id
    if principal.has_any(*ORGANISERS):
        return region
    if principal.employee_id is None:
        return false()
    return and_(
        region,
        or_(
            TrainingEnrollment.employee_id == principal.employee_id,
            TrainingEnrollment.employee_id.in_(subordinates_of(principal.employee_id)),
        ),
    )


def readable_enrollments(principal: Principal) -> Select[Any]:
    return select(TrainingEnrollment).where(readable(principal))


async def find(
    session: AsyncSession, principal: Principal, enrollment_id: uuid.UUID
) -> TrainingEnrollment | None:
    found: TrainingEnrollment | None = await session.scalar(
        select(TrainingEnrollment).where(
            TrainingEnrollment.id == enrollment_id, readable(principal)
        )
    )
    return found


async def may_cancel(session: AsyncSession, principal: Principal, enrollment_id: uuid.UUID) -> bool:
    found = await session.scalar(
        select(TrainingEnrollment.id).where(
            TrainingEnrollment.id == enrollment_id, cancellable(principal)
        )
    )
    return found is not None


async def lock(session: AsyncSession, enrollment_id: uuid.UUID) -> TrainingEnrollment | None:
    found: TrainingEnrollment | None = await session.scalar(
        select(TrainingEnrollment)
        .where(TrainingEnrollment.id == enrollment_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return found


def _facts_statement(*, nominated_by_supervisor: bool) -> Select[Any]:
    """What an enrollment request is decided on, read once the session's lock is held (in a
    statement of its own, so that under READ COMMITTED it sees every enrollment committed
    before the lock was granted): the employee (active, of the session's region), whether
    their agency and employment type are eligible, their enrollment of the session not
    cancelled (if any), and whether the nominating supervisor is above them in the chain.
    Built once per shape with bound parameters: building it costs far more than running it."""
    session_id = bindparam("session_id", type_=Uuid)
    employee_id = bindparam("employee_id", type_=Uuid)
    root = aliased(Agency)
    agency_ok = or_(
        func.cardinality(TrainingSession.eligible_agency_ids) == 0,
        exists(
            select(literal(1)).where(
                root.id == any_of(TrainingSession.eligible_agency_ids),
                root.region_id == TrainingSession.region_id,
                Agency.path.startswith(root.path, autoescape=False),
            )
        ),
    )
    type_ok = or_(
        func.cardinality(TrainingSession.eligible_employment_types) == 0,
        Employee.employment_type == any_of(TrainingSession.eligible_employment_types),
    )
    held = (
        select(TrainingEnrollment.id)
        .where(
            TrainingEnrollment.region_id == TrainingSession.region_id,
            TrainingEnrollment.session_id == TrainingSession.id,
            TrainingEnrollment.employee_id == employee_id,
            TrainingEnrollment.status != EnrollmentStatus.CANCELLED,
        )
        .limit(1)
        .scalar_subquery()
    )
    supervised: ColumnElement[bool] = (
        Employee.id.in_(subordinates_of(bindparam("supervisor_id", type_=Uuid)))
        if nominated_by_supervisor
        else false()
    )
    statement = (
        select(
            Employee.id.label("employee_id"),
            Employee.agency_id.label("agency_id"),
            agency_ok.label("agency_ok"),
            type_ok.label("type_ok"),
            held.label("held"),
            supervised.label("supervised"),
        )
        .select_from(TrainingSession)
        .outerjoin(
            Employee,
            and_(
                Employee.id == employee_id,
                Employee.region_id == TrainingSession.region_id,
                Employee.active,
            ),
        )
        .outerjoin(Agency, Agency.id == Employee.agency_id)
        .where(TrainingSession.id == session_id)
    )
    return cast(Select[Any], statement)


_FACTS = {flag: _facts_statement(nominated_by_supervisor=flag) for flag in (False, True)}


async def enrollment_facts(
    session: AsyncSession,
    session_id: uuid.UUID,
    employee_id: uuid.UUID,
    *,
    supervisor_id: uuid.UUID | None,
) -> Row[Any]:
    """The facts of `_facts_statement` for one request (`supervisor_id`: the nominating
    supervisor, if a supervisor nominates)."""
    result = await session.execute(
        _FACTS[supervisor_id is not None],
        {"session_id": session_id, "employee_id": employee_id, "supervisor_id": supervisor_id},
    )
    row: Row[Any] = result.one()
    return row


# A place in the session, taken under the session row's lock in one statement: the lock (which
# waits for the requests before, and then reads the row as they left it), the enrollment (a seat
# while `seats_taken < capacity`, else the next waitlist number) and the session's counters, moved
# only when the enrollment was written. An employee already holding a place (a request of theirs
# committed while this one waited) conflicts on the unique index and nothing is written; nor when
# the session was cancelled meanwhile. The session's `updated_at` and version stay: an enrollment
# does not change the session. Answers the enrollment, or no row.
_TAKE_PLACE = text(
    """
with locked as (
    select id, region_id, program_id, seats_taken < capacity as seated,
           arrivals + 1 as arrival, waitlist_next
    from training_sessions
    where id = :session and region_id = :region and status <> 'cancelled'
    for update
),
placed as (
    insert into training_enrollments
        (region_id, session_id, program_id, employee_id, agency_id, status, arrival,
         waitlist_order, nominated_by, enrolled_at)
    select region_id, id, program_id, :employee, :agency,
           case when seated then 'enrolled' else 'waitlisted' end, arrival,
           case when seated then null else waitlist_next end, :nominated_by,
           case when seated then cast(:now as timestamptz) end
    from locked
    on conflict (region_id, session_id, employee_id) where status <> 'cancelled' do nothing
    returning *
),
counted as (
    update training_sessions as counted
    set arrivals = locked.arrival,
        seats_taken = counted.seats_taken + case when locked.seated then 1 else 0 end,
        waitlist_next = counted.waitlist_next + case when locked.seated then 0 else 1 end
    from locked
    where counted.id = locked.id and exists (select from placed)
)
select * from placed
"""
).bindparams(
    bindparam("session", type_=Uuid),
    bindparam("region", type_=Uuid),
    bindparam("employee", type_=Uuid),
    bindparam("agency", type_=Uuid),
    bindparam("nominated_by", type_=Uuid),
    bindparam("now", type_=DateTime(timezone=True)),
)
_TAKE_PLACE_AS_ENROLLMENT = select(TrainingEnrollment).from_statement(_TAKE_PLACE)


async def take_place(
    session: AsyncSession,
    training_session: TrainingSession,
    *,
    employee_id: uuid.UUID,
    agency_id: uuid.UUID,
    nominated_by: uuid.UUID | None,
    now: datetime,
) -> TrainingEnrollment | None:
    """The enrollment `_TAKE_PLACE` wrote, or None: the employee holds a place already, or the
    session was cancelled."""
    found: TrainingEnrollment | None = await session.scalar(
        _TAKE_PLACE_AS_ENROLLMENT,
        {
            "session": training_session.id,
            "region": training_session.region_id,
            "employee": employee_id,
            "agency": agency_id,
            "nominated_by": nominated_by,
            "now": now,
        },
    )
    return found


async def cancel_all(
    session: AsyncSession, session_id: uuid.UUID, now: datetime
) -> list[tuple[uuid.UUID, uuid.UUID, uuid.UUID]]:
    """Cancels every enrollment of the session holding a seat or a waitlist place, in one
    statement; answers (enrollment, employee, agency) of each."""
    rows = await session.execute(
        update(ENROLLMENTS)
        .where(
            ENROLLMENTS.c.session_id == session_id,
            ENROLLMENTS.c.status.in_([str(s) for s in HOLDING]),
        )
        .values(
            status=EnrollmentStatus.CANCELLED.value,
            cancelled_at=now,
            updated_at=func.now(),
            version=ENROLLMENTS.c.version + 1,
        )
        .returning(ENROLLMENTS.c.id, ENROLLMENTS.c.employee_id, ENROLLMENTS.c.agency_id)
    )
    return sorted((row[0], row[1], row[2]) for row in rows)
