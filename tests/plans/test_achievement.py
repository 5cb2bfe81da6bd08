"""Achievement arithmetic, checked against figures computed by hand."""

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from kinerja_api.plans.achievement import (
    IndicatorInput,
    ReportValue,
    achievements,
    aggregate,
    indicator_achievement,
    mean,
    percent_of,
    quarter_of,
    rounded,
)

D = Decimal
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _r(value: str, day: date, minute: int = 0) -> ReportValue:
    return ReportValue(D(value), day, T0.replace(minute=minute))


REPORTS = (
    _r("10", date(2026, 2, 10)),  # Q1
    _r("25.5", date(2026, 5, 1)),  # Q2
    _r("4.5", date(2026, 6, 30)),  # Q2
    _r("30", date(2026, 11, 2)),  # Q4
)


def _indicator(
    aggregation: str, target: str, reports: tuple[ReportValue, ...] = REPORTS, **kw: object
) -> IndicatorInput:
    return IndicatorInput(
        id=uuid.uuid4(),
        target_id=kw.get("target_id", uuid.uuid4()),  # type: ignore[arg-type]
        aggregation=aggregation,
        target_value=D(target),
        weight=kw.get("weight"),  # type: ignore[arg-type]
        reports=reports,
    )


def test_quarters_follow_the_calendar() -> None:
    assert [quarter_of(date(2026, m, 1)) for m in range(1, 13)] == [
        1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4,
    ]  # fmt: skip


def test_sum() -> None:
    # 10 + 25.5 + 4.5 + 30 = 70 of 80 = 87.5 %
    result = indicator_achievement(_indicator("sum", "80"))
    assert (result.achieved_value, result.percent) == (D("70"), D("87.50"))
    q = {f.quarter: f for f in result.quarters}
    # Q2 alone: 30 of 80 = 37.5 %; to date at Q2: 40 of 80 = 50 %; Q3 adds nothing.
    assert (q[2].achieved_value, q[2].percent, q[2].ytd_percent) == (D("30"), D("37.50"), D("50"))
    assert (q[3].achieved_value, q[3].percent, q[3].ytd_percent) == (None, D("0"), D("50.00"))
    assert q[4].ytd_achieved_value == D("70")


def test_latest_takes_the_last_date_then_the_last_verification() -> None:
    # Latest is 30 (2 Nov) of 40 = 75 %.
    assert indicator_achievement(_indicator("latest", "40")).percent == D("75.00")
    same_day = (_r("5", date(2026, 3, 1), minute=1), _r("8", date(2026, 3, 1), minute=2))
    result = indicator_achievement(_indicator("latest", "10", same_day))
    assert (result.achieved_value, result.percent) == (D("8"), D("80.00"))
    # To date at Q2 the latest is 4.5 (30 Jun): 11.25 % of 40.
    q2 = indicator_achievement(_indicator("latest", "40")).quarters[1]
    assert (q2.achieved_value, q2.ytd_percent) == (D("4.5"), D("11.25"))


def test_average() -> None:
    # (10 + 25.5 + 4.5 + 30) / 4 = 17.5 of 20 = 87.5 %; Q2 alone (25.5 + 4.5) / 2 = 15 -> 75 %.
    result = indicator_achievement(_indicator("average", "20"))
    assert (result.achieved_value, result.percent) == (D("17.5"), D("87.50"))
    assert result.quarters[1].percent == D("75.00")
    # Q1 to Q2: (10 + 25.5 + 4.5) / 3 = 13.333... of 20 = 66.666... -> 66.67 %
    assert result.quarters[1].ytd_percent == D("66.67")


def test_rounding_happens_only_at_the_end() -> None:
    # Three thirds of 1/3 each: rounding each to 33.33 would give 99.99; exact arithmetic 100.
    thirds = [(percent_of(D(1), D(3)), None)] * 3
    assert rounded(sum((p for p, _ in thirds), D(0))) == D("100.00")
    assert rounded(mean(thirds)) == D("33.33")
    assert rounded(D("0.005")) == D("0.01")  # half up, not half even


def test_nothing_reported_is_zero() -> None:
    assert aggregate("sum", ()) is None
    result = indicator_achievement(_indicator("average", "5", ()))
    assert (result.achieved_value, result.percent, result.report_count) == (None, D("0.00"), 0)


def test_over_achievement_is_not_capped() -> None:
    assert indicator_achievement(_indicator("sum", "50")).percent == D("140.00")


def test_plan_and_target_means_plain_and_weighted() -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    a = _indicator("sum", "80", target_id=first)  # 87.5 %
    b = _indicator("latest", "40", target_id=first)  # 75 %
    c = _indicator("average", "35", target_id=second)  # 17.5 / 35 = 50 %
    plan = achievements(uuid.uuid4(), [first, second], [a, b, c])
    # Target 1: (87.5 + 75) / 2 = 81.25; target 2: 50; plan: (87.5 + 75 + 50) / 3 = 70.8333..
    assert [t.percent for t in plan.targets] == [D("81.25"), D("50.00")]
    assert plan.percent == D("70.83")
    # Q2 to date: a 40/80 = 50, b 4.5/40 = 11.25, c 40/3 / 35 = 38.095..; mean 33.115.. -> 33.12
    assert plan.quarters[1].ytd_percent == D("33.12")

    weighted = [
        _indicator("sum", "80", target_id=first, weight=D("60")),
        _indicator("latest", "40", target_id=first, weight=D("30")),
        _indicator("average", "35", target_id=second, weight=D("10")),
    ]
    plan = achievements(uuid.uuid4(), [first, second], weighted)
    # Target 1: (87.5*60 + 75*30) / 90 = 83.333.. -> 83.33; plan: (5250 + 2250 + 500) / 100 = 80
    assert [t.percent for t in plan.targets] == [D("83.33"), D("50.00")]
    assert plan.percent == D("80.00")
    # One weight missing: the plain mean again.
    mixed = [weighted[0], _indicator("latest", "40", target_id=first)]
    assert achievements(uuid.uuid4(), [first], mixed).percent == D("81.25")


def test_a_target_without_indicators_is_zero() -> None:
    empty = uuid.uuid4()
    plan = achievements(uuid.uuid4(), [empty], [])
    assert (plan.percent, plan.targets[0].percent, plan.targets[0].indicators) == (D(0), D(0), ())


def test_unknown_aggregation_is_refused() -> None:
    with pytest.raises(ValueError, match="median"):
        aggregate("median", REPORTS)
