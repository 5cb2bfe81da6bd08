"""The training domain's words: the competency areas a program develops and where a ledger's
JP come from. Employment types are the organisation's (`models.org.EmploymentType`) and the
core values the evaluations' (`models.evaluations.CoreValue`); both are re-exported here so
the rule modules of this domain name one vocabulary.

A competency area is one of the three kinds of competency of the regulation (teknis,
manajerial, sosial kultural) or one of the seven BerAKHLAK core values; a value's area has
the value's own name, so `CompetencyArea(core_value.value)` is that value's area."""

from enum import StrEnum

from kinerja_api.models.common import described
from kinerja_api.models.evaluations import CoreValue
from kinerja_api.models.org import EmploymentType

__all__ = [
    "CompetencyArea",
    "CoreValue",
    "EmploymentType",
    "LedgerSource",
    "SuggestionReason",
    "area_of",
]


@described(
    {
        "teknis": "kompetensi teknis — technical competency of the position",
        "manajerial": "kompetensi manajerial — managerial competency",
        "sosial_kultural": "kompetensi sosial kultural — socio-cultural competency",
        "berorientasi_pelayanan": "BerAKHLAK: Berorientasi Pelayanan — service oriented",
        "akuntabel": "BerAKHLAK: Akuntabel — accountable",
        "kompeten": "BerAKHLAK: Kompeten — competent",
        "harmonis": "BerAKHLAK: Harmonis — harmonious",
        "loyal": "BerAKHLAK: Loyal — loyal",
        "adaptif": "BerAKHLAK: Adaptif — adaptive",
        "kolaboratif": "BerAKHLAK: Kolaboratif — collaborative",
    }
)
class CompetencyArea(StrEnum):
    """The competency area a training program develops."""

    TEKNIS = "teknis"
    MANAJERIAL = "manajerial"
    SOSIAL_KULTURAL = "sosial_kultural"
    BERORIENTASI_PELAYANAN = "berorientasi_pelayanan"
    AKUNTABEL = "akuntabel"
    KOMPETEN = "kompeten"
    HARMONIS = "harmonis"
    LOYAL = "loyal"
    ADAPTIF = "adaptif"
    KOLABORATIF = "kolaboratif"


def area_of(value: CoreValue) -> CompetencyArea:
    """The competency area that develops a BerAKHLAK core value."""
    return CompetencyArea(CoreValue(value).value)


@described(
    {
        "training": "pelatihan — a completed enrollment in one of the region's sessions",
        "external": "luar pelatihan — imported or entered by a training admin with evidence",
    }
)
class LedgerSource(StrEnum):
    """Where JP in an employee's ledger come from."""

    TRAINING = "training"
    EXTERNAL = "external"


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
