"""The statements assignments and responses are read and written with.

A rater reads their own assignments in full. Administrators and auditors read the assignments
of the cycles they read (`cycles.repository.readable`), but in peer and subordinate relations
without the ratee: `readable_rows` selects the ratee's id, name and agency as null there, in
SQL, so no list, filter or sort can reach them. No statement here reads or writes when an
assignment was answered, and a response row holds neither the rater nor the assignment nor a
time."""

import uuid
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Row,
    Select,
    SmallInteger,
    Text,
    and_,
    bindparam,
    case,
    false,
    null,
    or_,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Uuid

from kinerja_api.auth.principal import Principal
from kinerja_api.evaluations.cycles.repository import readable as readable_cycle
from kinerja_api.models.evaluations import (
    ANONYMOUS_RELATIONS,
    EvaluationAssignment,
    EvaluationCycle,
)
from kinerja_api.models.org import Employee, Region

Assignment = EvaluationAssignment
_ANONYMOUS = [relation.value for relation in ANONYMOUS_RELATIONS]


def own(principal: Principal) -> ColumnElement[bool]:
    """The caller's own assignments, as rater."""
    if principal.kind != "user" or principal.employee_id is None or principal.region_id is None:
        return false()
    return and_(
        Assignment.region_id == principal.region_id,
        Assignment.rater_id == principal.employee_id,
    )


def _shown(principal: Principal, column: Any) -> Any:
    """`column` for the rater; null for anyone else when the relation is anonymous."""
    hidden: ColumnElement[bool] = Assignment.relation.in_(_ANONYMOUS)
    if principal.employee_id is not None:
        hidden = and_(hidden, Assignment.rater_id != principal.employee_id)
    return case((hidden, null()), else_=column)


def readable_rows(principal: Principal, *, mine: bool) -> Select[Any]:
    """The one statement assignments are read with: the caller's own (`mine`) or, for those
    who administer cycles, their cycles' and their own, with anonymous ratees hidden."""
    condition = own(principal)
    if not mine:
        condition = or_(condition, readable_cycle(principal))
    return (
        select(
            Assignment.id,
            Assignment.cycle_id,
            EvaluationCycle.name.label("cycle_name"),
            Assignment.rater_id,
            Assignment.relation,
            _shown(principal, Assignment.ratee_id).label("ratee_id"),
            _shown(principal, Employee.name).label("ratee_name"),
            _shown(principal, Assignment.agency_id).label("agency_id"),
            Assignment.due_on,
            Assignment.status,
            Assignment.version,
        )
        .join(
            EvaluationCycle,
            and_(
                EvaluationCycle.id == Assignment.cycle_id,
                EvaluationCycle.region_id == Assignment.region_id,
            ),
        )
        .join(Employee, Employee.id == Assignment.ratee_id)
        .where(condition)
    )


async def find(
    session: AsyncSession, principal: Principal, assignment_id: uuid.UUID
) -> Row[Any] | None:
    row: Row[Any] | None = (
        await session.execute(
            readable_rows(principal, mine=False).where(Assignment.id == assignment_id)
        )
    ).first()
    return row


# What a submission needs to know, in one round trip: the caller's own assignment, its cycle's
# state and dates, the region's time zone for "today", and what the answer shows the rater.
_OWN_FOR_SUBMISSION = (
    select(
        Assignment.id,
        Assignment.region_id,
        Assignment.cycle_id,
        EvaluationCycle.name.label("cycle_name"),
        Assignment.rater_id,
        Assignment.relation,
        Assignment.ratee_id,
        Employee.name.label("ratee_name"),
        Assignment.agency_id,
        Assignment.due_on,
        Assignment.status,
        Assignment.version,
        EvaluationCycle.status.label("cycle_status"),
        EvaluationCycle.opens_on,
        EvaluationCycle.closes_on,
        Region.timezone,
    )
    .join(
        EvaluationCycle,
        and_(
            EvaluationCycle.id == Assignment.cycle_id,
            EvaluationCycle.region_id == Assignment.region_id,
        ),
    )
    .join(Employee, Employee.id == Assignment.ratee_id)
    .join(Region, Region.id == Assignment.region_id)
    .where(
        Assignment.id == bindparam("assignment"),
        Assignment.region_id == bindparam("region"),
        Assignment.rater_id == bindparam("rater"),
    )
)


async def own_for_submission(
    session: AsyncSession, principal: Principal, assignment_id: uuid.UUID
) -> Row[Any] | None:
    """The assignment with its cycle's state, when the caller is its rater."""
    if principal.kind != "user" or principal.employee_id is None or principal.region_id is None:
        return None
    result = await session.execute(
        _OWN_FOR_SUBMISSION,
        {
            "assignment": assignment_id,
            "region": principal.region_id,
            "rater": principal.employee_id,
        },
    )
    return cast("Row[Any] | None", result.first())


# The assignment marked answered and the response stored, in one statement, only while the
# assignment is pending: answered once, even by two requests at the same moment. The
# assignment's version moves on, its `updated_at` stays as it was, so it does not record when.
# The response and its answers name neither the rater nor the assignment, and carry no time.
# Answers the assignment's new version; nothing when it was not pending.
_SUBMIT = text(
    """
with marked as (
    update evaluation_assignments
    set status = 'submitted', version = version + 1
    where id = :assignment and region_id = :region and status = 'pending'
    returning version
),
response as (
    insert into evaluation_responses (id, region_id, cycle_id, ratee_id, relation)
    select :response, :region, :cycle, :ratee, :relation from marked
),
answers as (
    insert into evaluation_answers
        (response_id, value, region_id, cycle_id, ratee_id, relation, score, comment)
    select :response, answer.value, :region, :cycle, :ratee, :relation,
           answer.score, answer.comment
    from marked, unnest(:answer_values, :scores, :comments) as answer(value, score, comment)
)
select version from marked
"""
).bindparams(
    bindparam("assignment", type_=Uuid),
    bindparam("response", type_=Uuid),
    bindparam("region", type_=Uuid),
    bindparam("cycle", type_=Uuid),
    bindparam("ratee", type_=Uuid),
    bindparam("relation", type_=Text),
    bindparam("answer_values", type_=ARRAY(Text)),
    bindparam("scores", type_=ARRAY(SmallInteger)),
    bindparam("comments", type_=ARRAY(Text)),
)


async def submit(
    session: AsyncSession, assignment: Row[Any], answers: Sequence[tuple[str, int, str | None]]
) -> int | None:
    """The assignment's new version, or None when it was no longer pending (nothing stored)."""
    version: int | None = await session.scalar(
        _SUBMIT,
        {
            "assignment": assignment.id,
            "response": uuid.uuid4(),
            "region": assignment.region_id,
            "cycle": assignment.cycle_id,
            "ratee": assignment.ratee_id,
            "relation": assignment.relation,
            "answer_values": [value for value, _, _ in answers],
            "scores": [score for _, score, _ in answers],
            "comments": [comment for _, _, comment in answers],
        },
    )
    return version
