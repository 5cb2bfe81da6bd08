"""An agency's spread of predikat beside the curve of its organisation predikat: pure, no I/O.
Whether a band fits is `curves.check`'s verdict; this only lays the figures out."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from kinerja_api.evaluations import curves
from kinerja_api.models.evaluations import OrganisationPredicate, Predicate

SHARE_PLACES = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class BandFigure:
    band: curves.Band
    count: int
    share: Decimal
    fits: bool


@dataclass(frozen=True, slots=True)
class Distribution:
    rated: int
    counts: Mapping[Predicate, int]
    shares: Mapping[Predicate, Decimal]
    bands: tuple[BandFigure, ...]
    violations: tuple[curves.Violation, ...]

    @property
    def fits(self) -> bool:
        return not self.violations


def share(count: int, total: int) -> Decimal:
    if total == 0:
        return Decimal(0).quantize(SHARE_PLACES)
    return (Decimal(count) / Decimal(total)).quantize(SHARE_PLACES, ROUND_HALF_UP)


def distribution(
    organisation: OrganisationPredicate,
    counts: Mapping[Predicate, int],
    version: str = curves.CURRENT_VERSION,
) -> Distribution:
    """Every predikat's count and share, every band of the curve with its figures, and the
    bands the spread breaks."""
    full = {p: counts.get(p, 0) for p in Predicate}
    rated = sum(full.values())
    spread = [p for p, count in full.items() for _ in range(count)]
    violations = tuple(curves.check(organisation, spread, version))
    broken = {v.band for v in violations}
    bands = []
    for band in curves.CURVES[version][OrganisationPredicate(organisation)]:
        count = sum(full[p] for p in band.predicates)
        bands.append(BandFigure(band, count, share(count, rated), band.name not in broken))
    return Distribution(
        rated=rated,
        counts=full,
        shares={p: share(c, rated) for p, c in full.items()},
        bands=tuple(bands),
        violations=violations,
    )
