"""What other domains may use of evaluations: the one module they import from it.

The progress streams carry evaluation events, so they describe them with evaluations' own
models, and send the rater's own events to the rater alone. Training reads the predikat matrix,
the predikat that call for a development plan, and an employee's latest standing (predikat and
weak core values, under the results' anonymity rules) to suggest programs. Imports of
assignments read which cycle switch admits each rater relation."""

from kinerja_api.evaluations.cycles.repository import RELATION_GROUPS
from kinerja_api.evaluations.events import (
    RATER_ONLY_EVENT_TYPES,
    AssignedEventData,
    AssignedEventType,
    AssignmentEventData,
    AssignmentEventType,
    CycleEventData,
    CycleEventType,
    DevelopmentPlanEventData,
    DevelopmentPlanEventType,
    ObjectionEventData,
    ObjectionEventType,
    RatingEventData,
    RatingEventType,
)
from kinerja_api.evaluations.predicate import MATRIX, NEEDS_DEVELOPMENT
from kinerja_api.evaluations.results.standing import Standing, WeakValue, latest_standing

__all__ = [
    "MATRIX",
    "NEEDS_DEVELOPMENT",
    "RATER_ONLY_EVENT_TYPES",
    "RELATION_GROUPS",
    "AssignedEventData",
    "AssignedEventType",
    "AssignmentEventData",
    "AssignmentEventType",
    "CycleEventData",
    "CycleEventType",
    "DevelopmentPlanEventData",
    "DevelopmentPlanEventType",
    "ObjectionEventData",
    "ObjectionEventType",
    "RatingEventData",
    "RatingEventType",
    "Standing",
    "WeakValue",
    "latest_standing",
]
