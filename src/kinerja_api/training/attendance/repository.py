"""Attendance and completion of a session's enrollments, each kind of change in one statement
over the ids it concerns (`UPDATE ... FROM unnest(...)`), and the JP they credit (one ledger
row per enrollment, whatever the number of times completion is recorded)."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    Row,
    Table,
    Text,
    Uuid,
    bindparam,
    func,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy import cast as cast_to
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.models.training import (
    EnrollmentStatus,
    JpLedgerEntry,
    JpSource,
    TrainingEnrollment,
    TrainingProgram,
    TrainingSession,
)

ENROLLMENTS = cast(Table, TrainingEnrollment.__table__)
LEDGER = cast(Table, JpLedgerEntry.__table__)
MARKABLE = (EnrollmentStatus.ENROLLED, EnrollmentStatus.ATTENDED, EnrollmentStatus.NO_SHOW)


def _ids(values: Sequence[uuid.UUID]) -> Any:
    return literal(list(values), ARRAY(Uuid))


async def named(
    session: AsyncSession,
    session_id: uuid.UUID,
    enrollment_ids: Sequence[uuid.UUID],
    employee_ids: Sequence[uuid.UUID],
) -> list[TrainingEnrollment]:
    """The session's enrollments not cancelled among those named, by enrollment or employee."""
    found = await session.scalars(
        select(TrainingEnrollment)
        .where(
            TrainingEnrollment.session_id == session_id,
            TrainingEnrollment.status != EnrollmentStatus.CANCELLED,
            or_(
                TrainingEnrollment.id.in_(enrollment_ids),
                TrainingEnrollment.employee_id.in_(employee_ids),
            ),
        )
        .execution_options(populate_existing=True)
    )
    return list(found)


async def set_status(
    session: AsyncSession, enrollment_ids: Sequence[uuid.UUID], status: EnrollmentStatus
) -> list[uuid.UUID]:
    """One statement for every enrollment given the same status; answers those changed."""
    if not enrollment_ids:
        return []
    marked = func.unnest(_ids(enrollment_ids)).table_valued("id").render_derived(name="marked")
    rows = await session.execute(
        update(ENROLLMENTS)
        .where(ENROLLMENTS.c.id == marked.c.id, ENROLLMENTS.c.status != status.value)
        .values(status=status.value, updated_at=func.now(), version=ENROLLMENTS.c.version + 1)
        .returning(ENROLLMENTS.c.id)
    )
    return list(rows.scalars())


async def complete_attended(session: AsyncSession, session_id: uuid.UUID) -> list[Row[Any]]:
    """Every attended enrollment of the session made completed, in one statement."""
    rows = await session.execute(
        update(ENROLLMENTS)
        .where(
            ENROLLMENTS.c.session_id == session_id,
            ENROLLMENTS.c.status == EnrollmentStatus.ATTENDED.value,
        )
        .values(
            status=EnrollmentStatus.COMPLETED.value,
            updated_at=func.now(),
            version=ENROLLMENTS.c.version + 1,
        )
        .returning(ENROLLMENTS.c.id, ENROLLMENTS.c.employee_id, ENROLLMENTS.c.agency_id)
    )
    return sorted(rows.all(), key=lambda row: (str(row.employee_id), str(row.id)))


async def count_completed(session: AsyncSession, session_id: uuid.UUID) -> int:
    found = await session.scalar(
        select(func.count()).where(
            TrainingEnrollment.session_id == session_id,
            TrainingEnrollment.status == EnrollmentStatus.COMPLETED,
        )
    )
    return int(found or 0)


async def credit_jp(
    session: AsyncSession,
    *,
    region_id: uuid.UUID,
    enrollments: Sequence[tuple[uuid.UUID, uuid.UUID]],
    year: int,
    jp: int,
    activity: str,
    completed_on: date,
    recorded_by: uuid.UUID | None,
) -> set[uuid.UUID]:
    """A ledger row per (enrollment, employee), in one statement; an enrollment already
    credited is left as it is (`ON CONFLICT DO NOTHING` on its unique index). Answers the
    enrollments credited now."""
    if not enrollments:
        return set()
    rows = (
        func.unnest(_ids([e for e, _ in enrollments]), _ids([p for _, p in enrollments]))
        .table_valued("enrollment_id", "employee_id")
        .render_derived(name="completed")
    )
    source = select(
        literal(region_id, Uuid),
        rows.c.employee_id,
        literal(year),
        literal(jp),
        literal(JpSource.TRAINING.value),
        rows.c.enrollment_id,
        literal(activity),
        literal(completed_on),
        literal(recorded_by, Uuid),
    )
    statement = (
        insert(LEDGER)
        .from_select(
            [
                "region_id",
                "employee_id",
                "year",
                "jp",
                "source",
                "enrollment_id",
                "activity",
                "completed_on",
                "recorded_by",
            ],
            source,
        )
        .on_conflict_do_nothing(
            index_elements=["region_id", "enrollment_id"],
            index_where=LEDGER.c.enrollment_id.is_not(None),
        )
        .returning(LEDGER.c.enrollment_id)
    )
    credited = await session.execute(statement)
    return {row for row in credited.scalars() if row is not None}


@dataclass
class SessionCompleted:
    """Enrollments of one session completed together, with what their completion credits."""

    ends_at: datetime
    program: TrainingProgram
    enrollment_ids: list[uuid.UUID] = field(default_factory=list)
    employee_ids: list[uuid.UUID] = field(default_factory=list)


async def completed_by_session(
    session: AsyncSession, region_id: uuid.UUID, enrollment_ids: Sequence[uuid.UUID]
) -> list[SessionCompleted]:
    """The enrollments, session by session, each session's participants in the order
    `record_completion` numbers their certificates (by employee, then enrollment)."""
    rows = await session.execute(
        select(
            TrainingEnrollment.id,
            TrainingEnrollment.employee_id,
            TrainingEnrollment.session_id,
            TrainingSession.ends_at,
            TrainingProgram,
        )
        .join(TrainingSession, TrainingSession.id == TrainingEnrollment.session_id)
        .join(TrainingProgram, TrainingProgram.id == TrainingEnrollment.program_id)
        .where(
            TrainingEnrollment.region_id == region_id,
            TrainingEnrollment.id == func.any(_ids(enrollment_ids)),
        )
        .order_by(
            TrainingEnrollment.session_id,
            cast_to(TrainingEnrollment.employee_id, Text),
            cast_to(TrainingEnrollment.id, Text),
        )
    )
    by_session: dict[uuid.UUID, SessionCompleted] = {}
    for row in rows:
        found = by_session.setdefault(row.session_id, SessionCompleted(row.ends_at, row[4]))
        found.enrollment_ids.append(row.id)
        found.employee_ids.append(row.employee_id)
    return list(by_session.values())


# One `training.completed` event per enrollment, with its certificate, in one statement (a
# large import completes more participants than a multi-row insert of events can carry).
_ANNOUNCE_COMPLETED = text(
    """
insert into outbox_events (region_id, type, entity_type, entity_id, employee_id, agency_id,
                           payload)
select n.region_id, 'training.completed', 'training_enrollment', n.id, n.employee_id,
       n.agency_id,
       jsonb_build_object('enrollment_id', n.id, 'session_id', n.session_id,
                          'program_id', n.program_id, 'certificate_id', c.id,
                          'certificate_number', c.number, 'jp', c.jp)
  from training_enrollments n
  join training_certificates c on c.region_id = n.region_id and c.enrollment_id = n.id
 where n.region_id = :region_id and n.id = any(:enrollment_ids)
 order by n.session_id, n.employee_id::text, n.id::text
"""
).bindparams(bindparam("region_id", type_=Uuid), bindparam("enrollment_ids", type_=ARRAY(Uuid)))


async def announce_completed(
    session: AsyncSession, region_id: uuid.UUID, enrollment_ids: Sequence[uuid.UUID]
) -> None:
    await session.execute(
        _ANNOUNCE_COMPLETED, {"region_id": region_id, "enrollment_ids": list(enrollment_ids)}
    )
