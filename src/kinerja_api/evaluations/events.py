"""The `data` of the events evaluations publish. None carries what a rater said, nor who rates
whom: assignment events go to the rater (`employee_id` of the outbox row is the rater, no
agency), rating, objection and development-plan events to the rated employee; cycle events to
the cycle's administrators only.

`evaluation.assigned` is one event per rater and batch of new assignments (a launch, or an
employee added to a launched cycle), not one per assignment: a launch for a region of 10,000
employees writes about 10,000 events rather than 50,000, and the rater lists what they must rate
with `GET /evaluation-assignments?mine=true`."""

import uuid
from datetime import date
from typing import Literal, get_args

from kinerja_api.core.events import EventData
from kinerja_api.models.evaluations import (
    AssignmentStatus,
    CycleStatus,
    ObjectionStatus,
    RatingStatus,
)

CycleEventType = Literal["evaluation.cycle_launched", "evaluation.cycle_closed"]
AssignedEventType = Literal["evaluation.assigned"]
AssignmentEventType = Literal["evaluation.submitted", "evaluation.overdue"]
RatingEventType = Literal[
    "evaluation.rated", "evaluation.rating_updated", "evaluation.rating_locked"
]
ObjectionEventType = Literal["evaluation.objection_filed", "evaluation.objection_decided"]
DevelopmentPlanEventType = Literal["evaluation.development_planned"]
# The rater's own events: what they must rate, what they answered, what is overdue. Streams send
# them to the rater alone, never to the rater's supervisors or administrators, who could
# otherwise time a rater's answer against the results.
RATER_ONLY_EVENT_TYPES = frozenset(get_args(AssignedEventType)) | frozenset(
    get_args(AssignmentEventType)
)


class CycleEventData(EventData):
    """A cycle launched (its assignments created) or closed."""

    event_types = frozenset(get_args(CycleEventType))

    cycle_id: uuid.UUID
    period_id: uuid.UUID
    status: CycleStatus


class AssignedEventData(EventData):
    """New assignments for the rater in a cycle: how many, and when they are due. It names
    neither the ratees nor the relations."""

    event_types = frozenset(get_args(AssignedEventType))

    cycle_id: uuid.UUID
    due_on: date
    assignments: int


class AssignmentEventData(EventData):
    """An assignment answered by the rater, or overdue after the close date. It names neither
    the ratee nor the relation."""

    event_types = frozenset(get_args(AssignmentEventType))

    assignment_id: uuid.UUID
    cycle_id: uuid.UUID
    due_on: date
    status: AssignmentStatus


class RatingEventData(EventData):
    """A rating recorded, changed (while a draft, or by an objection's decision) or locked. The
    predikat is read from the rating, which its readers may see."""

    event_types = frozenset(get_args(RatingEventType))

    rating_id: uuid.UUID
    period_id: uuid.UUID
    status: RatingStatus


class ObjectionEventData(EventData):
    event_types = frozenset(get_args(ObjectionEventType))

    objection_id: uuid.UUID
    rating_id: uuid.UUID
    status: ObjectionStatus


class DevelopmentPlanEventData(EventData):
    event_types = frozenset(get_args(DevelopmentPlanEventType))

    development_plan_id: uuid.UUID
    rating_id: uuid.UUID
