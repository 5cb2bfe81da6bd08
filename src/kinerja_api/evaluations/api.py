"""What other domains may use of evaluations: the one module they import from it.

The progress streams carry evaluation events, so they describe them with evaluations' own
models, and send the rater's own events to the rater alone."""

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

__all__ = [
    "RATER_ONLY_EVENT_TYPES",
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
]
