"""The statements 360° results and their follow-up are read with.

A page of results is ONE statement: the page's ratees (those with an assignment in the cycle
whom the caller may read, in id order, after the cursor) and the tallies of their answers (per
ratee and rater group, the count and sum of the answers to each core value, in one
aggregation), joined. Answers carry no rater, so nothing read here can name one."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    any_,
    exists,
    func,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from kinerja_api.auth.policies import in_region
from kinerja_api.auth.principal import Principal
from kinerja_api.core.pagination import Keyset
from kinerja_api.evaluations.readers import evaluated_readable
from kinerja_api.evaluations.results.anonymity import VALUE_ORDER, GroupTally
from kinerja_api.models.evaluations import (
    CoreValue,
    CycleStatus,
    DevelopmentPlan,
    EvaluationAnswer,
    EvaluationAssignment,
    EvaluationCycle,
    EvaluationRating,
    RaterRelation,
)
from kinerja_api.models.org import Agency, Employee, Region
from kinerja_api.models.plans import Period

RATEE_KEYSET = Keyset((EvaluationAssignment.ratee_id,))


@dataclass(frozen=True, slots=True)
class CycleView:
    """A cycle as its results need it."""

    cycle: EvaluationCycle
    year: int
    timezone: str
    agency_path: str | None


async def find_cycle(
    session: AsyncSession, principal: Principal, cycle_id: uuid.UUID
) -> CycleView | None:
    """A cycle of the caller's region, with its period's year, its region's zone and the path
    of its agency (for a subtree cycle)."""
    row = (
        await session.execute(
            select(EvaluationCycle, Period.year, Region.timezone, Agency.path)
            .join(Period, Period.id == EvaluationCycle.period_id)
            .join(Region, Region.id == EvaluationCycle.region_id)
            .outerjoin(Agency, Agency.id == EvaluationCycle.agency_id)
            .where(EvaluationCycle.id == cycle_id, in_region(principal, EvaluationCycle.region_id))
        )
    ).one_or_none()
    if row is None:
        return None
    return CycleView(row[0], row[1], row[2], row[3])


def ratee_readable(principal: Principal) -> ColumnElement[bool]:
    return evaluated_readable(
        principal, region=Employee.region_id, employee=Employee.id, agency=Employee.agency_id
    )


def results_page(
    principal: Principal,
    cycle: EvaluationCycle,
    *,
    conditions: Sequence[ColumnElement[bool]],
    after: Sequence[Any] | None,
    limit: int,
) -> Select[Any]:
    """`limit` + 1 ratees of the cycle after `after`, in ratee order, each with one row per
    rater group that answered (or one row of nulls when none did). Columns, read by position:
    ratee id, name, NIP, agency, relation, then the group's `TALLY_COLUMNS`."""
    assignment = EvaluationAssignment
    ratees = (
        select(assignment.ratee_id, Employee.name, Employee.nip, Employee.agency_id)
        .join(Employee, Employee.id == assignment.ratee_id)
        .where(
            assignment.region_id == cycle.region_id,
            assignment.cycle_id == cycle.id,
            ratee_readable(principal),
            *conditions,
        )
        .group_by(assignment.ratee_id, Employee.id)
        .order_by(*RATEE_KEYSET.order_by())
        .limit(limit + 1)
    )
    if after is not None:
        ratees = ratees.where(RATEE_KEYSET.after(after))
    page = ratees.cte("page")
    tallies = grouped_tallies(
        cycle,
        EvaluationAnswer.ratee_id == any_(func.array(select(page.c.ratee_id).scalar_subquery())),
    )
    return (
        select(
            page.c.ratee_id,
            page.c.name,
            page.c.nip,
            page.c.agency_id,
            tallies.c.relation,
            *(tallies.c[name] for name in TALLY_COLUMNS),
        )
        .select_from(page)
        .outerjoin(tallies, tallies.c.ratee_id == page.c.ratee_id)
        .order_by(page.c.ratee_id)
    )


def grouped_tallies(cycle: EvaluationCycle, ratees: ColumnElement[bool]) -> Subquery:
    """Per ratee and rater group, in one aggregation: for each core value (in `VALUE_ORDER`)
    how many answered it (`n_<value>`) and the sum of their scores (`s_<value>`)."""
    answer = EvaluationAnswer
    per_value = []
    for value in VALUE_ORDER:
        chosen = answer.value == value.value
        per_value.append(func.count().filter(chosen).label(f"n_{value.value}"))
        per_value.append(func.sum(answer.score).filter(chosen).label(f"s_{value.value}"))
    return (
        select(answer.ratee_id, answer.relation, *per_value)
        .where(answer.region_id == cycle.region_id, answer.cycle_id == cycle.id, ratees)
        .group_by(answer.ratee_id, answer.relation)
        .subquery("tallies")
    )


TALLY_COLUMNS = tuple(
    name for value in VALUE_ORDER for name in (f"n_{value.value}", f"s_{value.value}")
)
_RELATIONS = {relation.value: relation for relation in RaterRelation}
_VALUES = {value.value: value for value in CoreValue}


def group_tally(relation: str, figures: Sequence[Any]) -> GroupTally:
    """A row of `grouped_tallies` (its relation, then its `TALLY_COLUMNS`) as the anonymity
    rules read it."""
    return GroupTally(
        _RELATIONS[relation],
        {
            value: (figures[2 * i], figures[2 * i + 1])
            for i, value in enumerate(VALUE_ORDER)
            if figures[2 * i]
        },
    )


async def find_ratee(
    session: AsyncSession, principal: Principal, cycle: EvaluationCycle, employee_id: uuid.UUID
) -> Any:
    """The employee, when the caller may read them and they are rated in the cycle."""
    in_cycle = exists(
        select(literal(1)).where(
            EvaluationAssignment.region_id == cycle.region_id,
            EvaluationAssignment.cycle_id == cycle.id,
            EvaluationAssignment.ratee_id == Employee.id,
        )
    )
    return (
        await session.execute(
            select(Employee.id, Employee.name, Employee.nip, Employee.agency_id).where(
                Employee.id == employee_id,
                Employee.region_id == cycle.region_id,
                ratee_readable(principal),
                in_cycle,
            )
        )
    ).one_or_none()


async def ratee_tallies(
    session: AsyncSession, cycle: EvaluationCycle, employee_id: uuid.UUID
) -> dict[RaterRelation, GroupTally]:
    """One ratee's tallies per rater group, with their comments."""
    answer = EvaluationAnswer
    comments = func.array_agg(aggregate_order_by(answer.comment, answer.comment.asc())).filter(
        answer.comment.is_not(None)
    )
    rows = await session.execute(
        select(
            answer.relation,
            answer.value,
            func.count().label("answers"),
            func.sum(answer.score).label("total"),
            comments.label("comments"),
        )
        .where(
            answer.region_id == cycle.region_id,
            answer.cycle_id == cycle.id,
            answer.ratee_id == employee_id,
        )
        .group_by(answer.relation, answer.value)
    )
    scores: dict[RaterRelation, dict[CoreValue, tuple[int, int]]] = {}
    said: dict[RaterRelation, dict[CoreValue, list[str]]] = {}
    for row in rows:
        relation, value = _RELATIONS[row.relation], _VALUES[row.value]
        scores.setdefault(relation, {})[value] = (int(row.answers), int(row.total))
        said.setdefault(relation, {})[value] = list(row.comments or ())
    return {
        relation: GroupTally(relation, by_value, said[relation])
        for relation, by_value in scores.items()
    }


async def tallies_of(
    session: AsyncSession, cycle: EvaluationCycle, employee_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[RaterRelation, GroupTally]]:
    """The tallies (without comments) of several ratees, in one grouped statement."""
    tallies = grouped_tallies(cycle, EvaluationAnswer.ratee_id.in_(employee_ids))
    found: dict[uuid.UUID, dict[RaterRelation, GroupTally]] = {}
    statement = select(
        tallies.c.ratee_id, tallies.c.relation, *(tallies.c[n] for n in TALLY_COLUMNS)
    )
    for row in await session.execute(statement):
        tally = group_tally(row[1], row[2:])
        found.setdefault(row[0], {})[tally.relation] = tally
    return found


# --- follow-up -------------------------------------------------------------------------------

RATING_KEYSET = Keyset((EvaluationRating.id,))


def follow_up_rows(principal: Principal) -> Select[Any]:
    """Ratings the caller may read, with their employee and development plan (if any)."""
    rating = EvaluationRating
    employee = aliased(Employee)
    columns: tuple[Any, ...] = (
        rating.id,
        rating.employee_id,
        employee.name,
        employee.nip,
        rating.agency_id,
        rating.period_id,
        rating.predicate,
        rating.status,
        DevelopmentPlan.id.label("development_plan_id"),
    )
    return (
        select(*columns)
        .join(employee, employee.id == rating.employee_id)
        .outerjoin(
            DevelopmentPlan,
            (DevelopmentPlan.region_id == rating.region_id)
            & (DevelopmentPlan.rating_id == rating.id),
        )
        .where(
            evaluated_readable(
                principal,
                region=rating.region_id,
                employee=rating.employee_id,
                agency=rating.agency_id,
                rater=rating.rater_id,
            )
        )
    )


async def period_in_region(
    session: AsyncSession, principal: Principal, period_id: uuid.UUID
) -> bool:
    found = await session.scalar(
        select(Period.id).where(Period.id == period_id, in_region(principal, Period.region_id))
    )
    return found is not None


async def cycles_rating(
    session: AsyncSession, region_id: uuid.UUID, period_id: uuid.UUID, employee_id: uuid.UUID
) -> list[EvaluationCycle]:
    """The launched or closed cycles of the period in which the employee is rated, oldest
    first."""
    rated = (
        select(EvaluationAssignment.id)
        .where(
            EvaluationAssignment.region_id == region_id,
            EvaluationAssignment.cycle_id == EvaluationCycle.id,
            EvaluationAssignment.ratee_id == employee_id,
        )
        .exists()
    )
    found = await session.scalars(
        select(EvaluationCycle)
        .where(
            EvaluationCycle.region_id == region_id,
            EvaluationCycle.period_id == period_id,
            EvaluationCycle.status.in_((CycleStatus.LAUNCHED, CycleStatus.CLOSED)),
            rated,
        )
        .order_by(EvaluationCycle.opens_on, EvaluationCycle.id)
    )
    return list(found)
