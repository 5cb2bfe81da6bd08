"""An employee's standing as other domains may read it: the predikat of their latest locked
rating and the BerAKHLAK values their latest closed 360° cycle shows below expectation.

Weak values are read under the results' own anonymity rules (`anonymity.ratee_results`): only
the groups a reader of the results would be shown count, so nothing withheld there (a peer or
subordinate group under the threshold) leaks through here. A value is weak when its mean over
those groups is below `WEAK_BELOW`, the middle of the 1-5 scale (cukup — meets expectation)."""

import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.evaluations.results import anonymity, repository
from kinerja_api.evaluations.results.service import policy
from kinerja_api.models.evaluations import (
    CoreValue,
    CycleStatus,
    EvaluationAssignment,
    EvaluationCycle,
    EvaluationRating,
    Predicate,
    RatingStatus,
)
from kinerja_api.models.plans import Period

WEAK_BELOW = Decimal(3)


@dataclass(frozen=True, slots=True)
class WeakValue:
    value: CoreValue
    mean: str


@dataclass(frozen=True, slots=True)
class Standing:
    rating_id: uuid.UUID | None
    predicate: Predicate | None
    """Of the latest locked rating (by period year); None when none is locked yet."""
    cycle_id: uuid.UUID | None
    """The latest closed cycle in which the employee was rated; None when there is none."""
    weak_values: list[WeakValue]
    """Weakest first; empty when nothing is below expectation or every group is withheld."""


async def latest_standing(
    session: AsyncSession, region_id: uuid.UUID, employee_id: uuid.UUID
) -> Standing:
    """The caller has already decided that its principal may read about this employee."""
    rating = (
        await session.execute(
            select(EvaluationRating.id, EvaluationRating.predicate)
            .join(Period, Period.id == EvaluationRating.period_id)
            .where(
                EvaluationRating.region_id == region_id,
                EvaluationRating.employee_id == employee_id,
                EvaluationRating.status == RatingStatus.LOCKED,
            )
            .order_by(Period.year.desc(), EvaluationRating.locked_at.desc().nulls_last())
            .limit(1)
        )
    ).one_or_none()
    rated = (
        select(EvaluationAssignment.id)
        .where(
            EvaluationAssignment.region_id == region_id,
            EvaluationAssignment.cycle_id == EvaluationCycle.id,
            EvaluationAssignment.ratee_id == employee_id,
        )
        .exists()
    )
    cycle = await session.scalar(
        select(EvaluationCycle)
        .where(
            EvaluationCycle.region_id == region_id,
            EvaluationCycle.status == CycleStatus.CLOSED,
            rated,
        )
        .order_by(EvaluationCycle.closes_on.desc(), EvaluationCycle.id.desc())
        .limit(1)
    )
    weak: list[WeakValue] = []
    if cycle is not None:
        tallies = await repository.ratee_tallies(session, cycle, employee_id)
        groups = anonymity.ratee_results(tallies, policy(cycle))
        weak = [
            WeakValue(item.value, item.mean)
            for item in anonymity.weakest_values(groups, tallies, limit=len(CoreValue))
            if Decimal(item.mean) < WEAK_BELOW
        ]
    return Standing(
        rating_id=rating.id if rating is not None else None,
        predicate=Predicate(rating.predicate) if rating is not None else None,
        cycle_id=cycle.id if cycle is not None else None,
        weak_values=weak,
    )
