"""Which competency areas to suggest to an employee: pure rules, no I/O.

From the employee's latest 360° results (the weak BerAKHLAK values, weakest first, as the
results' follow-up hint gives them) and the predikat of their latest rating:

1. Each weak value suggests the area of that value (`CompetencyArea` of the same name), in the
   order given, weakest first; a value named twice counts once.
2. A predikat that calls for a development plan (Butuh Perbaikan, Kurang, Sangat Kurang) adds,
   read from the regulation's matrix:
   - hasil kerja below expectation (Butuh Perbaikan, Sangat Kurang): `teknis`, the competency
     of the position's own work, after the values;
   - perilaku below expectation (Kurang, Sangat Kurang) with no weak value known (the 360°
     results were withheld, or there was no cycle): every core value's area, in BerAKHLAK
     order, since behaviour fell short and no value is singled out. With weak values known, they
     already say where behaviour fell short and nothing more is added.
3. Nothing weak and no plan called for: no suggestion.

`manajerial` and `sosial_kultural` are never suggested by these rules: whether a supervisor
needs managerial development is a judgement of the development plan, not of the scores. The
programs to show are then the region's active programs of the suggested areas, in the order of
the areas."""

from collections.abc import Iterable
from dataclasses import dataclass

from kinerja_api.evaluations.api import MATRIX, NEEDS_DEVELOPMENT
from kinerja_api.models.evaluations import Predicate, RatingLevel
from kinerja_api.training.vocabulary import CompetencyArea, CoreValue, SuggestionReason, area_of


def _always_below(side: int) -> frozenset[Predicate]:
    """The predikat that only arise with that side (0: perilaku, 1: hasil kerja) below."""
    return frozenset(
        predicate
        for predicate in set(MATRIX.values())
        if all(
            levels[side] == RatingLevel.BELOW
            for levels, other in MATRIX.items()
            if other == predicate
        )
    )


PERILAKU_BELOW = _always_below(0)
HASIL_KERJA_BELOW = _always_below(1)


@dataclass(frozen=True, slots=True)
class Suggestion:
    area: CompetencyArea
    reason: SuggestionReason
    value: CoreValue | None = None
    """The weak core value behind a `weak_value` suggestion."""


def development_required(predicate: Predicate | None) -> bool:
    return predicate is not None and Predicate(predicate) in NEEDS_DEVELOPMENT


def suggest(
    weak_values: Iterable[CoreValue], predicate: Predicate | None = None
) -> list[Suggestion]:
    """The areas to suggest, most pressing first, each once (the rules in the docstring)."""
    weak = list(dict.fromkeys(CoreValue(value) for value in weak_values))
    suggestions = [Suggestion(area_of(v), SuggestionReason.WEAK_VALUE, v) for v in weak]
    if predicate is None or not development_required(predicate):
        return suggestions
    if Predicate(predicate) in HASIL_KERJA_BELOW:
        teknis = Suggestion(CompetencyArea.TEKNIS, SuggestionReason.HASIL_KERJA_BELOW)
        suggestions.append(teknis)
    if Predicate(predicate) in PERILAKU_BELOW and not weak:
        suggestions.extend(
            Suggestion(area_of(v), SuggestionReason.PERILAKU_BELOW, v) for v in CoreValue
        )
    return suggestions


def suggested_areas(
    weak_values: Iterable[CoreValue], predicate: Predicate | None = None
) -> list[CompetencyArea]:
    return [suggestion.area for suggestion in suggest(weak_values, predicate)]
