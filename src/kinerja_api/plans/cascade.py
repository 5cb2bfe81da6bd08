"""The cascade view of a plan: the targets above it it contributes to, its own, those cascaded
below it, and whether directly cascaded indicators add up."""

import uuid
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.principal import Principal
from kinerja_api.core.audit import snapshot
from kinerja_api.models.plans import Indicator, Plan
from kinerja_api.plans import repository
from kinerja_api.plans.revisions import TARGET_FIELDS
from kinerja_api.plans.schemas import Alignment, CascadeOut, CascadeTarget, IndicatorAlignment
from kinerja_api.plans.views import find_plan


async def cascade(session: AsyncSession, principal: Principal, plan_id: uuid.UUID) -> CascadeOut:
    plan = await find_plan(session, principal, plan_id)
    own = await _cascade_rows(session, plan, repository.own_targets(plan))
    above = await _cascade_rows(session, plan, repository.ancestors(plan))
    below = await _cascade_rows(session, plan, repository.descendants(plan))
    return CascadeOut(
        plan_id=plan.id,
        above=sorted(above, key=lambda t: (-t.level, t.title)),
        targets=own,
        below=sorted(below, key=lambda t: (t.level, t.title)),
        alignment=await _alignment(session, plan, [*own, *below]),
    )


async def _cascade_rows(
    session: AsyncSession, plan: Plan, ids_and_levels: Select[uuid.UUID, int]
) -> list[CascadeTarget]:
    return [
        CascadeTarget.model_validate(
            {
                **snapshot(target, TARGET_FIELDS),
                "plan_id": target.plan_id,
                "employee_id": employee,
                "level": level,
            }
        )
        for target, employee, level in await repository.cascade_rows(session, plan, ids_and_levels)
    ]


async def _alignment(
    session: AsyncSession, plan: Plan, nodes: list[CascadeTarget]
) -> list[IndicatorAlignment]:
    """For each indicator of a target with `direct` children, whether the children's indicators
    that share it add up to its target value; one that none of them shares is not split, so it
    is reported as not cascaded rather than under its target."""
    direct_children: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for node in nodes:
        if node.parent_target_id is not None and node.cascade_mode == "direct":
            direct_children[node.parent_target_id].add(node.id)
    if not direct_children:
        return []
    indicators = await repository.indicators_of_targets(session, plan, [node.id for node in nodes])
    shares: dict[uuid.UUID, list[Indicator]] = defaultdict(list)
    for indicator in indicators:
        if indicator.parent_indicator_id is not None:
            shares[indicator.parent_indicator_id].append(indicator)
    result: list[IndicatorAlignment] = []
    for indicator in indicators:
        children = direct_children.get(indicator.target_id)
        if not children:
            continue
        parts = [i for i in shares[indicator.id] if i.target_id in children]
        total = sum((i.target_value for i in parts), Decimal(0))
        result.append(
            IndicatorAlignment(
                target_id=indicator.target_id,
                indicator_id=indicator.id,
                unit=indicator.unit,
                target_value=indicator.target_value,
                children_total=total,
                children=len(parts),
                alignment=_compare(total, indicator.target_value)
                if parts
                else Alignment.NOT_CASCADED,
            )
        )
    return result


def _compare(total: Decimal, expected: Decimal) -> Alignment:
    if total == expected:
        return Alignment.ALIGNED
    return Alignment.UNDER if total < expected else Alignment.OVER
