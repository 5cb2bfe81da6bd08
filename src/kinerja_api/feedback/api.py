"""What other domains may use of feedback: the one module they import from it.

Sync serves the tombstones of deleted holidays to the holidays' readers, and those of service
units, complaints and survey responses that left some staff's sight to those who read them
before and no longer do. Evaluations show the citizens' satisfaction with an employee (from at
least `MIN_STAFF_RESPONSES` questionnaires) beside their 360° results. The SP4N-LAPOR!
exchange format lists the complaints a caller reads, with tracking codes as citizens see them.
Imports of complaints received elsewhere (SP4N-LAPOR!) give them tracking codes and deadlines
as a complaint submitted here gets them."""

from kinerja_api.feedback.codes import TRACKING_CODE_LENGTH, random_code
from kinerja_api.feedback.codes import grouped as grouped_code
from kinerja_api.feedback.complaints.deadlines import region_deadlines
from kinerja_api.feedback.complaints.repository import readable as complaint_readable
from kinerja_api.feedback.holidays.service import READERS as HOLIDAY_READERS
from kinerja_api.feedback.ikm import IkmGrade
from kinerja_api.feedback.scope import AGENCY_BOUND, COMPLAINT_READERS, STAFF_READERS, staff_scope
from kinerja_api.feedback.surveys.service import (
    MIN_STAFF_RESPONSES,
    StaffSatisfaction,
    staff_satisfaction,
)

__all__ = [
    "AGENCY_BOUND",
    "COMPLAINT_READERS",
    "HOLIDAY_READERS",
    "MIN_STAFF_RESPONSES",
    "STAFF_READERS",
    "TRACKING_CODE_LENGTH",
    "IkmGrade",
    "StaffSatisfaction",
    "complaint_readable",
    "grouped_code",
    "random_code",
    "region_deadlines",
    "staff_satisfaction",
    "staff_scope",
]
