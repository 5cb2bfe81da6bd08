"""The `data` of the events feedback publishes. None is streamed (the `feedback.*` family on the
progress streams is plan comments): complaints and surveys are read through their own lists."""

import uuid

from kinerja_api.core.events import EventData
from kinerja_api.models.feedback import ComplaintCategory, ComplaintStatus

SURVEY_RECEIVED = "survey.received"


class ComplaintEventData(EventData):
    event_types = frozenset(
        {
            "complaint.submitted",
            "complaint.triaged",
            "complaint.assigned",
            "complaint.responded",
            "complaint.resolved",
            "complaint.reopened",
        }
    )

    status: ComplaintStatus
    category: ComplaintCategory


class SurveyEventData(EventData):
    event_types = frozenset({SURVEY_RECEIVED})

    service_unit_id: uuid.UUID
