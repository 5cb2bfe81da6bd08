"""What other domains may use of feedback: the one module they import from it.

Sync serves the tombstones of deleted holidays to the holidays' readers, and those of service
units, complaints and survey responses that left some staff's sight to those who read them
before and no longer do."""

from kinerja_api.feedback.complaints.repository import readable as complaint_readable
from kinerja_api.feedback.holidays.service import READERS as HOLIDAY_READERS
from kinerja_api.feedback.scope import AGENCY_BOUND, COMPLAINT_READERS, STAFF_READERS, staff_scope

__all__ = [
    "AGENCY_BOUND",
    "COMPLAINT_READERS",
    "HOLIDAY_READERS",
    "STAFF_READERS",
    "complaint_readable",
    "staff_scope",
]
