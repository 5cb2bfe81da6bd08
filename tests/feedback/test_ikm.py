"""The IKM arithmetic of PermenPANRB 14/2017, against hand-computed figures."""

from decimal import Decimal
from fractions import Fraction

import pytest

from kinerja_api.feedback import ikm
from kinerja_api.feedback.ikm import IkmGrade

# Four questionnaires, elements U1..U9.
HAND_EXAMPLE = [
    [4, 4, 4, 4, 4, 4, 4, 4, 4],
    [3, 3, 3, 3, 3, 3, 3, 3, 3],
    [4, 3, 4, 3, 4, 3, 4, 3, 4],
    [2, 3, 3, 4, 3, 3, 3, 2, 3],
]


def _sums(rows: list[list[int]]) -> list[int]:
    return [sum(column) for column in zip(*rows, strict=True)]


def test_hand_computed_example() -> None:
    # Element sums 13 13 14 14 14 13 14 12 14 over 4 respondents: NRR 3.25 3.25 3.5 3.5 3.5
    # 3.25 3.5 3.0 3.5; their mean is 121/36 and the IKM 25 × 121/36 = 84.02777… → 84.03 (B).
    result = ikm.compute(4, _sums(HAND_EXAMPLE))
    assert result is not None
    assert [float(n) for n in result.nrr] == [3.25, 3.25, 3.5, 3.5, 3.5, 3.25, 3.5, 3.0, 3.5]
    assert result.ikm == Fraction(3025, 36)
    assert result.ikm_rounded == Decimal("84.03")
    assert result.category.grade is IkmGrade.B
    assert result.category.label == "Baik"


def test_exact_weights_differ_from_the_rounded_0111_shortcut() -> None:
    result = ikm.compute(4, _sums(HAND_EXAMPLE))
    assert result is not None
    shortcut = sum(Decimal(n.numerator) / n.denominator for n in result.nrr) * Decimal("0.111")
    assert (shortcut * 25).quantize(Decimal("0.01")) == Decimal("83.94")
    assert result.ikm_rounded != Decimal("83.94")


def test_extremes() -> None:
    best = ikm.compute(2, [8] * 9)
    worst = ikm.compute(3, [3] * 9)
    assert best is not None
    assert worst is not None
    assert (best.ikm_rounded, best.category.grade) == (Decimal("100.00"), IkmGrade.A)
    assert (worst.ikm_rounded, worst.category.grade) == (Decimal("25.00"), IkmGrade.D)
    assert ikm.compute(0, [0] * 9) is None


@pytest.mark.parametrize(
    ("value", "grade"),
    [
        ("100.00", IkmGrade.A),
        ("88.31", IkmGrade.A),
        ("88.30", IkmGrade.B),
        ("76.61", IkmGrade.B),
        ("76.60", IkmGrade.C),
        ("65.00", IkmGrade.C),
        ("64.99", IkmGrade.D),
        ("25.00", IkmGrade.D),
    ],
)
def test_category_boundaries(value: str, grade: IkmGrade) -> None:
    assert ikm.category_of(Decimal(value)).grade is grade


@pytest.mark.parametrize(
    ("total", "rounded", "grade"),
    [
        # 25 × total / (9 × 5000) is exactly 88.305, 76.605 and 64.995: half-up rounding, done
        # once at the end, lifts each into the category above.
        (158949, "88.31", IkmGrade.A),
        (137889, "76.61", IkmGrade.B),
        (116991, "65.00", IkmGrade.C),
        (158948, "88.30", IkmGrade.B),
    ],
)
def test_rounding_happens_once_at_the_end(total: int, rounded: str, grade: IkmGrade) -> None:
    sums = [total // 9] * 9
    sums[0] += total - sum(sums)
    result = ikm.compute(5000, sums)
    assert result is not None
    assert result.ikm_rounded == Decimal(rounded)
    assert result.category.grade is grade


def test_round_half_up_is_exact() -> None:
    assert ikm.round_half_up(Fraction(1, 8)) == Decimal("0.13")
    assert ikm.round_half_up(Fraction(1, 3), 3) == Decimal("0.333")
    assert ikm.round_half_up(Fraction(2, 3), 3) == Decimal("0.667")
