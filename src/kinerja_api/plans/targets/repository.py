"""The statements targets (RHK) and indicators (IKI) are read and written with; a target or an
indicator is readable when its plan is (`plans.repository.readable`)."""

import uuid
from typing import Any

from sqlalchemy import Exists, Select, delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.principal import Principal
from kinerja_api.models.org import Employee
from kinerja_api.models.plans import Indicator, Plan, Target
from kinerja_api.plans import repository as plans


async def find_target(
    session: AsyncSession, principal: Principal, target_id: uuid.UUID
) -> tuple[Target, Plan] | None:
    row = (
        await session.execute(
            select(Target, Plan)
            .join(Plan, Plan.id == Target.plan_id)
            .where(Target.id == target_id, plans.readable(principal))
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def find_indicator(
    session: AsyncSession, principal: Principal, indicator_id: uuid.UUID
) -> tuple[Indicator, Plan] | None:
    row = (
        await session.execute(
            select(Indicator, Plan)
            .join(Plan, Plan.id == Indicator.plan_id)
            .where(Indicator.id == indicator_id, plans.readable(principal))
        )
    ).first()
    return None if row is None else (row[0], row[1])


def readable_targets(principal: Principal) -> Select[Any]:
    """Targets of every plan the caller may read."""
    return select(Target).join(Plan, Plan.id == Target.plan_id).where(plans.readable(principal))


def readable_indicators(principal: Principal) -> Select[Any]:
    """Indicators of every plan the caller may read."""
    return (
        select(Indicator).join(Plan, Plan.id == Indicator.plan_id).where(plans.readable(principal))
    )


def targets_of(plan: Plan) -> Select[Any]:
    return select(Target).where(Target.region_id == plan.region_id, Target.plan_id == plan.id)


def indicators_of(target: Target) -> Select[Any]:
    return select(Indicator).where(
        Indicator.region_id == target.region_id, Indicator.target_id == target.id
    )


async def supervisors_target(
    session: AsyncSession, plan: Plan, target_id: uuid.UUID
) -> uuid.UUID | None:
    """`target_id`, when it is a target of the plan's employee's direct supervisor's plan in the
    same period."""
    supervisor = select(Employee.supervisor_id).where(Employee.id == plan.employee_id)
    found: uuid.UUID | None = await session.scalar(
        select(Target.id)
        .join(Plan, Plan.id == Target.plan_id)
        .where(
            Target.id == target_id,
            Target.region_id == plan.region_id,
            Plan.period_id == plan.period_id,
            Plan.employee_id == supervisor.scalar_subquery(),
        )
    )
    return found


async def has_children(session: AsyncSession, target: Target) -> bool:
    children = exists().where(
        # Named, not left to row-level security, so the (region_id, parent_target_id) index
        # serves the look-up; a child is always in its parent's region.
        Target.region_id == target.region_id,
        Target.parent_target_id == target.id,
    )
    return bool(await session.scalar(select(children)))


async def unshare_indicators(session: AsyncSession, target: Target) -> None:
    await session.execute(
        update(Indicator)
        .where(
            Indicator.region_id == target.region_id,
            Indicator.target_id == target.id,
            Indicator.parent_indicator_id.is_not(None),
        )
        .values(parent_indicator_id=None, version=Indicator.version + 1, updated_at=func.now())
        .execution_options(synchronize_session=False)
    )


async def delete_indicators_of(session: AsyncSession, target: Target) -> list[uuid.UUID]:
    """Deletes the target's indicators; returns their ids."""
    deleted = await session.scalars(
        delete(Indicator)
        .where(Indicator.region_id == target.region_id, Indicator.target_id == target.id)
        .returning(Indicator.id)
    )
    return list(deleted)


async def parent_indicator_unit(
    session: AsyncSession, target: Target, parent_indicator_id: uuid.UUID
) -> str | None:
    """The unit of `parent_indicator_id` when it is an indicator of the target's parent."""
    unit: str | None = await session.scalar(
        select(Indicator.unit).where(
            Indicator.id == parent_indicator_id,
            Indicator.region_id == target.region_id,
            Indicator.target_id == target.parent_target_id,
        )
    )
    return unit


def _shares_of(indicator: Indicator) -> Exists:
    return exists().where(
        # Named, so the (region_id, parent_indicator_id) index serves the look-up.
        Indicator.region_id == indicator.region_id,
        Indicator.parent_indicator_id == indicator.id,
    )


async def is_shared(session: AsyncSession, indicator: Indicator) -> bool:
    return bool(await session.scalar(select(_shares_of(indicator))))


async def shared_in_another_unit(session: AsyncSession, indicator: Indicator, unit: str) -> bool:
    differs = _shares_of(indicator).where(Indicator.unit != unit)
    return bool(await session.scalar(select(differs)))
