"""Enrollment in sessions: a seat while any is free, else a number on the waitlist, handed out
under the session row's lock so capacity is never exceeded and the waitlist is first come,
first served. A cancellation of a seat gives it to the first waitlisted in the same
transaction."""

import uuid
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import false
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import not_found
from kinerja_api.auth.principal import Principal
from kinerja_api.core import clock
from kinerja_api.core.audit import record_entity, snapshot
from kinerja_api.core.etag import check_if_match
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import ListOf, ListQuery, list_page, list_query, page_of
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.core.problems import (
    ALREADY_ENROLLED,
    ENROLLMENT_CLOSED,
    FORBIDDEN,
    INVALID_TRANSITION,
    NOT_ELIGIBLE,
    Problem,
    field_problem,
)
from kinerja_api.models.org import Role
from kinerja_api.models.training import (
    EnrollmentStatus,
    SessionStatus,
    TrainingEnrollment,
    TrainingSession,
)
from kinerja_api.training.enrollments import repository
from kinerja_api.training.enrollments.changes import AUDITED, ENTITY, announce
from kinerja_api.training.enrollments.schemas import (
    EnrollmentCreate,
    EnrollmentFilters,
    EnrollmentOut,
    EnrollmentSort,
    SessionEnrollmentFilters,
)
from kinerja_api.training.enrollments.waitlist import promote
from kinerja_api.training.sessions import repository as sessions
from kinerja_api.training.sessions.repository import set_counters

NOMINATORS = (Role.TRAINING_ADMIN, Role.REGION_ADMIN)
_SORTS = {
    EnrollmentSort.ARRIVAL: Keyset(
        (TrainingEnrollment.session_id, TrainingEnrollment.arrival, TrainingEnrollment.id)
    ),
    EnrollmentSort.CREATED_AT: Keyset((TrainingEnrollment.created_at, TrainingEnrollment.id)),
    EnrollmentSort.UPDATED_AT: Keyset((TrainingEnrollment.updated_at, TrainingEnrollment.id)),
}
_LIST = ListOf("training-enrollments", _SORTS)
_SESSION_LIST = ListOf("training-session-enrollments", _SORTS)
_NO_EMPLOYEE = Msg(
    "Akun Anda tidak terhubung ke pegawai; sebutkan employee_id yang dinominasikan.",
    "Your account is not an employee's: name the employee_id nominated.",
)
_EMPLOYEE_UNKNOWN = Msg(
    "Pegawai tidak ditemukan atau tidak aktif di wilayah sesi.",
    "The employee does not exist or is not active in the session's region.",
)
_NOT_NOMINATOR = Msg(
    "Anda hanya dapat menominasikan bawahan Anda.", "You may nominate only your own reports."
)
_NOT_OPEN_YET = Msg(
    "Pendaftaran sesi dibuka pada {opens_at}.", "Enrollment in the session opens at {opens_at}."
)
_CLOSED = Msg(
    "Pendaftaran sesi ditutup pada {closes_at}.", "Enrollment in the session closed at {closes_at}."
)
_SESSION_CANCELLED = Msg("Sesi sudah dibatalkan.", "The session is cancelled.")
_AGENCY_INELIGIBLE = Msg(
    "Unit kerja pegawai tidak termasuk peserta sesi ini.",
    "The employee's agency is not among those the session is open to.",
)
_TYPE_INELIGIBLE = Msg(
    "Jenis kepegawaian pegawai tidak termasuk peserta sesi ini.",
    "The employee's employment type is not among those the session is open to.",
)
_DUPLICATE = Msg(
    "Pegawai sudah terdaftar atau dalam daftar tunggu sesi ini.",
    "The employee is already enrolled or waitlisted in this session.",
)
_NOT_CANCELLABLE = Msg(
    "Pendaftaran berstatus {status} tidak dapat dibatalkan.",
    "An enrollment that is {status} cannot be cancelled.",
)
_MAY_NOT_CANCEL = Msg(
    "Hanya peserta, atasannya, atau penyelenggara yang dapat membatalkan pendaftaran.",
    "Only the participant, their supervisors or the organisers may cancel the enrollment.",
)


def enrollment_out(enrollment: TrainingEnrollment) -> EnrollmentOut:
    return EnrollmentOut.model_validate(enrollment)


async def enrollments_query(
    _session: AsyncSession, principal: Principal, filters: EnrollmentFilters, sort: EnrollmentSort
) -> ListQuery:
    mine: Any = None
    if filters.mine:
        mine = (
            TrainingEnrollment.employee_id == principal.employee_id
            if principal.employee_id is not None
            else false()
        )
    return list_query(
        repository.readable_enrollments(principal),
        _LIST,
        sort,
        cursor_filters=asdict(filters),
        equal={
            TrainingEnrollment.session_id: filters.session_id,
            TrainingEnrollment.employee_id: filters.employee_id,
            TrainingEnrollment.status: filters.status,
        },
        where=(mine,),
        updated_at=TrainingEnrollment.updated_at,
        updated_since=filters.updated_since,
    )


async def enrollment_views(
    _session: AsyncSession, _principal: Principal, enrollments: Sequence[TrainingEnrollment]
) -> list[EnrollmentOut]:
    return [enrollment_out(e) for e in enrollments]


async def list_enrollments(
    session: AsyncSession,
    principal: Principal,
    *,
    filters: EnrollmentFilters,
    sort: EnrollmentSort,
    page: PageParams,
) -> tuple[list[EnrollmentOut], str | None]:
    query = await enrollments_query(session, principal, filters, sort)
    found, cursor = await page_of(session, query, page)
    return await enrollment_views(session, principal, found), cursor


async def list_session_enrollments(
    session: AsyncSession,
    principal: Principal,
    session_id: uuid.UUID,
    *,
    filters: SessionEnrollmentFilters,
    sort: EnrollmentSort,
    page: PageParams,
) -> tuple[list[EnrollmentOut], str | None]:
    if await sessions.find(session, principal, session_id) is None:
        raise not_found("Training session")
    found, cursor = await list_page(
        session,
        repository.readable_enrollments(principal),
        _SESSION_LIST,
        sort,
        cursor_filters={**asdict(filters), "session_id": session_id},
        page=page,
        equal={
            TrainingEnrollment.session_id: session_id,
            TrainingEnrollment.status: filters.status,
        },
    )
    return [enrollment_out(e) for e in found], cursor


async def get_enrollment(
    session: AsyncSession, principal: Principal, enrollment_id: uuid.UUID
) -> TrainingEnrollment:
    found = await repository.find(session, principal, enrollment_id)
    if found is None:
        raise not_found("Training enrollment")
    return found


def _check_window(training_session: TrainingSession) -> None:
    if training_session.status == SessionStatus.CANCELLED:
        raise Problem(ENROLLMENT_CLOSED, _SESSION_CANCELLED, reason="session_cancelled")
    now = clock.utc_now()
    if now < training_session.enrollment_opens_at:
        raise Problem(
            ENROLLMENT_CLOSED,
            _NOT_OPEN_YET,
            params={"opens_at": training_session.enrollment_opens_at.isoformat()},
            reason="not_open_yet",
        )
    if now >= training_session.enrollment_closes_at:
        raise Problem(
            ENROLLMENT_CLOSED,
            _CLOSED,
            params={"closes_at": training_session.enrollment_closes_at.isoformat()},
            reason="closed",
        )


async def enroll(
    session: AsyncSession, principal: Principal, session_id: uuid.UUID, data: EnrollmentCreate
) -> TrainingEnrollment:
    """Decides the request on what it reads without a lock, then takes the place in one
    statement under the session's lock: a seat while `seats_taken < capacity`, else the next
    waitlist number. The lock is held only from that statement to the commit."""
    employee_id = data.employee_id or principal.employee_id
    training_session = await sessions.find(session, principal, session_id)
    if training_session is None:
        raise not_found("Training session")
    if employee_id is None:
        raise field_problem("body.employee_id", _NO_EMPLOYEE, code="required")
    nominated = employee_id != principal.employee_id
    by_supervisor = nominated and not principal.has_any(*NOMINATORS)
    if by_supervisor and principal.employee_id is None:
        raise Problem(FORBIDDEN, _NOT_NOMINATOR)
    row = await repository.enrollment_facts(
        session,
        session_id,
        employee_id,
        supervisor_id=principal.employee_id if by_supervisor else None,
    )
    _check_request(training_session, row, by_supervisor=by_supervisor)
    enrollment = await repository.take_place(
        session,
        training_session,
        employee_id=employee_id,
        agency_id=row.agency_id,
        nominated_by=principal.id if nominated else None,
        now=clock.utc_now(),
    )
    if enrollment is None:
        # Lost a race while waiting for the lock: the employee's own earlier request committed,
        # or the session was cancelled. Read again to tell which.
        row = await repository.enrollment_facts(
            session, session_id, employee_id, supervisor_id=None
        )
        if row.held is not None:
            raise Problem(ALREADY_ENROLLED, _DUPLICATE, enrollment_id=str(row.held))
        raise Problem(ENROLLMENT_CLOSED, _SESSION_CANCELLED, reason="session_cancelled")
    action = "enrolled" if enrollment.status == EnrollmentStatus.ENROLLED else "waitlisted"
    await record_entity(session, principal, ENTITY, action, enrollment, AUDITED)
    await announce(session, f"training.{action}", enrollment, training_session)
    return enrollment


def _check_request(training_session: TrainingSession, row: Any, *, by_supervisor: bool) -> None:
    """The refusals an enrollment request may meet, in the order a caller should hear them."""
    if row.employee_id is None:
        raise field_problem("body.employee_id", _EMPLOYEE_UNKNOWN, code="not_found")
    if by_supervisor and not row.supervised:
        raise Problem(FORBIDDEN, _NOT_NOMINATOR)
    _check_window(training_session)
    if not row.agency_ok:
        raise Problem(NOT_ELIGIBLE, _AGENCY_INELIGIBLE, reason="agency")
    if not row.type_ok:
        raise Problem(NOT_ELIGIBLE, _TYPE_INELIGIBLE, reason="employment_type")
    if row.held is not None:
        raise Problem(ALREADY_ENROLLED, _DUPLICATE, enrollment_id=str(row.held))


async def cancel(
    session: AsyncSession, principal: Principal, enrollment_id: uuid.UUID, if_match: str | None
) -> TrainingEnrollment:
    """Cancels a seat or a waitlist place. A seat given up goes to the first waitlisted, in
    this transaction. Cancelling a cancelled enrollment changes nothing."""
    found = await repository.find(session, principal, enrollment_id)
    if found is None:
        raise not_found("Training enrollment")
    if not await repository.may_cancel(session, principal, enrollment_id):
        raise Problem(FORBIDDEN, _MAY_NOT_CANCEL)
    # The session's lock first, as every change of its seats takes it, then the enrollment.
    training_session = await sessions.find(session, principal, found.session_id, lock=True)
    enrollment = await repository.lock(session, enrollment_id)
    if training_session is None or enrollment is None:
        raise not_found("Training enrollment")
    if enrollment.status == EnrollmentStatus.CANCELLED:
        return enrollment
    check_if_match(if_match, enrollment.version)
    if enrollment.status not in repository.HOLDING:
        raise Problem(
            INVALID_TRANSITION,
            _NOT_CANCELLABLE,
            params={"status": enrollment.status},
            current_status=enrollment.status,
        )
    held_seat = enrollment.status == EnrollmentStatus.ENROLLED
    before = snapshot(enrollment, AUDITED)
    enrollment.status = EnrollmentStatus.CANCELLED
    enrollment.cancelled_at = clock.utc_now()
    await session.flush()
    await record_entity(session, principal, ENTITY, "cancelled", enrollment, AUDITED, before=before)
    await announce(session, "training.cancelled", enrollment, training_session)
    if held_seat and not await promote(session, principal, training_session, 1):
        await set_counters(
            session, training_session.id, seats_taken=training_session.seats_taken - 1
        )
    return enrollment
