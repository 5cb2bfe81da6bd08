"""The statements development plans are read and written with, and the one condition saying
which a principal may read (`readable`): those of the employees whose evaluations they may read
(`evaluations.readers`), and those they wrote."""

import uuid
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.principal import Principal
from kinerja_api.evaluations.readers import evaluated_readable
from kinerja_api.models.evaluations import DevelopmentPlan, EvaluationRating


def readable(principal: Principal) -> ColumnElement[bool]:
    """On a statement joining the plan's rating (whose agency places the employee)."""
    return evaluated_readable(
        principal,
        region=DevelopmentPlan.region_id,
        employee=DevelopmentPlan.employee_id,
        agency=EvaluationRating.agency_id,
        rater=DevelopmentPlan.author_id,
    )


def readable_plans(principal: Principal) -> Select[Any]:
    return (
        select(DevelopmentPlan)
        .join(
            EvaluationRating,
            (EvaluationRating.id == DevelopmentPlan.rating_id)
            & (EvaluationRating.region_id == DevelopmentPlan.region_id),
        )
        .where(readable(principal))
    )


async def find(
    session: AsyncSession, principal: Principal, plan_id: uuid.UUID, *, for_update: bool = False
) -> tuple[DevelopmentPlan, EvaluationRating] | None:
    statement = (
        select(DevelopmentPlan, EvaluationRating)
        .join(
            EvaluationRating,
            (EvaluationRating.id == DevelopmentPlan.rating_id)
            & (EvaluationRating.region_id == DevelopmentPlan.region_id),
        )
        .where(DevelopmentPlan.id == plan_id, readable(principal))
    )
    if for_update:
        statement = statement.with_for_update(of=DevelopmentPlan)
    row = (await session.execute(statement)).one_or_none()
    return None if row is None else (row[0], row[1])


async def rating_for_update(
    session: AsyncSession, principal: Principal, region_id: uuid.UUID, rating_id: uuid.UUID
) -> EvaluationRating | None:
    """The rating, locked so that two plans for it are recorded one after the other, when the
    caller may read it."""
    rating: EvaluationRating | None = await session.scalar(
        select(EvaluationRating)
        .where(
            EvaluationRating.id == rating_id,
            EvaluationRating.region_id == region_id,
            evaluated_readable(
                principal,
                region=EvaluationRating.region_id,
                employee=EvaluationRating.employee_id,
                agency=EvaluationRating.agency_id,
                rater=EvaluationRating.rater_id,
            ),
        )
        .with_for_update()
    )
    return rating


async def plan_of(session: AsyncSession, rating: EvaluationRating) -> uuid.UUID | None:
    found: uuid.UUID | None = await session.scalar(
        select(DevelopmentPlan.id).where(
            DevelopmentPlan.region_id == rating.region_id, DevelopmentPlan.rating_id == rating.id
        )
    )
    return found
