"""What other domains may use of training: the one module they import from it.

The progress streams carry training events (a participant's place, attendance, completion, JP
recorded), so they describe them with training's own models."""

from kinerja_api.training.events import (
    AttendanceEventData,
    AttendanceEventType,
    CompletedEventData,
    CompletedEventType,
    EnrollmentEventData,
    EnrollmentEventType,
    JpRecordedEventData,
    JpRecordedEventType,
    SessionCancelledEventData,
    SessionCancelledEventType,
)

__all__ = [
    "AttendanceEventData",
    "AttendanceEventType",
    "CompletedEventData",
    "CompletedEventType",
    "EnrollmentEventData",
    "EnrollmentEventType",
    "JpRecordedEventData",
    "JpRecordedEventType",
    "SessionCancelledEventData",
    "SessionCancelledEventType",
]
