"""Achievement (capaian): how far verified progress has come towards each indicator's target.

Pure arithmetic on `Decimal`, rounded once, at the end, to two places. An indicator's achieved
value is the `sum`, the `latest` or the `average` of its accepted reports (by its
`aggregation`); its achievement is that value as a percentage of its target value, uncapped (a
target can be exceeded). A target's and a plan's achievement is the mean of their indicators',
weighted by the indicators' weights when every indicator has one. An indicator without accepted
reports has achieved 0 %. Quarters are Triwulan I-IV; the year-to-date figure of quarter q counts
every report up to and including q.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from sqlalchemy import (
    ARRAY,
    BindParameter,
    ColumnElement,
    Select,
    Uuid,
    and_,
    any_,
    bindparam,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.models.plans import Aggregation, Indicator, Target
from kinerja_api.models.progress import ProgressReport, ReportStatus

QUARTERS = (1, 2, 3, 4)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class ReportValue:
    """An accepted report as the arithmetic needs it; `order` breaks ties between reports for
    the same date when taking the latest (the later verification wins)."""

    value: Decimal
    reported_for: date
    order: datetime

    @property
    def quarter(self) -> int:
        return quarter_of(self.reported_for)


@dataclass(frozen=True, slots=True)
class IndicatorInput:
    id: uuid.UUID
    target_id: uuid.UUID
    aggregation: str
    target_value: Decimal
    weight: Decimal | None
    reports: tuple[ReportValue, ...]


@dataclass(frozen=True, slots=True)
class QuarterFigure:
    """Achievement in one quarter alone, and year to date at its end (percentages, rounded)."""

    quarter: int
    achieved_value: Decimal | None
    percent: Decimal
    ytd_achieved_value: Decimal | None
    ytd_percent: Decimal


@dataclass(frozen=True, slots=True)
class IndicatorAchievement:
    indicator_id: uuid.UUID
    aggregation: str
    target_value: Decimal
    weight: Decimal | None
    report_count: int
    achieved_value: Decimal | None
    percent: Decimal
    quarters: tuple[QuarterFigure, ...]


@dataclass(frozen=True, slots=True)
class GroupQuarter:
    quarter: int
    percent: Decimal
    ytd_percent: Decimal


@dataclass(frozen=True, slots=True)
class TargetAchievement:
    target_id: uuid.UUID
    percent: Decimal
    quarters: tuple[GroupQuarter, ...]
    indicators: tuple[IndicatorAchievement, ...]


@dataclass(frozen=True, slots=True)
class PlanAchievement:
    plan_id: uuid.UUID
    percent: Decimal
    quarters: tuple[GroupQuarter, ...]
    targets: tuple[TargetAchievement, ...]


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def rounded(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def aggregate(aggregation: str, reports: Sequence[ReportValue]) -> Decimal | None:
    """The achieved value of an indicator from its accepted reports; None without any."""
    if not reports:
        return None
    if aggregation == Aggregation.SUM:
        return sum((r.value for r in reports), Decimal(0))
    if aggregation == Aggregation.AVERAGE:
        return sum((r.value for r in reports), Decimal(0)) / len(reports)
    if aggregation == Aggregation.LATEST:
        return max(reports, key=lambda r: (r.reported_for, r.order)).value
    raise ValueError(f"unknown aggregation {aggregation!r}")


def percent_of(achieved: Decimal | None, target_value: Decimal) -> Decimal:
    """Unrounded percentage of the target; nothing achieved is 0 %."""
    if achieved is None:
        return Decimal(0)
    return achieved * HUNDRED / target_value


def mean(percents: Sequence[tuple[Decimal, Decimal | None]]) -> Decimal:
    """Mean of (percent, weight) pairs: weighted when every weight is given, plain otherwise;
    0 for an empty group."""
    if not percents:
        return Decimal(0)
    weights = [weight for _, weight in percents]
    if all(weight is not None for weight in weights):
        total = sum((w for w in weights if w is not None), Decimal(0))
        return sum((p * (w or Decimal(0)) for p, w in percents), Decimal(0)) / total
    return sum((p for p, _ in percents), Decimal(0)) / len(percents)


@dataclass(frozen=True, slots=True)
class _Exact:
    """Unrounded percentages of one indicator: overall, per quarter and year to date."""

    overall: Decimal
    quarter: Mapping[int, Decimal]
    ytd: Mapping[int, Decimal]


def _exact(indicator: IndicatorInput) -> tuple[_Exact, IndicatorAchievement]:
    quarter_pct: dict[int, Decimal] = {}
    ytd_pct: dict[int, Decimal] = {}
    figures = []
    for q in QUARTERS:
        in_quarter = [r for r in indicator.reports if r.quarter == q]
        to_date = [r for r in indicator.reports if r.quarter <= q]
        value = aggregate(indicator.aggregation, in_quarter)
        ytd_value = aggregate(indicator.aggregation, to_date)
        quarter_pct[q] = percent_of(value, indicator.target_value)
        ytd_pct[q] = percent_of(ytd_value, indicator.target_value)
        figures.append(
            QuarterFigure(q, value, rounded(quarter_pct[q]), ytd_value, rounded(ytd_pct[q]))
        )
    achieved = aggregate(indicator.aggregation, indicator.reports)
    overall = percent_of(achieved, indicator.target_value)
    result = IndicatorAchievement(
        indicator_id=indicator.id,
        aggregation=indicator.aggregation,
        target_value=indicator.target_value,
        weight=indicator.weight,
        report_count=len(indicator.reports),
        achieved_value=achieved,
        percent=rounded(overall),
        quarters=tuple(figures),
    )
    return _Exact(overall, quarter_pct, ytd_pct), result


_NOTHING_YET = (
    rounded(Decimal(0)),
    tuple(GroupQuarter(q, rounded(Decimal(0)), rounded(Decimal(0))) for q in QUARTERS),
)


def _group(
    members: Sequence[tuple[IndicatorInput, _Exact]],
) -> tuple[Decimal, tuple[GroupQuarter, ...]]:
    if not members:
        # Common in lists (plans still being drafted), and the figures are immutable.
        return _NOTHING_YET
    overall = mean([(exact.overall, ind.weight) for ind, exact in members])
    quarters = tuple(
        GroupQuarter(
            q,
            rounded(mean([(exact.quarter[q], ind.weight) for ind, exact in members])),
            rounded(mean([(exact.ytd[q], ind.weight) for ind, exact in members])),
        )
        for q in QUARTERS
    )
    return rounded(overall), quarters


def indicator_achievement(indicator: IndicatorInput) -> IndicatorAchievement:
    return _exact(indicator)[1]


def achievements(
    plan_id: uuid.UUID, target_ids: Sequence[uuid.UUID], indicators: Sequence[IndicatorInput]
) -> PlanAchievement:
    """The plan's achievement with its targets' (in `target_ids` order) and indicators'."""
    exact = [(indicator, *_exact(indicator)) for indicator in indicators]
    by_target: dict[uuid.UUID, list[tuple[IndicatorInput, _Exact, IndicatorAchievement]]] = (
        defaultdict(list)
    )
    for row in exact:
        by_target[row[0].target_id].append(row)
    targets = []
    for target_id in target_ids:
        rows = by_target.get(target_id, [])
        percent, quarters = _group([(ind, ex) for ind, ex, _ in rows])
        targets.append(TargetAchievement(target_id, percent, quarters, tuple(r[2] for r in rows)))
    percent, quarters = _group([(ind, ex) for ind, ex, _ in exact])
    return PlanAchievement(plan_id, percent, quarters, tuple(targets))


# --- query helpers --------------------------------------------------------------------------


class Scoped(Protocol):
    """A plan or a target (entity or row): its id and its region."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def region_id(self) -> uuid.UUID: ...


# What the arithmetic needs of an indicator and of each of its accepted reports: columns, not
# entities (a page of plans reads hundreds of them). One statement brings both, an indicator's
# columns repeated beside each of its reports (or once, with none).
_INDICATOR_INPUT = (
    Indicator.id,
    Indicator.plan_id,
    Indicator.target_id,
    Indicator.region_id,
    Indicator.aggregation,
    Indicator.target_value,
    Indicator.weight,
)
_REPORT_INPUT = (
    ProgressReport.value.label("report_value"),
    ProgressReport.reported_for.label("reported_for"),
    ProgressReport.verified_at.label("verified_at"),
    ProgressReport.created_at.label("reported_at"),
)
_ACCEPTED = and_(
    # The report's region named, not left to row-level security, so the (region_id,
    # indicator_id) index serves the look-up.
    ProgressReport.region_id == Indicator.region_id,
    ProgressReport.indicator_id == Indicator.id,
    ProgressReport.status == ReportStatus.ACCEPTED,
)


def _ids(name: str) -> BindParameter[Any]:
    # One array parameter rather than an IN list: the statement's text, and so its prepared
    # statement, stays the same whatever the number of ids.
    return bindparam(name, type_=ARRAY(Uuid))


def _with_reports(*conditions: ColumnElement[bool]) -> Select[Any]:
    columns: tuple[Any, ...] = (*_INDICATOR_INPUT, *_REPORT_INPUT)
    return (
        select(*columns)
        .outerjoin(ProgressReport, _ACCEPTED)
        .where(*conditions)
        .order_by(Indicator.position, Indicator.id)
    )


# The statements, built once with bound parameters: constructing a statement costs more CPU
# than executing it (about 0.4 ms each on the 2-core benchmark machine).
_OF_PLANS = _with_reports(
    Indicator.region_id == any_(_ids("region_ids")), Indicator.plan_id == any_(_ids("plan_ids"))
)
_OF_TARGETS = _with_reports(
    Indicator.region_id == any_(_ids("region_ids")),
    Indicator.target_id == any_(_ids("target_ids")),
)
_OF_PLAN = _with_reports(
    Indicator.region_id == bindparam("region_id", type_=Uuid),
    Indicator.plan_id == bindparam("plan_id", type_=Uuid),
)
_TARGETS_OF_PLAN = (
    select(Target.id)
    .where(
        Target.region_id == bindparam("region_id", type_=Uuid),
        Target.plan_id == bindparam("plan_id", type_=Uuid),
    )
    .order_by(Target.position, Target.id)
)


def _inputs(rows: Iterable[Any]) -> list[tuple[Any, IndicatorInput]]:
    """Rows of `_with_reports` as (the indicator's first row, its input with its reports), in
    the rows' order."""
    found: dict[uuid.UUID, tuple[Any, list[ReportValue]]] = {}
    for row in rows:
        entry = found.get(row.id)
        if entry is None:
            entry = found[row.id] = (row, [])
        if row.report_value is not None:
            entry[1].append(
                ReportValue(
                    Decimal(row.report_value), row.reported_for, row.verified_at or row.reported_at
                )
            )
    return [
        (
            indicator,
            IndicatorInput(
                id=indicator.id,
                target_id=indicator.target_id,
                aggregation=indicator.aggregation,
                target_value=Decimal(indicator.target_value),
                weight=Decimal(indicator.weight) if indicator.weight is not None else None,
                reports=tuple(reports),
            ),
        )
        for indicator, reports in found.values()
    ]


async def plan_achievement(
    session: AsyncSession,
    region_id: uuid.UUID,
    plan_id: uuid.UUID,
    target_ids: Sequence[uuid.UUID] | None = None,
) -> PlanAchievement:
    """Achievement of a plan the caller was already allowed to read (no access check here).
    `target_ids` fixes the targets' order; by default the plan's targets by position."""
    scope = {"region_id": region_id, "plan_id": plan_id}
    if target_ids is None:
        target_ids = list(await session.scalars(_TARGETS_OF_PLAN, scope))
    inputs = _inputs(await session.execute(_OF_PLAN, scope))
    return achievements(plan_id, target_ids, [figures for _, figures in inputs])


async def plans_achievement(
    session: AsyncSession, plans: Sequence[Scoped]
) -> dict[uuid.UUID, PlanAchievement]:
    """Achievement of plans the caller was already allowed to read, by plan id, in one query
    whatever their number (a page of a list). Only the plan-level figures are filled in."""
    if not plans:
        return {}
    plan_ids = [plan.id for plan in plans]
    rows = await session.execute(
        _OF_PLANS, {"region_ids": list({plan.region_id for plan in plans}), "plan_ids": plan_ids}
    )
    by_plan: dict[uuid.UUID, list[IndicatorInput]] = defaultdict(list)
    for indicator, figures in _inputs(rows):
        by_plan[indicator.plan_id].append(figures)
    return {plan_id: achievements(plan_id, [], by_plan[plan_id]) for plan_id in plan_ids}


async def targets_achievement(
    session: AsyncSession, targets: Sequence[Scoped]
) -> dict[uuid.UUID, TargetAchievement]:
    """Achievement of targets the caller was already allowed to read, by target id."""
    if not targets:
        return {}
    target_ids = [target.id for target in targets]
    rows = await session.execute(
        _OF_TARGETS,
        {"region_ids": list({target.region_id for target in targets}), "target_ids": target_ids},
    )
    inputs = [figures for _, figures in _inputs(rows)]
    plan = achievements(uuid.UUID(int=0), list(target_ids), inputs)
    return {target.target_id: target for target in plan.targets}
