"""Attendance and completion of a session's participants by (session, NIP), as the attendance
API records them: once the session has started, participants holding a seat (enrolled,
attended, no-show) are marked `attended` or `no_show`; once it has ended, `completed`, which
credits the program's JP in the ledger and issues a numbered certificate
(`training.api.complete_imported`, as `POST /training-sessions/{id}/completion` does). The
session's seats follow the marks; a completion is never undone. A participant already marked
so is left as they are."""

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.core.i18n import Msg
from kinerja_api.imports.kind import (
    Check,
    Column,
    Context,
    Found,
    Key,
    Kind,
    quoted,
)
from kinerja_api.imports.kinds.by_id import ById
from kinerja_api.imports.kinds.people import employee_found, employee_join, nip_digits
from kinerja_api.models.imports import ImportKind, RowProblem
from kinerja_api.models.training import EnrollmentStatus, SessionStatus
from kinerja_api.training.api import complete_imported

ATTENDED = EnrollmentStatus.ATTENDED.value
NO_SHOW = EnrollmentStatus.NO_SHOW.value
COMPLETED = EnrollmentStatus.COMPLETED.value
_MARKS = ", ".join(quoted(mark) for mark in (ATTENDED, NO_SHOW, COMPLETED))
# Who holds a seat before and after a mark (`attendance.service.SEATED`, and a completion keeps
# the seat it was counted in).
_SEATED_BEFORE = ", ".join(
    quoted(status.value) for status in (EnrollmentStatus.ENROLLED, EnrollmentStatus.ATTENDED)
)
_SEATED_AFTER = ", ".join(quoted(status) for status in (ATTENDED, COMPLETED))
# Whom attendance may be recorded for (`attendance.repository.MARKABLE`), and completion too.
_MARKABLE = ", ".join(
    quoted(status.value)
    for status in (EnrollmentStatus.ENROLLED, EnrollmentStatus.ATTENDED, EnrollmentStatus.NO_SHOW)
)

SESSION = ById("session_id", "training_sessions", "s", Msg("Sesi pelatihan", "training session"))

COLUMNS = (
    Column("session_id", "The id of a training session of your region.", True, 36),
    Column(
        "nip",
        "The participant's NIP: enrolled in the session (a seat, not the waitlist). With "
        "`session_id` the row's key.",
        True,
        40,
    ),
    Column(
        "status",
        "`attended` or `no_show` once the session has started; `completed` once it has ended "
        "(credits the program's JP and issues a certificate; a completion is never undone).",
        True,
        12,
    ),
)

CHECKS = (
    SESSION.check(),
    nip_digits("nip"),
    Check(
        "status",
        RowProblem.INVALID,
        Msg(
            "Status harus attended, no_show atau completed.",
            "The status must be attended, no_show or completed.",
        ),
        f"lower(r.status) not in ({_MARKS})",
    ),
)

_SESSION = SESSION.join
_EMPLOYEE = employee_join()
_ENROLLMENT_IS = f"""n.region_id = :region_id and n.session_id = s.id and n.employee_id = e.id
     and n.status <> {quoted(EnrollmentStatus.CANCELLED.value)}"""
_ENROLLMENT = f"training_enrollments n on {_ENROLLMENT_IS}"

FOUND = (
    SESSION.found(),
    SESSION.conflict(
        Msg("Sesi sudah dibatalkan.", "The session is cancelled."),
        f"s.status = {quoted(SessionStatus.CANCELLED.value)}",
    ),
    SESSION.conflict(
        Msg(
            "Kehadiran dapat dicatat setelah sesi dimulai.",
            "Attendance can be recorded once the session has started.",
        ),
        "s.starts_at > :now",
    ),
    SESSION.conflict(
        Msg(
            "Penyelesaian dapat dicatat setelah sesi berakhir.",
            "Completion can be recorded once the session has ended.",
        ),
        f"lower(r.status) = {quoted(COMPLETED)} and s.starts_at <= :now and s.ends_at > :now",
        field="status",
    ),
    employee_found("nip", shaped=True),
    Found(
        "nip",
        RowProblem.CONFLICT,
        Msg(
            "Bukan peserta terdaftar sesi ini (terdaftar, bukan daftar tunggu).",
            "Not a participant holding a seat in this session (enrolled, not waitlisted).",
        ),
        f"""select r.row_number, r.line, r.nip as value
              from rows r join {_SESSION} join {_EMPLOYEE}
             where r.malformed is null and not exists (
                   select 1 from training_enrollments n
                    where {_ENROLLMENT_IS} and n.status in ({_MARKABLE}, {quoted(COMPLETED)}))""",  # noqa: S608
    ),
    Found(
        "status",
        RowProblem.CONFLICT,
        Msg(
            "Peserta ini sudah selesai; penyelesaian tidak dapat dibatalkan.",
            "The participant has completed the session; a completion is not undone.",
        ),
        f"""select r.row_number, r.line, r.status as value
              from rows r join {_SESSION} join {_EMPLOYEE} join {_ENROLLMENT}
             where r.malformed is null and n.status = {quoted(COMPLETED)}
               and lower(r.status) <> {quoted(COMPLETED)}""",  # noqa: S608
    ),
    # Run last, over the rows still valid: marks that take a seat back (a no-show marked
    # attended or completed) must fit the session's capacity with everything else the file
    # marks; when they do not, every such row of the session is refused.
    Found(
        "status",
        RowProblem.CONFLICT,
        Msg(
            "Kapasitas sesi tidak cukup untuk mencatat peserta yang tidak hadir ini hadir kembali.",
            "The session's capacity leaves no seat to mark this no-show attended again.",
        ),
        f"""select m.row_number, m.line, m.status as value from (
                select r.row_number, r.line, r.status, n.status as was, s.capacity,
                       s.seats_taken + sum(
                           (lower(r.status) in ({_SEATED_AFTER}))::int
                           - (n.status in ({_SEATED_BEFORE}, {quoted(COMPLETED)}))::int
                       ) over (partition by s.id) as seats
                  from valid r join {_SESSION} join {_EMPLOYEE} join {_ENROLLMENT}
            ) as m
             where m.seats > m.capacity and m.was = {quoted(NO_SHOW)}
               and lower(m.status) <> {quoted(NO_SHOW)}""",  # noqa: S608
    ),
)

UPSERT = rf"""
, proposed as (
    select r.row_number, n.id, n.session_id, n.program_id, n.employee_id, n.agency_id,
           n.status as was, lower(r.status) as status
      from valid r join {_SESSION} join {_EMPLOYEE} join {_ENROLLMENT}
),
marked as (
    update training_enrollments n
       set status = p.status, updated_at = now(), version = n.version + 1
      from proposed p
     where :write and n.region_id = :region_id and n.id = p.id and n.status <> p.status
    returning n.id
),
seats as (
    -- The session's version and updated_at stay: an enrollment does not change the session.
    update training_sessions s set seats_taken = s.seats_taken + d.moved
      from (select p.session_id,
                   sum((p.status in ({_SEATED_AFTER}))::int
                       - (p.was in ({_SEATED_BEFORE}, {quoted(COMPLETED)}))::int) as moved
              from proposed p where p.status <> p.was group by p.session_id) as d
     where :write and s.region_id = :region_id and s.id = d.session_id and d.moved <> 0
    returning s.id
),
announced as (
    -- As the attendance API tells each participant marked (a completion is told with its
    -- certificate, once issued).
    insert into outbox_events
           (region_id, type, entity_type, entity_id, employee_id, agency_id, payload)
    select :region_id, 'training.' || p.status, 'training_enrollment', p.id, p.employee_id,
           p.agency_id,
           jsonb_build_object('enrollment_id', p.id, 'session_id', p.session_id,
                              'program_id', p.program_id, 'status', p.status)
      from proposed p
     where :write and p.status <> p.was and p.status in ({quoted(ATTENDED)}, {quoted(NO_SHOW)})
     order by p.row_number
    returning 1
)
select 0 as created, count(*) filter (where status <> was) as updated,
       count(*) filter (where status = was) as unchanged,
       coalesce(array_agg(id) filter (where status = {quoted(COMPLETED)} and status <> was),
                '{{}}') as completed,
       (select u.id from users u where u.id = :principal_id) as recorded_by
  from proposed
"""  # noqa: S608

# The lock the attendance API takes first: the sessions' rows, which every change of their
# seats takes.
LOCK = SESSION.lock()


async def credit_completed(session: AsyncSession, context: Context, row: Mapping[Any, Any]) -> None:
    """The JP and certificates of the batch's completions, as the completion API credits
    them."""
    await complete_imported(
        session,
        region_id=context.region_id,
        enrollment_ids=row["completed"],
        recorded_by=row["recorded_by"],
    )


TRAINING_ATTENDANCE = Kind(
    name=ImportKind.TRAINING_ATTENDANCE,
    columns=COLUMNS,
    checks=CHECKS,
    keys=(Key("nip", "lower(r.session_id) || '|' || r.nip"),),
    found=FOUND,
    upsert=UPSERT,
    lock=LOCK,
    after_write=credit_completed,
)
