"""What other domains may use of feedback: the one module they import from it.

Sync serves the tombstones of deleted holidays to the holidays' readers. Evaluations show the
citizens' satisfaction with an employee (from at least `MIN_STAFF_RESPONSES` questionnaires)
beside their 360° results."""

from kinerja_api.feedback.holidays.service import READERS as HOLIDAY_READERS
from kinerja_api.feedback.ikm import IkmGrade
from kinerja_api.feedback.surveys.service import (
    MIN_STAFF_RESPONSES,
    StaffSatisfaction,
    staff_satisfaction,
)

__all__ = [
    "HOLIDAY_READERS",
    "MIN_STAFF_RESPONSES",
    "IkmGrade",
    "StaffSatisfaction",
    "staff_satisfaction",
]
