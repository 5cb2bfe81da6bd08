"""The Indeks Kepuasan Masyarakat of PermenPANRB 14/2017, computed exactly.

Each element's average (NRR) is the sum of its scores over the number of respondents; the IKM is
the mean of the nine NRRs (weights of exactly 1/9) times 25. Everything stays a `Fraction` until
the final value is rounded half-up to two decimals, and the category is read from that rounded
value, so 88.305 becomes 88.31 and is an A.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from kinerja_api.models.common import described
from kinerja_api.models.feedback import IKM_ELEMENTS

CONVERSION_FACTOR = 25


@described(
    {
        "A": "Sangat Baik — very good (IKM 88.31–100)",
        "B": "Baik — good (76.61–88.30)",
        "C": "Kurang Baik — fair (65.00–76.60)",
        "D": "Tidak Baik — poor (25.00–64.99)",
    }
)
class IkmGrade(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


@dataclass(frozen=True, slots=True)
class IkmCategory:
    grade: IkmGrade
    label: str
    minimum: Decimal


# Highest first: the first whose minimum the rounded IKM reaches is its category.
CATEGORIES = (
    IkmCategory(IkmGrade.A, "Sangat Baik", Decimal("88.31")),
    IkmCategory(IkmGrade.B, "Baik", Decimal("76.61")),
    IkmCategory(IkmGrade.C, "Kurang Baik", Decimal("65.00")),
    IkmCategory(IkmGrade.D, "Tidak Baik", Decimal("25.00")),
)


@dataclass(frozen=True, slots=True)
class IkmResult:
    respondents: int
    nrr: tuple[Fraction, ...]
    ikm: Fraction

    @property
    def ikm_rounded(self) -> Decimal:
        return round_half_up(self.ikm)

    @property
    def category(self) -> IkmCategory:
        return category_of(self.ikm_rounded)


def round_half_up(value: Fraction, places: int = 2) -> Decimal:
    """Exact half-up rounding of a non-negative fraction."""
    scale = 10**places
    scaled = value * scale
    units = (scaled.numerator * 2 + scaled.denominator) // (scaled.denominator * 2)
    rounded: Decimal = Decimal(units).scaleb(-places)
    return rounded


def category_of(ikm: Decimal) -> IkmCategory:
    for category in CATEGORIES:
        if ikm >= category.minimum:
            return category
    return CATEGORIES[-1]


def compute(respondents: int, element_sums: Sequence[int]) -> IkmResult | None:
    """The IKM of `respondents` questionnaires whose scores add up to `element_sums` per
    element (in `IKM_ELEMENTS` order); None when nobody answered."""
    if len(element_sums) != len(IKM_ELEMENTS):
        raise ValueError("one sum per IKM element is required")
    if respondents == 0:
        return None
    nrr = tuple(Fraction(total, respondents) for total in element_sums)
    ikm = sum(nrr, Fraction(0)) / len(IKM_ELEMENTS) * CONVERSION_FACTOR
    return IkmResult(respondents, nrr, ikm)
