"""Attendance of a session, recorded for all its participants in one request by its
organisers, and its completion: the attended become completed, each credited the program's
JP once and issued a certificate.

Both run under the session row's lock, which every change of its seats takes first. A seat
counts while its holder is enrolled, attended or completed: marking someone `no_show` frees
it, marking them back `attended` takes it again. Marking again as already marked changes
nothing; completing again completes nobody twice (the ledger keeps one row per enrollment
and the certificate one per enrollment, both by unique index)."""

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import not_found
from kinerja_api.auth.principal import Principal
from kinerja_api.core import clock
from kinerja_api.core.audit import Change, plain, record_all
from kinerja_api.core.events import publish
from kinerja_api.core.i18n import Msg
from kinerja_api.core.problems import SESSION_NOT_HELD, Problem, field_problem
from kinerja_api.models.training import (
    EnrollmentStatus,
    SessionStatus,
    TrainingProgram,
    TrainingSession,
)
from kinerja_api.training.attendance import repository
from kinerja_api.training.attendance.schemas import (
    AttendanceMark,
    AttendanceOut,
    AttendanceRecord,
    CompletionEntry,
    CompletionOut,
)
from kinerja_api.training.certificates import service as certificates
from kinerja_api.training.enrollments.changes import ENTITY
from kinerja_api.training.enrollments.schemas import EnrollmentOut
from kinerja_api.training.events import AttendanceEventData, CompletedEventData
from kinerja_api.training.jp import counting_year
from kinerja_api.training.localtime import in_zone
from kinerja_api.training.sessions import repository as sessions
from kinerja_api.training.sessions.repository import program_for_session, set_counters

SEATED = (EnrollmentStatus.ENROLLED, EnrollmentStatus.ATTENDED)
COMPLETION_CHUNK = 1000
_CANCELLED = Msg("Sesi sudah dibatalkan.", "The session is cancelled.")
_NOT_STARTED = Msg(
    "Kehadiran dapat dicatat setelah sesi dimulai pada {starts_at}.",
    "Attendance can be recorded once the session has started, at {starts_at}.",
)
_NOT_ENDED = Msg(
    "Penyelesaian dapat dicatat setelah sesi berakhir pada {ends_at}.",
    "Completion can be recorded once the session has ended, at {ends_at}.",
)
_NOT_PARTICIPANT = Msg(
    "Bukan peserta terdaftar sesi ini (atau sudah selesai).",
    "Not a participant holding a seat in this session (or already completed).",
)
_TWICE = Msg("Peserta disebut lebih dari sekali.", "The participant is named more than once.")
_OVER_CAPACITY = Msg(
    "Kapasitas sesi ({capacity}) tidak cukup untuk mencatat mereka hadir kembali.",
    "The session's capacity ({capacity}) leaves no seat to mark them attended again.",
)


async def _held_session(
    session: AsyncSession, principal: Principal, session_id: uuid.UUID
) -> TrainingSession:
    found = await sessions.find(session, principal, session_id, manage=True, lock=True)
    if found is None:
        raise not_found("Training session")
    if found.status == SessionStatus.CANCELLED:
        raise Problem(SESSION_NOT_HELD, _CANCELLED, reason="session_cancelled")
    return found


async def record_attendance(
    session: AsyncSession, principal: Principal, session_id: uuid.UUID, data: AttendanceRecord
) -> AttendanceOut:
    training_session = await _held_session(session, principal, session_id)
    if clock.utc_now() < training_session.starts_at:
        raise Problem(
            SESSION_NOT_HELD,
            _NOT_STARTED,
            params={"starts_at": training_session.starts_at.isoformat()},
            reason="not_started",
        )
    found = await repository.named(
        session,
        session_id,
        [e.enrollment_id for e in data.entries if e.enrollment_id is not None],
        [e.employee_id for e in data.entries if e.employee_id is not None],
    )
    by_id = {e.id: e for e in found}
    by_employee = {e.employee_id: e for e in found}
    chosen: list[tuple[uuid.UUID, AttendanceMark]] = []
    seen: set[uuid.UUID] = set()
    for index, entry in enumerate(data.entries):
        enrollment = (
            by_id.get(entry.enrollment_id)
            if entry.enrollment_id is not None
            else by_employee.get(entry.employee_id)  # type: ignore[arg-type]
        )
        field = f"body.entries.{index}"
        if enrollment is None or enrollment.status not in repository.MARKABLE:
            raise field_problem(field, _NOT_PARTICIPANT, code="not_participant")
        if enrollment.id in seen:
            raise field_problem(field, _TWICE, code="duplicate")
        seen.add(enrollment.id)
        chosen.append((enrollment.id, entry.status))

    before = {enrollment_id: str(by_id[enrollment_id].status) for enrollment_id, _ in chosen}
    seats = training_session.seats_taken
    for enrollment_id, mark in chosen:
        was = before[enrollment_id]
        seats += int(mark == AttendanceMark.ATTENDED) - int(was in SEATED)
    if seats > training_session.capacity:
        raise Problem(
            SESSION_NOT_HELD,
            _OVER_CAPACITY,
            params={"capacity": training_session.capacity},
            reason="capacity",
        )
    changed: list[uuid.UUID] = []
    for mark in AttendanceMark:
        ids = [enrollment_id for enrollment_id, m in chosen if m == mark]
        changed += await repository.set_status(session, ids, EnrollmentStatus(mark.value))
    if seats != training_session.seats_taken:
        await set_counters(session, training_session.id, seats_taken=seats)
    marks = dict(chosen)
    refreshed = {
        e.id: e for e in await repository.named(session, session_id, [i for i, _ in chosen], [])
    }
    marked = sorted(changed, key=str)
    await record_all(
        session,
        principal,
        (
            Change(
                f"{ENTITY}.{marks[enrollment_id].value}",
                ENTITY,
                enrollment_id,
                refreshed[enrollment_id].region_id,
                before={"status": before[enrollment_id]},
                after={"status": refreshed[enrollment_id].status},
            )
            for enrollment_id in marked
        ),
    )
    for enrollment_id in marked:
        enrollment = refreshed[enrollment_id]
        await publish(
            session,
            f"training.{marks[enrollment_id].value}",
            region_id=enrollment.region_id,
            entity_type=ENTITY,
            entity_id=enrollment_id,
            employee_id=enrollment.employee_id,
            agency_id=enrollment.agency_id,
            payload=AttendanceEventData(
                enrollment_id=enrollment_id,
                session_id=enrollment.session_id,
                program_id=enrollment.program_id,
                status=EnrollmentStatus(enrollment.status),
            ),
        )
    return AttendanceOut(
        session_id=session_id,
        changed=len(changed),
        unchanged=len(chosen) - len(changed),
        enrollments=[EnrollmentOut.model_validate(refreshed[i]) for i, _ in chosen],
    )


async def credit_completions(
    session: AsyncSession,
    *,
    region_id: uuid.UUID,
    ends_at: datetime,
    program: TrainingProgram,
    completed: Sequence[tuple[uuid.UUID, uuid.UUID]],
    recorded_by: uuid.UUID | None,
) -> dict[uuid.UUID, tuple[uuid.UUID, str]]:
    """What completing (enrollment, employee) pairs of a session that ended at `ends_at`
    credits: the program's JP in the ledger, in the year (and on the day) of the region's zone
    in which the session ended, and a certificate each, numbered under the year's lock.
    Answers enrollment → (certificate id, number) of the certificates issued now."""
    zone = await clock.region_zone(session, region_id)
    year = counting_year(ends_at, zone)
    await repository.credit_jp(
        session,
        region_id=region_id,
        enrollments=completed,
        year=year,
        jp=program.jp,
        activity=program.name,
        completed_on=in_zone(ends_at, zone).date(),
        recorded_by=recorded_by,
    )
    return await certificates.issue(
        session,
        region_id=region_id,
        year=year,
        program_name=program.name,
        completed=completed,
        issued_on=clock.today_in(zone),
        jp=program.jp,
    )


async def complete_imported(
    session: AsyncSession,
    *,
    region_id: uuid.UUID,
    enrollment_ids: Sequence[uuid.UUID],
    recorded_by: uuid.UUID | None,
) -> None:
    """Credits enrollments an import made completed as `record_completion` does (JP, a
    certificate each), session by session in chunks of `COMPLETION_CHUNK` (the certificates'
    insert takes six parameters a row), and tells each participant in one statement."""
    if not enrollment_ids:
        return
    for found in await repository.completed_by_session(session, region_id, enrollment_ids):
        pairs = list(zip(found.enrollment_ids, found.employee_ids, strict=True))
        for start in range(0, len(pairs), COMPLETION_CHUNK):
            await credit_completions(
                session,
                region_id=region_id,
                ends_at=found.ends_at,
                program=found.program,
                completed=pairs[start : start + COMPLETION_CHUNK],
                recorded_by=recorded_by,
            )
    await repository.announce_completed(session, region_id, enrollment_ids)


async def record_completion(
    session: AsyncSession, principal: Principal, session_id: uuid.UUID
) -> CompletionOut:
    """Completes every attended enrollment of an ended session: one statement makes them
    completed, one credits their JP (`ON CONFLICT DO NOTHING`: an enrollment is credited
    once), one issues their certificates. Recorded again, it completes nobody new."""
    training_session = await _held_session(session, principal, session_id)
    if clock.utc_now() < training_session.ends_at:
        raise Problem(
            SESSION_NOT_HELD,
            _NOT_ENDED,
            params={"ends_at": training_session.ends_at.isoformat()},
            reason="not_ended",
        )
    already = await repository.count_completed(session, session_id)
    completed = await repository.complete_attended(session, session_id)
    if not completed:
        return CompletionOut(session_id=session_id, completed=[], already_completed=already)
    program = await program_for_session(
        session, training_session.region_id, training_session.program_id
    )
    assert program is not None  # a foreign key of the same region
    region_id = training_session.region_id
    pairs = [(row.id, row.employee_id) for row in completed]
    issued = await credit_completions(
        session,
        region_id=region_id,
        ends_at=training_session.ends_at,
        program=program,
        completed=pairs,
        recorded_by=principal.id if principal.kind == "user" else None,
    )
    entries: list[CompletionEntry] = []
    await record_all(
        session,
        principal,
        [
            change
            for row in completed
            for change in (
                Change(
                    f"{ENTITY}.completed",
                    ENTITY,
                    row.id,
                    region_id,
                    before={"status": EnrollmentStatus.ATTENDED.value},
                    after={"status": EnrollmentStatus.COMPLETED.value},
                ),
                Change(
                    f"{certificates.ENTITY}.issued",
                    certificates.ENTITY,
                    issued[row.id][0],
                    region_id,
                    after={
                        "enrollment_id": plain(row.id),
                        "employee_id": plain(row.employee_id),
                        "number": issued[row.id][1],
                        "jp": program.jp,
                    },
                ),
            )
        ],
    )
    for row in completed:
        certificate_id, number = issued[row.id]
        await publish(
            session,
            "training.completed",
            region_id=region_id,
            entity_type=ENTITY,
            entity_id=row.id,
            employee_id=row.employee_id,
            agency_id=row.agency_id,
            payload=CompletedEventData(
                enrollment_id=row.id,
                session_id=session_id,
                program_id=program.id,
                certificate_id=certificate_id,
                certificate_number=number,
                jp=program.jp,
            ),
        )
        entries.append(
            CompletionEntry(
                enrollment_id=row.id,
                employee_id=row.employee_id,
                certificate_id=certificate_id,
                certificate_number=number,
                jp=program.jp,
            )
        )
    return CompletionOut(session_id=session_id, completed=entries, already_completed=already)
