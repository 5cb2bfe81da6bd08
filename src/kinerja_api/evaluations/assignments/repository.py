"""The statements assignments and responses are read and written with.

A rater reads their own assignments in full. Administrators and auditors read the assignments
of the cycles they read (`cycles.repository.readable`), but in peer and subordinate relations
without the ratee: `readable_rows` selects the ratee's id, name and agency as null there, in
SQL, so no list, filter or sort can reach them. No statement here reads or writes when an
assignment was answered, and a response row holds neither the rater nor the assignment nor a
time."""

import uuid
from typing import Any, cast

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Row,
    Select,
    SmallInteger,
    Table,
    Text,
    and_,
    bindparam,
    case,
    false,
    null,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Uuid

from kinerja_api.auth.principal import Principal
from kinerja_api.evaluations.cycles.repository import readable as readable_cycle
from kinerja_api.models.evaluations import (
    ANONYMOUS_RELATIONS,
    AssignmentStatus,
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


# What a submission needs to know, in one round trip: the assignment (readable by the caller),
# its cycle's state and dates, and the region's time zone for "today".
_FOR_SUBMISSION = (
    select(
        Assignment.id,
        Assignment.region_id,
        Assignment.cycle_id,
        Assignment.ratee_id,
        Assignment.rater_id,
        Assignment.relation,
        Assignment.status,
        Assignment.due_on,
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
    .join(Region, Region.id == Assignment.region_id)
    .where(Assignment.id == bindparam("assignment_id"))
)


async def for_submission(
    session: AsyncSession, principal: Principal, assignment_id: uuid.UUID
) -> Row[Any] | None:
    """The assignment with its cycle's state, when the caller rates it or reads its cycle."""
    statement = _FOR_SUBMISSION.where(or_(own(principal), readable_cycle(principal)))
    result = await session.execute(statement, {"assignment_id": assignment_id})
    return cast("Row[Any] | None", result.first())


_TABLE = cast(Table, Assignment.__table__)
# Answered only once, even by two requests at the same moment: the row changes only while it
# is pending. Its version moves on; `updated_at` stays as it was, so the row does not record
# when.
_MARK_SUBMITTED = (
    update(_TABLE)
    .where(
        _TABLE.c.id == bindparam("assignment"),
        _TABLE.c.region_id == bindparam("region"),
        _TABLE.c.status == AssignmentStatus.PENDING.value,
    )
    .values(
        status=AssignmentStatus.SUBMITTED.value,
        version=_TABLE.c.version + 1,
        updated_at=_TABLE.c.updated_at,
    )
    .returning(_TABLE.c.version)
)


async def mark_submitted(
    session: AsyncSession, region_id: uuid.UUID, assignment_id: uuid.UUID
) -> int | None:
    """The assignment's new version, or None when it was not pending."""
    version: int | None = await session.scalar(
        _MARK_SUBMITTED, {"assignment": assignment_id, "region": region_id}
    )
    return version


# A response and its answers, in one statement. Neither names the rater or the assignment, nor
# carries a time.
_INSERT_RESPONSE = text(
    """
with response as (
    insert into evaluation_responses (id, region_id, cycle_id, ratee_id, relation)
    values (:response_id, :region_id, :cycle_id, :ratee_id, :relation)
)
insert into evaluation_answers
    (response_id, value, region_id, cycle_id, ratee_id, relation, score, comment)
select :response_id, answer.value, :region_id, :cycle_id, :ratee_id, :relation,
       answer.score, answer.comment
from unnest(:values, :scores, :comments) as answer(value, score, comment)
"""
).bindparams(
    bindparam("response_id", type_=Uuid),
    bindparam("region_id", type_=Uuid),
    bindparam("cycle_id", type_=Uuid),
    bindparam("ratee_id", type_=Uuid),
    bindparam("relation", type_=Text),
    bindparam("values", type_=ARRAY(Text)),
    bindparam("scores", type_=ARRAY(SmallInteger)),
    bindparam("comments", type_=ARRAY(Text)),
)


async def insert_response(
    session: AsyncSession,
    assignment: Row[Any],
    answers: list[tuple[str, int, str | None]],
) -> None:
    await session.execute(
        _INSERT_RESPONSE,
        {
            "response_id": uuid.uuid4(),
            "region_id": assignment.region_id,
            "cycle_id": assignment.cycle_id,
            "ratee_id": assignment.ratee_id,
            "relation": assignment.relation,
            "values": [value for value, _, _ in answers],
            "scores": [score for _, score, _ in answers],
            "comments": [comment for _, _, comment in answers],
        },
    )
