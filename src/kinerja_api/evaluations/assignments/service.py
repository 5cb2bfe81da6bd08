"""Assignments: what each rater must rate, and their one response to each.

Anonymity is the rule everything here follows. A response is written without the rater, the
assignment or a time; the assignment only records that it was answered. Administrators see
who must still answer, never whom an anonymous rater (peer, subordinate) rates; the audit row
and the event of a submission name the assignment, never the answers or the ratee."""

import uuid
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import not_found
from kinerja_api.auth.principal import Principal
from kinerja_api.core import clock
from kinerja_api.core.audit import record
from kinerja_api.core.events import publish
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import ListOf, ListQuery, list_query, page_of
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.core.problems import ALREADY_SUBMITTED, EVALUATION_NOT_OPEN, FORBIDDEN, Problem
from kinerja_api.evaluations.assignments import repository
from kinerja_api.evaluations.assignments.schemas import (
    AssignmentFilters,
    AssignmentOut,
    AssignmentSort,
    ResponseIn,
)
from kinerja_api.evaluations.cycles.repository import reads_cycles
from kinerja_api.evaluations.events import AssignmentEventData
from kinerja_api.models.evaluations import (
    AssignmentStatus,
    CycleStatus,
    EvaluationAssignment,
)

ENTITY = "evaluation_assignment"
_LIST = ListOf(
    "evaluation-assignments",
    {AssignmentSort.DUE_ON: Keyset((EvaluationAssignment.due_on, EvaluationAssignment.id))},
)
_ONLY_OWN = Msg(
    "Hanya administrator siklus yang melihat penugasan penilai lain; gunakan mine=true.",
    "Only a cycle's administrators list other raters' assignments; use mine=true.",
)
_NOT_RATER = Msg(
    "Hanya penilai yang ditugaskan yang dapat mengisi penilaian ini.",
    "Only the assigned rater may answer this assignment.",
)
_ANSWERED = Msg(
    "Penilaian ini sudah dikirim dan tidak dapat diubah.",
    "This assignment was already answered; a response cannot be changed.",
)
_NOT_OPEN = Msg(
    "Penilaian hanya dapat dikirim selama siklus berjalan, {opens_on} sampai {closes_on}.",
    "Answers are taken only while the cycle runs, {opens_on} to {closes_on}.",
)


def view(row: Row[Any]) -> AssignmentOut:
    return AssignmentOut.model_validate(row._mapping)


async def assignments_query(
    _session: AsyncSession, principal: Principal, filters: AssignmentFilters, sort: AssignmentSort
) -> ListQuery:
    mine = bool(filters.mine)
    if not mine and not reads_cycles(principal):
        raise Problem(FORBIDDEN, _ONLY_OWN)
    return list_query(
        repository.readable_rows(principal, mine=mine),
        _LIST,
        sort,
        cursor_filters=asdict(filters),
        equal={
            EvaluationAssignment.cycle_id: filters.cycle_id,
            EvaluationAssignment.status: filters.status,
            EvaluationAssignment.rater_id: filters.rater_id,
        },
        rows=True,
    )


async def assignment_views(
    _session: AsyncSession, _principal: Principal, rows: Sequence[Row[Any]]
) -> list[AssignmentOut]:
    return [view(row) for row in rows]


async def list_assignments(
    session: AsyncSession,
    principal: Principal,
    *,
    filters: AssignmentFilters,
    sort: AssignmentSort,
    page: PageParams,
) -> tuple[list[AssignmentOut], str | None]:
    query = await assignments_query(session, principal, filters, sort)
    rows, cursor = await page_of(session, query, page)
    return await assignment_views(session, principal, rows), cursor


async def get_assignment(
    session: AsyncSession, principal: Principal, assignment_id: uuid.UUID
) -> AssignmentOut:
    row = await repository.find(session, principal, assignment_id)
    if row is None:
        raise not_found("Evaluation assignment")
    return view(row)


def _open_for_answers(assignment: Row[Any]) -> None:
    today = clock.today_in(assignment.timezone)
    if (
        assignment.cycle_status != CycleStatus.LAUNCHED
        or assignment.status == AssignmentStatus.OVERDUE
        or not assignment.opens_on <= today <= assignment.closes_on
    ):
        raise Problem(
            EVALUATION_NOT_OPEN,
            _NOT_OPEN,
            params={
                "opens_on": assignment.opens_on.isoformat(),
                "closes_on": assignment.closes_on.isoformat(),
            },
            opens_on=assignment.opens_on.isoformat(),
            closes_on=assignment.closes_on.isoformat(),
        )


async def submit(
    session: AsyncSession, principal: Principal, assignment_id: uuid.UUID, data: ResponseIn
) -> AssignmentOut:
    """The rater's one response: only while the cycle is launched and today, in the region's
    zone, lies between its opening and closing days."""
    assignment = await repository.own_for_submission(session, principal, assignment_id)
    if assignment is None:
        if await repository.find(session, principal, assignment_id) is not None:
            raise Problem(FORBIDDEN, _NOT_RATER)
        raise not_found("Evaluation assignment")
    if assignment.status == AssignmentStatus.SUBMITTED:
        raise Problem(ALREADY_SUBMITTED, _ANSWERED)
    _open_for_answers(assignment)
    version = await repository.submit(
        session,
        assignment,
        [(answer.value.value, answer.score, answer.comment) for answer in data.answers],
    )
    if version is None:
        raise Problem(ALREADY_SUBMITTED, _ANSWERED)
    await record(
        session,
        principal,
        f"{ENTITY}.submitted",
        entity_type=ENTITY,
        entity_id=assignment.id,
        region_id=assignment.region_id,
        after={"status": AssignmentStatus.SUBMITTED.value},
    )
    await publish(
        session,
        "evaluation.submitted",
        region_id=assignment.region_id,
        entity_type=ENTITY,
        entity_id=assignment.id,
        employee_id=assignment.rater_id,
        payload=AssignmentEventData(
            assignment_id=assignment.id,
            cycle_id=assignment.cycle_id,
            due_on=assignment.due_on,
            status=AssignmentStatus.SUBMITTED,
        ),
    )
    return AssignmentOut.model_validate(
        {
            **{name: getattr(assignment, name) for name in AssignmentOut.model_fields},
            "status": AssignmentStatus.SUBMITTED,
            "version": version,
        }
    )
