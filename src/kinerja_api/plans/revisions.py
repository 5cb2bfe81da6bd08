"""What an approved revision keeps: the plan with its targets and indicators as they were when
it was approved."""

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.core.audit import plain, snapshot
from kinerja_api.models.plans import Plan
from kinerja_api.plans import repository

TARGET_FIELDS = (
    "id",
    "kind",
    "title",
    "description",
    "public",
    "parent_target_id",
    "cascade_mode",
    "position",
)
INDICATOR_FIELDS = (
    "id",
    "aspect",
    "description",
    "target_value",
    "unit",
    "aggregation",
    "weight",
    "parent_indicator_id",
    "position",
)


def _plan_fields(plan: Plan) -> dict[str, Any]:
    return {
        "id": plain(plan.id),
        "period_id": plain(plan.period_id),
        "employee_id": plain(plan.employee_id),
        "agency_id": plain(plan.agency_id),
        "approver_id": plain(plan.approver_id),
        "revision": plan.revision,
    }


async def record_revision(session: AsyncSession, plan: Plan, approved_by: uuid.UUID | None) -> None:
    """Keeps the plan's current revision as approved, with the snapshot `plan_snapshot` would
    build, assembled in the one statement that inserts it."""
    await repository.insert_revision(
        session,
        plan,
        approved_by=approved_by,
        plan_fields=_plan_fields(plan),
        target_fields=TARGET_FIELDS,
        indicator_fields=INDICATOR_FIELDS,
    )


async def plan_snapshot(session: AsyncSession, plan: Plan) -> dict[str, Any]:
    targets = await repository.targets_of(session, plan)
    indicators = await repository.indicators_of(session, plan)
    by_target: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for indicator in indicators:
        by_target[indicator.target_id].append(snapshot(indicator, INDICATOR_FIELDS))
    return {
        "plan": _plan_fields(plan),
        "targets": [
            {**snapshot(target, TARGET_FIELDS), "indicators": by_target[target.id]}
            for target in targets
        ],
    }
