"""The `data` of the events plans publish. Plan events are streamed (the progress streams
reuse `PlanEventType` and `PlanEventData` through `plans.api`); target and indicator edits are
not, a client fetches the plan again."""

import uuid
from typing import Literal, get_args

from kinerja_api.core.events import EventData
from kinerja_api.models.plans import PlanStatus

PlanEventType = Literal[
    "plan.created", "plan.submitted", "plan.approved", "plan.returned", "plan.revised"
]


class PlanEventData(EventData):
    """A plan created or moved through its workflow."""

    event_types = frozenset(get_args(PlanEventType))

    plan_id: uuid.UUID
    period_id: uuid.UUID
    status: PlanStatus
    revision: int
    approver_id: uuid.UUID | None


class TargetEventData(EventData):
    event_types = frozenset({"target.created", "target.updated", "target.deleted"})

    plan_id: uuid.UUID
    target_id: uuid.UUID


class IndicatorEventData(EventData):
    event_types = frozenset({"indicator.created", "indicator.updated", "indicator.deleted"})

    plan_id: uuid.UUID
    indicator_id: uuid.UUID
