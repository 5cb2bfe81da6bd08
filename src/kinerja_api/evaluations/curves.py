"""The distribution curves of PermenPANRB 6/2022: how an agency's organisation predikat bounds
the spread of its employees' predikat. Fixed, versioned data; `check` is a pure rule.

Each curve is a list of bands: a set of employee predikat and the share of the agency's rated
employees the band must keep within (`at_most`, `at_least`), or a number of employees it must
have at least (`at_least_count`, the regulation's "harus ada")."""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from kinerja_api.models.evaluations import OrganisationPredicate, Predicate

CURRENT_VERSION = "permenpanrb-6-2022"

SB, B, BP, K, SK = (
    Predicate.SANGAT_BAIK,
    Predicate.BAIK,
    Predicate.BUTUH_PERBAIKAN,
    Predicate.KURANG,
    Predicate.SANGAT_KURANG,
)


@dataclass(frozen=True, slots=True)
class Band:
    predicates: frozenset[Predicate]
    at_most: Decimal | None = None  # share, 0-1
    at_least: Decimal | None = None  # share, 0-1
    at_least_count: int | None = None

    @property
    def name(self) -> str:
        return "+".join(p.value for p in Predicate if p in self.predicates)


P = Decimal

CURVES: Mapping[str, Mapping[OrganisationPredicate, tuple[Band, ...]]] = {
    CURRENT_VERSION: {
        OrganisationPredicate.ISTIMEWA: (Band(frozenset({SB}), at_most=P("0.70")),),
        OrganisationPredicate.BAIK: (
            Band(frozenset({B}), at_most=P("0.70")),
            Band(frozenset({BP, K}), at_least_count=1),
        ),
        OrganisationPredicate.BUTUH_PERBAIKAN: (
            Band(frozenset({BP}), at_least=P("0.60")),
            Band(frozenset({SB}), at_most=P("0.10")),
        ),
        OrganisationPredicate.KURANG: (
            Band(frozenset({K}), at_least=P("0.60")),
            Band(frozenset({BP}), at_least=P("0.10")),
            Band(frozenset({SB}), at_most=P("0.10")),
        ),
        OrganisationPredicate.SANGAT_KURANG: (
            Band(frozenset({SK}), at_least=P("0.60")),
            Band(frozenset({K, BP}), at_least=P("0.10")),
            Band(frozenset({SB}), at_most=P("0")),
        ),
    }
}


@dataclass(frozen=True, slots=True)
class Violation:
    band: str
    count: int
    share: Decimal  # of the rated employees, 0-1, rounded to 4 places
    at_most: Decimal | None
    at_least: Decimal | None
    at_least_count: int | None


def _share(count: int, total: int) -> Decimal:
    return (Decimal(count) / Decimal(total)).quantize(P("0.0001"), ROUND_HALF_UP)


def check(
    organisation: OrganisationPredicate,
    predicates: Iterable[Predicate],
    version: str = CURRENT_VERSION,
) -> list[Violation]:
    """The bands the spread of `predicates` breaks (empty when it fits). Shares are compared
    exactly (count / total), the rounded share is only reported. An agency with no rated
    employee breaks nothing."""
    counts = Counter(Predicate(p) for p in predicates)
    total = sum(counts.values())
    if total == 0:
        return []
    violations = []
    for band in CURVES[version][OrganisationPredicate(organisation)]:
        count = sum(counts[p] for p in band.predicates)
        exact = Decimal(count) / Decimal(total)
        broken = (
            (band.at_most is not None and exact > band.at_most)
            or (band.at_least is not None and exact < band.at_least)
            or (band.at_least_count is not None and count < band.at_least_count)
        )
        if broken:
            violations.append(
                Violation(
                    band.name,
                    count,
                    _share(count, total),
                    band.at_most,
                    band.at_least,
                    band.at_least_count,
                )
            )
    return violations
