"""The `data` of the events training publishes. Enrollment events go to the participant (the
outbox row's `employee_id` is theirs): a seat taken, a place on the waitlist, a seat freed for
them by someone else's cancellation (`training.promoted`), their own place cancelled; a
cancelled session tells each participant it held, one `training.session_cancelled` each. JP
recorded from outside the catalog tell the employee (`training.jp_recorded`)."""

import uuid
from datetime import datetime
from typing import Literal, get_args

from pydantic import Field

from kinerja_api.core.events import EventData
from kinerja_api.models.training import EnrollmentStatus

EnrollmentEventType = Literal[
    "training.enrolled", "training.waitlisted", "training.promoted", "training.cancelled"
]
SessionCancelledEventType = Literal["training.session_cancelled"]


class EnrollmentEventData(EventData):
    """A participant's place in a session changed."""

    event_types = frozenset(get_args(EnrollmentEventType))

    enrollment_id: uuid.UUID
    session_id: uuid.UUID
    program_id: uuid.UUID
    status: EnrollmentStatus
    waitlist_order: int | None = Field(
        description="The number drawn on the waitlist, in arrival order; null when a seat "
        "was free on arrival."
    )
    starts_at: datetime


class SessionCancelledEventData(EventData):
    """The session was cancelled: the participant's enrollment is cancelled with it."""

    event_types = frozenset(get_args(SessionCancelledEventType))

    session_id: uuid.UUID
    program_id: uuid.UUID
    enrollment_id: uuid.UUID
    starts_at: datetime


AttendanceEventType = Literal["training.attended", "training.no_show"]
CompletedEventType = Literal["training.completed"]


class AttendanceEventData(EventData):
    """The participant's attendance of a session was recorded (or changed)."""

    event_types = frozenset(get_args(AttendanceEventType))

    enrollment_id: uuid.UUID
    session_id: uuid.UUID
    program_id: uuid.UUID
    status: EnrollmentStatus


class CompletedEventData(EventData):
    """The participant completed the session: the program's JP are credited to their ledger
    and a certificate is issued."""

    event_types = frozenset(get_args(CompletedEventType))

    enrollment_id: uuid.UUID
    session_id: uuid.UUID
    program_id: uuid.UUID
    certificate_id: uuid.UUID
    certificate_number: str
    jp: int


JpRecordedEventType = Literal["training.jp_recorded"]


class JpRecordedEventData(EventData):
    """JP from an activity outside the catalog were recorded in the employee's ledger."""

    event_types = frozenset(get_args(JpRecordedEventType))

    entry_id: uuid.UUID
    employee_id: uuid.UUID
    year: int
    jp: int
    activity: str
