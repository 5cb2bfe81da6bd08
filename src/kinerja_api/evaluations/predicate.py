"""The regulation's predikat matrix and the hasil kerja suggestion: pure rules, no I/O.

The predikat of an employee is read from the fixed matrix (rows: perilaku; columns: hasil
kerja), never computed otherwise. Hasil kerja is suggested from the plan's achievement: a target
is below expectation while its achievement is under 100 %; the suggestion is `above` from 110 %
of the plan's achievement, `below` under 90 %, `meets` between; never `above` while any `utama`
target is below expectation, which also bounds what the rater may record.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from kinerja_api.models.evaluations import Predicate, RatingLevel

ABOVE, MEETS, BELOW = RatingLevel.ABOVE, RatingLevel.MEETS, RatingLevel.BELOW

MATRIX: dict[tuple[RatingLevel, RatingLevel], Predicate] = {
    # (perilaku, hasil kerja): predikat
    (ABOVE, BELOW): Predicate.BUTUH_PERBAIKAN,
    (ABOVE, MEETS): Predicate.BAIK,
    (ABOVE, ABOVE): Predicate.SANGAT_BAIK,
    (MEETS, BELOW): Predicate.BUTUH_PERBAIKAN,
    (MEETS, MEETS): Predicate.BAIK,
    (MEETS, ABOVE): Predicate.BAIK,
    (BELOW, BELOW): Predicate.SANGAT_KURANG,
    (BELOW, MEETS): Predicate.KURANG,
    (BELOW, ABOVE): Predicate.KURANG,
}

TARGET_EXPECTATION = Decimal(100)
ABOVE_FROM = Decimal(110)
MEETS_FROM = Decimal(90)

# Predikat that call for a development plan, and the one that makes an award candidate.
NEEDS_DEVELOPMENT = frozenset(
    {Predicate.BUTUH_PERBAIKAN, Predicate.KURANG, Predicate.SANGAT_KURANG}
)
AWARD_CANDIDATE = Predicate.SANGAT_BAIK


def predicate(perilaku: RatingLevel, hasil_kerja: RatingLevel) -> Predicate:
    return MATRIX[(RatingLevel(perilaku), RatingLevel(hasil_kerja))]


@dataclass(frozen=True, slots=True)
class TargetResult:
    kind: str  # utama / tambahan
    percent: Decimal


def utama_below_expectation(targets: Iterable[TargetResult]) -> bool:
    return any(t.kind == "utama" and t.percent < TARGET_EXPECTATION for t in targets)


def suggest_hasil_kerja(plan_percent: Decimal, targets: Iterable[TargetResult]) -> RatingLevel:
    if plan_percent < MEETS_FROM:
        return BELOW
    if plan_percent >= ABOVE_FROM and not utama_below_expectation(targets):
        return ABOVE
    return MEETS
