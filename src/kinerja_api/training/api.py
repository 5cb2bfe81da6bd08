"""What other domains may use of training: the one module they import from it.

The progress streams carry training events (a participant's place, attendance, completion, JP
recorded), so they describe them with training's own models. Imports of attendance and external
JP credit a completion as the attendance API does (`complete_imported`) and keep the ledger's
bounds (`jp`)."""

from kinerja_api.training.attendance.service import complete_imported
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
from kinerja_api.training.jp import (
    FIRST_LEDGER_YEAR,
    LAST_LEDGER_YEAR,
    MAX_ACTIVITY_JP,
    MIN_ACTIVITY_JP,
)

__all__ = [
    "FIRST_LEDGER_YEAR",
    "LAST_LEDGER_YEAR",
    "MAX_ACTIVITY_JP",
    "MIN_ACTIVITY_JP",
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
    "complete_imported",
]
