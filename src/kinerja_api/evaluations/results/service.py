"""A cycle's 360° results: per ratee and rater group, what `anonymity` lets readers see, and the
citizens' satisfaction (IKM) beside one ratee's result. Reads only: nothing here writes an audit
row or an event, so reading a result leaves no trace that could be compared with another."""

import uuid
from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import not_found
from kinerja_api.auth.principal import Principal
from kinerja_api.core.pagination import PageParams, list_scope
from kinerja_api.evaluations.results import anonymity, repository
from kinerja_api.evaluations.results.anonymity import CyclePolicy, GroupResult
from kinerja_api.evaluations.results.repository import CycleView
from kinerja_api.evaluations.results.schemas import (
    CitizenSatisfactionOut,
    CycleEvidenceOut,
    IkmElementOut,
    RateeResultDetailOut,
    RateeResultOut,
    ResultFilters,
    ResultGroupDetailOut,
)
from kinerja_api.feedback import api as feedback
from kinerja_api.models.evaluations import CycleStatus, EvaluationCycle, RaterRelation
from kinerja_api.models.org import Employee
from kinerja_api.org.agencies.service import subtree

LIST_NAME = "evaluation-results"
_RATEES = TypeAdapter(list[RateeResultOut])
LIST_SORT = "ratee"


async def find_cycle(session: AsyncSession, principal: Principal, cycle_id: uuid.UUID) -> CycleView:
    view = await repository.find_cycle(session, principal, cycle_id)
    if view is None:
        raise not_found("Evaluation cycle")
    return view


def policy(cycle: EvaluationCycle) -> CyclePolicy:
    return anonymity.policy_of(
        include={
            RaterRelation.SELF: cycle.include_self,
            RaterRelation.SUPERVISOR: cycle.include_supervisor,
            RaterRelation.PEER: cycle.include_peers,
            RaterRelation.SUBORDINATE: cycle.include_subordinates,
        },
        threshold=cycle.anonymity_threshold,
        closed=cycle.status == CycleStatus.CLOSED,
    )


def _group(group: GroupResult, *, comments: bool) -> dict[str, Any]:
    """A group as its response model reads it (lists validate a page of these in one pass)."""
    shown = {
        "relation": group.relation,
        "anonymous": group.anonymous,
        "withheld": group.withheld,
        "responses": group.responses,
        "mean": group.mean,
        "means": group.means,
    }
    if comments:
        shown["comments"] = group.comments
    return shown


def _ratee(rows: Iterable[Any], cycle_policy: CyclePolicy) -> dict[str, Any]:
    collected = list(rows)
    first = collected[0]
    tallies = {
        tally.relation: tally
        for tally in (
            repository.group_tally(row[4], row[5:]) for row in collected if row[4] is not None
        )
    }
    return {
        "employee_id": first.ratee_id,
        "name": first.name,
        "nip": first.nip,
        "agency_id": first.agency_id,
        "groups": [
            _group(group, comments=False)
            for group in anonymity.ratee_results(tallies, cycle_policy)
        ],
    }


async def list_results(
    session: AsyncSession,
    principal: Principal,
    cycle_id: uuid.UUID,
    filters: ResultFilters,
    page: PageParams,
) -> tuple[list[RateeResultOut], str | None]:
    """A page of the cycle's ratees the caller may read, in id order, computed in one
    statement (the ratees and their grouped answers)."""
    view = await find_cycle(session, principal, cycle_id)
    scope = list_scope(LIST_NAME, LIST_SORT, {"cycle_id": cycle_id, **asdict(filters)})
    after = page.codec.decode(scope, page.cursor) if page.cursor is not None else None
    conditions = []
    under = subtree(principal, filters.under, Employee.agency_id)
    if under is not None and under.condition is not None:
        conditions.append(under.condition)
    if filters.employee_id is not None:
        conditions.append(Employee.id == filters.employee_id)
    statement = repository.results_page(
        principal, view.cycle, conditions=conditions, after=after, limit=page.limit
    )
    # Through the connection: plain rows, without the ORM's result processing.
    connection = await session.connection()
    rows = (await connection.execute(statement)).all()
    cycle_policy = policy(view.cycle)
    ratees = [_ratee(group, cycle_policy) for _, group in groupby(rows, key=lambda r: r.ratee_id)]
    cursor = None
    if len(ratees) > page.limit:
        ratees = ratees[: page.limit]
        cursor = page.codec.encode(scope, [ratees[-1]["employee_id"]])
    return _RATEES.validate_python(ratees), cursor


def period_bounds(view: CycleView) -> tuple[datetime, datetime]:
    """The cycle's quarter, or its year, from local midnight to local midnight."""
    zone = ZoneInfo(view.timezone)
    quarter = view.cycle.quarter
    if quarter is None:
        return datetime(view.year, 1, 1, tzinfo=zone), datetime(view.year + 1, 1, 1, tzinfo=zone)
    starts = datetime(view.year, 3 * (quarter - 1) + 1, 1, tzinfo=zone)
    ends = (
        datetime(view.year + 1, 1, 1, tzinfo=zone)
        if quarter == 4
        else datetime(view.year, 3 * quarter + 1, 1, tzinfo=zone)
    )
    return starts, ends


async def _citizens(
    session: AsyncSession, view: CycleView, employee_id: uuid.UUID
) -> CitizenSatisfactionOut | None:
    starts_at, ends_at = period_bounds(view)
    figures = await feedback.staff_satisfaction(
        session, view.cycle.region_id, employee_id, starts_at, ends_at
    )
    if figures is None:
        return None
    return CitizenSatisfactionOut(
        respondents=figures.respondents,
        ikm=figures.ikm,
        grade=figures.grade,
        label=figures.label,
        elements=[IkmElementOut(element=name, nrr=nrr) for name, nrr in figures.elements],
        starts_at=starts_at,
        ends_at=ends_at,
    )


async def ratee_result(
    session: AsyncSession, principal: Principal, cycle_id: uuid.UUID, employee_id: uuid.UUID
) -> RateeResultDetailOut:
    view = await find_cycle(session, principal, cycle_id)
    cycle = view.cycle
    ratee = await repository.find_ratee(session, principal, cycle, employee_id)
    if ratee is None:
        raise not_found("Evaluation result")
    tallies = await repository.ratee_tallies(session, cycle, employee_id)
    cycle_policy = policy(cycle)
    groups = anonymity.ratee_results(tallies, cycle_policy)
    return RateeResultDetailOut(
        cycle_id=cycle.id,
        employee_id=ratee.id,
        name=ratee.name,
        nip=ratee.nip,
        agency_id=ratee.agency_id,
        anonymity_threshold=max(cycle.anonymity_threshold, anonymity.ANONYMITY_FLOOR),
        cycle_closed=cycle_policy.closed,
        groups=[ResultGroupDetailOut.model_validate(_group(g, comments=True)) for g in groups],
        citizens=await _citizens(session, view, employee_id),
    )


async def perilaku_evidence(
    session: AsyncSession, region_id: uuid.UUID, period_id: uuid.UUID, employee_id: uuid.UUID
) -> list[CycleEvidenceOut]:
    """The employee's 360° results in the period's cycles, for whoever reads their rating:
    the same groups, withheld by the same rules, without comments."""
    evidence = []
    for cycle in await repository.cycles_rating(session, region_id, period_id, employee_id):
        tallies = await repository.ratee_tallies(session, cycle, employee_id)
        groups = anonymity.ratee_results(tallies, policy(cycle))
        evidence.append(
            CycleEvidenceOut.model_validate(
                {
                    "cycle_id": cycle.id,
                    "name": cycle.name,
                    "cycle_closed": cycle.status == CycleStatus.CLOSED,
                    "groups": [_group(group, comments=False) for group in groups],
                }
            )
        )
    return evidence
