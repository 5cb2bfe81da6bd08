"""Suggested competency areas: weak values weakest first, `teknis` when the work results fell
short, every value when behaviour fell short and no value is singled out."""

import pytest

from kinerja_api.models.evaluations import Predicate
from kinerja_api.training.recommendations import (
    HASIL_KERJA_BELOW,
    PERILAKU_BELOW,
    Suggestion,
    development_required,
    suggest,
    suggested_areas,
)
from kinerja_api.training.vocabulary import (
    CompetencyArea,
    CoreValue,
    SuggestionReason,
    area_of,
)

ALL_VALUE_AREAS = [area_of(value) for value in CoreValue]


def test_every_core_value_has_its_own_area() -> None:
    assert [area.value for area in ALL_VALUE_AREAS] == [value.value for value in CoreValue]
    assert area_of(CoreValue.AKUNTABEL) is CompetencyArea.AKUNTABEL


def test_the_matrix_read_for_which_side_fell_short() -> None:
    assert {Predicate.BUTUH_PERBAIKAN, Predicate.SANGAT_KURANG} == HASIL_KERJA_BELOW
    assert {Predicate.KURANG, Predicate.SANGAT_KURANG} == PERILAKU_BELOW


@pytest.mark.parametrize(
    ("predicate", "required"),
    [
        (None, False),
        (Predicate.SANGAT_BAIK, False),
        (Predicate.BAIK, False),
        (Predicate.BUTUH_PERBAIKAN, True),
        (Predicate.KURANG, True),
        (Predicate.SANGAT_KURANG, True),
    ],
)
def test_development_required(predicate: Predicate | None, required: bool) -> None:
    assert development_required(predicate) is required


def test_weak_values_in_order_of_weakness_each_once() -> None:
    weak = [CoreValue.KOLABORATIF, CoreValue.AKUNTABEL, CoreValue.KOLABORATIF]
    assert suggest(weak, Predicate.BAIK) == [
        Suggestion(CompetencyArea.KOLABORATIF, SuggestionReason.WEAK_VALUE, CoreValue.KOLABORATIF),
        Suggestion(CompetencyArea.AKUNTABEL, SuggestionReason.WEAK_VALUE, CoreValue.AKUNTABEL),
    ]
    assert suggested_areas(["adaptif"]) == [CompetencyArea.ADAPTIF]  # type: ignore[list-item]


def test_nothing_weak_and_nothing_required_suggests_nothing() -> None:
    assert suggest([]) == []
    assert suggest([], Predicate.SANGAT_BAIK) == []


def test_work_results_below_add_teknis_after_the_values() -> None:
    assert suggested_areas([CoreValue.KOMPETEN], Predicate.BUTUH_PERBAIKAN) == [
        CompetencyArea.KOMPETEN,
        CompetencyArea.TEKNIS,
    ]
    assert suggest([], Predicate.BUTUH_PERBAIKAN) == [
        Suggestion(CompetencyArea.TEKNIS, SuggestionReason.HASIL_KERJA_BELOW)
    ]


def test_behaviour_below_with_no_weak_value_known_suggests_every_value() -> None:
    suggestions = suggest([], Predicate.KURANG)
    assert [s.area for s in suggestions] == ALL_VALUE_AREAS
    assert {s.reason for s in suggestions} == {SuggestionReason.PERILAKU_BELOW}


def test_behaviour_below_with_weak_values_keeps_to_them() -> None:
    assert suggested_areas([CoreValue.LOYAL], Predicate.KURANG) == [CompetencyArea.LOYAL]


def test_both_below() -> None:
    assert suggested_areas([], Predicate.SANGAT_KURANG) == [
        CompetencyArea.TEKNIS,
        *ALL_VALUE_AREAS,
    ]
    assert suggested_areas([CoreValue.HARMONIS], Predicate.SANGAT_KURANG) == [
        CompetencyArea.HARMONIS,
        CompetencyArea.TEKNIS,
    ]


def test_managerial_and_socio_cultural_are_never_suggested_by_the_scores() -> None:
    for predicate in [None, *Predicate]:
        for weak in ([], list(CoreValue)):
            areas = set(suggested_areas(weak, predicate))
            assert not areas & {CompetencyArea.MANAJERIAL, CompetencyArea.SOSIAL_KULTURAL}
