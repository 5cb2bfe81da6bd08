"""Achievement (capaian) as clients see it: the summary on plans and targets, and the breakdown
by target and indicator that `GET /plans/{id}/progress` and the public targets show."""

import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import cache, lru_cache
from typing import Annotated, Any, Literal, Protocol, TypeVar

from pydantic import Field, TypeAdapter

from kinerja_api.core.schemas import DecimalString, OutputModel

Percent = Annotated[DecimalString, Field(description="Percentage of the target, two decimals.")]


class QuarterFigureOut(OutputModel):
    quarter: int
    achieved_value: DecimalString | None
    percent: Percent
    ytd_achieved_value: DecimalString | None
    ytd_percent: Percent


class GroupQuarterOut(OutputModel):
    quarter: int
    percent: Percent
    ytd_percent: Percent


class AchievementOut(OutputModel):
    """Achievement from accepted progress reports: year to date (`percent`) and by quarter. The
    breakdown by target and indicator is `GET /plans/{id}/progress`."""

    percent: Percent
    quarters: list[GroupQuarterOut]


OutWithAchievement = TypeVar("OutWithAchievement", bound=OutputModel)


class Achieved(Protocol):
    """A plan's or a target's figures (see plans.achievement)."""

    @property
    def percent(self) -> Decimal: ...

    @property
    def quarters(self) -> Sequence[Any]: ...


def _summary(achievement: Achieved) -> AchievementOut:
    return _summary_of(achievement.percent, tuple(achievement.quarters))


@lru_cache(maxsize=1024)
def _summary_of(percent: Decimal, quarters: tuple[Any, ...]) -> AchievementOut:
    # One validated summary per distinct set of figures, shared by the items that have it (a
    # list's drafts and plans without accepted reports all show zeros): a page validates each
    # distinct summary once rather than once per item. Nothing modifies an item once built.
    return AchievementOut(
        percent=percent,
        quarters=[
            GroupQuarterOut(quarter=q.quarter, percent=q.percent, ytd_percent=q.ytd_percent)
            for q in quarters
        ],
    )


def _fields_of(source: Any, names: Sequence[str]) -> Mapping[str, Any]:
    # A list row (SQLAlchemy Row) hands over its columns as a mapping, at about half the cost
    # of reading them one attribute at a time; an entity is read by attribute.
    mapping: Mapping[str, Any] | None = getattr(source, "_mapping", None)
    if mapping is not None:
        return mapping
    return {name: getattr(source, name) for name in names}


@cache
def _list_of(model: type[OutputModel]) -> TypeAdapter[list[Any]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


def with_achievements(
    model: type[OutWithAchievement],
    sources: Sequence[Any],
    figures: Mapping[uuid.UUID, Achieved],
) -> list[OutWithAchievement]:
    """`model`s (resources with an `achievement` field) read from the attributes of `sources`
    (entities or rows), each with its figures (by its id) summarised into that field. Validated
    in one pass, as a page of a list is."""
    names = [name for name in model.model_fields if name != "achievement"]
    rows = [
        {**_fields_of(source, names), "achievement": _summary(figures[source.id])}
        for source in sources
    ]
    items: list[OutWithAchievement] = _list_of(model).validate_python(rows)
    return items


class IndicatorAchievementOut(OutputModel):
    indicator_id: uuid.UUID
    aggregation: Literal["sum", "latest", "average"]
    target_value: DecimalString
    weight: DecimalString | None
    report_count: int = Field(description="Accepted reports counted.")
    achieved_value: DecimalString | None
    percent: Percent
    quarters: list[QuarterFigureOut]


class TargetAchievementOut(OutputModel):
    target_id: uuid.UUID
    percent: Percent
    quarters: list[GroupQuarterOut]
    indicators: list[IndicatorAchievementOut]
