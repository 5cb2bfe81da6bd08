"""What every change of an enrollment writes besides itself: its audit fields, and the event
told to the participant (the outbox row's `employee_id`)."""

from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.core.events import publish
from kinerja_api.models.training import EnrollmentStatus, TrainingEnrollment, TrainingSession
from kinerja_api.training.events import EnrollmentEventData

ENTITY = "training_enrollment"
AUDITED = (
    "session_id",
    "employee_id",
    "status",
    "arrival",
    "waitlist_order",
    "nominated_by",
    "enrolled_at",
    "cancelled_at",
)


async def announce(
    session: AsyncSession,
    event_type: str,
    enrollment: TrainingEnrollment,
    training_session: TrainingSession,
) -> None:
    await publish(
        session,
        event_type,
        region_id=enrollment.region_id,
        entity_type=ENTITY,
        entity_id=enrollment.id,
        employee_id=enrollment.employee_id,
        agency_id=enrollment.agency_id,
        payload=EnrollmentEventData(
            enrollment_id=enrollment.id,
            session_id=enrollment.session_id,
            program_id=enrollment.program_id,
            status=EnrollmentStatus(enrollment.status),
            waitlist_order=enrollment.waitlist_order,
            starts_at=training_session.starts_at,
        ),
    )
