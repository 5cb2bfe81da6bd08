"""The training domain's words: the competency areas a program develops and where a ledger's
JP come from (`models.training`, beside the tables that store them), employment types (the
organisation's) and the core values (the evaluations'), re-exported here so the rule modules
of this domain name one vocabulary.

A competency area is one of the three kinds of competency of the regulation (teknis,
manajerial, sosial kultural) or one of the seven BerAKHLAK core values; a value's area has
the value's own name, so `CompetencyArea(core_value.value)` is that value's area."""

from enum import StrEnum

from kinerja_api.models.common import described
from kinerja_api.models.evaluations import CoreValue
from kinerja_api.models.org import EmploymentType
from kinerja_api.models.training import CompetencyArea, JpSource

__all__ = [
    "CompetencyArea",
    "CoreValue",
    "EmploymentType",
    "JpSource",
    "SuggestionReason",
    "area_of",
]


def area_of(value: CoreValue) -> CompetencyArea:
    """The competency area that develops a BerAKHLAK core value."""
    return CompetencyArea(CoreValue(value).value)


@described(
    {
        "weak_value": "nilai BerAKHLAK di bawah ekspektasi — a core value the latest 360° results"
        " show as weak",
        "hasil_kerja_below": "hasil kerja di bawah ekspektasi — the predikat calls for a"
        " development plan because of the work results",
        "perilaku_below": "perilaku di bawah ekspektasi — the predikat calls for a development"
        " plan because of behaviour, with no core value singled out",
    }
)
class SuggestionReason(StrEnum):
    """Why a competency area is suggested to an employee."""

    WEAK_VALUE = "weak_value"
    HASIL_KERJA_BELOW = "hasil_kerja_below"
    PERILAKU_BELOW = "perilaku_below"
