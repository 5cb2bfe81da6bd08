"""Seats freed in a session go to its waitlist, first come first served, in the transaction that
freed them and under the session row's lock (the caller holds it)."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.principal import Principal
from kinerja_api.core import clock
from kinerja_api.core.audit import record_entity, snapshot
from kinerja_api.models.training import EnrollmentStatus, TrainingEnrollment, TrainingSession
from kinerja_api.training.enrollments.changes import AUDITED, ENTITY, announce


async def promote(
    session: AsyncSession, principal: Principal, training_session: TrainingSession, seats: int
) -> int:
    """Gives up to `seats` free seats to the first waitlisted, each told with
    `training.promoted`; answers how many were promoted."""
    if seats <= 0:
        return 0
    waiting = list(
        await session.scalars(
            select(TrainingEnrollment)
            .where(
                TrainingEnrollment.region_id == training_session.region_id,
                TrainingEnrollment.session_id == training_session.id,
                TrainingEnrollment.status == EnrollmentStatus.WAITLISTED,
            )
            .order_by(TrainingEnrollment.waitlist_order)
            .limit(seats)
            .with_for_update()
        )
    )
    now = clock.utc_now()
    for enrollment in waiting:
        before = snapshot(enrollment, AUDITED)
        enrollment.status = EnrollmentStatus.ENROLLED
        enrollment.enrolled_at = now
        await session.flush()
        await record_entity(
            session, principal, ENTITY, "promoted", enrollment, AUDITED, before=before
        )
        await announce(session, "training.promoted", enrollment, training_session)
    return len(waiting)
