"""Tindak lanjut: what follows from each rated employee's predikat. Sangat Baik makes an award
candidate; Butuh Perbaikan, Kurang and Sangat Kurang require a development plan recorded by the
supervisor, for which a cycle's results hint at the weakest core values (under the same
anonymity rules as the results themselves)."""

import uuid
from dataclasses import asdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import not_found
from kinerja_api.auth.principal import Principal
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import ListOf, list_page
from kinerja_api.core.pagination import PageParams
from kinerja_api.core.problems import field_problem
from kinerja_api.evaluations.predicate import AWARD_CANDIDATE, NEEDS_DEVELOPMENT
from kinerja_api.evaluations.results import anonymity, repository
from kinerja_api.evaluations.results.anonymity import GroupTally
from kinerja_api.evaluations.results.repository import RATING_KEYSET, CycleView
from kinerja_api.evaluations.results.schemas import (
    FollowUpAward,
    FollowUpFilters,
    FollowUpKind,
    FollowUpOut,
    ResultValueOut,
)
from kinerja_api.evaluations.results.service import find_cycle, policy
from kinerja_api.models.evaluations import (
    EvaluationRating,
    Predicate,
    RaterRelation,
    RatingStatus,
)
from kinerja_api.org.agencies.service import in_subtree, subtree

AWARDS = (
    FollowUpAward.PIAGAM,
    FollowUpAward.TUNJANGAN_KINERJA,
    FollowUpAward.PROMOTION_CONSIDERATION,
)
_LIST = ListOf("evaluation-follow-up", {"rating": RATING_KEYSET})
_ONE_OF = Msg(
    "Berikan cycle_id atau period_id, salah satu saja.", "Give cycle_id or period_id, not both."
)


def follow_up_of(predicate: Predicate) -> FollowUpKind:
    if predicate == AWARD_CANDIDATE:
        return FollowUpKind.AWARD_CANDIDATE
    if predicate in NEEDS_DEVELOPMENT:
        return FollowUpKind.DEVELOPMENT_PLAN
    return FollowUpKind.NONE


def _row_out(
    row: Any, cycle: CycleView | None, tallies: dict[Any, dict[RaterRelation, GroupTally]]
) -> FollowUpOut:
    predicate = Predicate(row.predicate)
    follow_up = follow_up_of(predicate)
    required = follow_up is FollowUpKind.DEVELOPMENT_PLAN
    weak: list[ResultValueOut] | None = None
    if cycle is not None and required:
        own = tallies.get(row.employee_id, {})
        groups = anonymity.ratee_results(own, policy(cycle.cycle))
        weak = [
            ResultValueOut(value=item.value, mean=item.mean)
            for item in anonymity.weakest_values(groups, own)
        ]
    return FollowUpOut(
        rating_id=row.id,
        employee_id=row.employee_id,
        name=row.name,
        nip=row.nip,
        agency_id=row.agency_id,
        period_id=row.period_id,
        predicate=predicate,
        rating_status=RatingStatus(row.status),
        kind=follow_up,
        awards=list(AWARDS) if follow_up is FollowUpKind.AWARD_CANDIDATE else [],
        development_plan_required=required,
        development_plan_id=row.development_plan_id,
        weak_values=weak,
    )


async def _scope(
    session: AsyncSession, principal: Principal, filters: FollowUpFilters
) -> tuple[CycleView | None, uuid.UUID]:
    """The cycle (if one was given) and the period whose ratings are listed."""
    if filters.cycle_id is not None and filters.period_id is None:
        cycle = await find_cycle(session, principal, filters.cycle_id)
        return cycle, cycle.cycle.period_id
    if filters.period_id is not None and filters.cycle_id is None:
        if not await repository.period_in_region(session, principal, filters.period_id):
            raise not_found("Period")
        return None, filters.period_id
    raise field_problem("query.cycle_id", _ONE_OF)


async def list_follow_up(
    session: AsyncSession, principal: Principal, filters: FollowUpFilters, page: PageParams
) -> tuple[list[FollowUpOut], str | None]:
    """One row per rated employee the caller may read, in rating id order."""
    cycle, period_id = await _scope(session, principal, filters)
    in_cycle_subtree = (
        in_subtree(EvaluationRating.agency_id, cycle.agency_path)
        if cycle is not None and cycle.agency_path is not None
        else None
    )
    rows, cursor = await list_page(
        session,
        repository.follow_up_rows(principal),
        _LIST,
        "rating",
        cursor_filters=asdict(filters),
        page=page,
        equal={
            EvaluationRating.period_id: period_id,
            EvaluationRating.predicate: filters.predicate,
        },
        where=[in_cycle_subtree],
        subtree=subtree(principal, filters.under, EvaluationRating.agency_id),
        rows=True,
    )
    tallies: dict[Any, dict[RaterRelation, GroupTally]] = {}
    if cycle is not None:
        needing = [row.employee_id for row in rows if Predicate(row.predicate) in NEEDS_DEVELOPMENT]
        if needing:
            tallies = await repository.tallies_of(session, cycle.cycle, needing)
    return [_row_out(row, cycle, tallies) for row in rows], cursor
