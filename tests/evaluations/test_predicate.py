"""The predikat matrix cell by cell, and the hasil kerja suggestion at its boundaries."""

from decimal import Decimal

import pytest

from kinerja_api.evaluations.predicate import (
    TargetResult,
    predicate,
    suggest_hasil_kerja,
    utama_below_expectation,
)
from kinerja_api.models.evaluations import Predicate, RatingLevel

A, M, B = RatingLevel.ABOVE, RatingLevel.MEETS, RatingLevel.BELOW


@pytest.mark.parametrize(
    ("perilaku", "hasil_kerja", "expected"),
    [
        (A, B, Predicate.BUTUH_PERBAIKAN),
        (A, M, Predicate.BAIK),
        (A, A, Predicate.SANGAT_BAIK),
        (M, B, Predicate.BUTUH_PERBAIKAN),
        (M, M, Predicate.BAIK),
        (M, A, Predicate.BAIK),
        (B, B, Predicate.SANGAT_KURANG),
        (B, M, Predicate.KURANG),
        (B, A, Predicate.KURANG),
    ],
)
def test_each_cell_of_the_matrix(
    perilaku: RatingLevel, hasil_kerja: RatingLevel, expected: Predicate
) -> None:
    assert predicate(perilaku, hasil_kerja) is expected


def test_the_matrix_accepts_the_wire_strings() -> None:
    assert predicate("above", "above") is Predicate.SANGAT_BAIK  # type: ignore[arg-type]


UTAMA_MET = TargetResult("utama", Decimal("100.00"))
UTAMA_SHORT = TargetResult("utama", Decimal("99.99"))
TAMBAHAN_SHORT = TargetResult("tambahan", Decimal("10"))


@pytest.mark.parametrize(
    ("plan_percent", "targets", "expected"),
    [
        (Decimal("89.99"), [UTAMA_MET], B),
        (Decimal("90.00"), [UTAMA_MET], M),
        (Decimal("109.99"), [UTAMA_MET], M),
        (Decimal("110.00"), [UTAMA_MET], A),
        (Decimal("250"), [UTAMA_MET, TAMBAHAN_SHORT], A),
        # never above while a utama target is below its expectation
        (Decimal("110.00"), [UTAMA_MET, UTAMA_SHORT], M),
        (Decimal("300"), [UTAMA_SHORT], M),
        (Decimal("0"), [], B),
        (Decimal("120"), [], A),
    ],
)
def test_the_suggestion_at_its_boundaries(
    plan_percent: Decimal, targets: list[TargetResult], expected: RatingLevel
) -> None:
    assert suggest_hasil_kerja(plan_percent, targets) is expected


def test_a_utama_target_is_below_expectation_under_100_percent() -> None:
    assert utama_below_expectation([UTAMA_SHORT])
    assert not utama_below_expectation([UTAMA_MET, TAMBAHAN_SHORT])
