"""The yearly JP ledger (jam pelajaran): pure rules, no I/O.

PP 17/2020 (amending PP 11/2017 on ASN management) and Peraturan LAN 10/2018 entitle every PNS
to at least 20 JP of competency development a year. The design card (DESIGN.md) names that
minimum for PNS only, so it applies to `pns`; a PPPK's JP are still totalled, with no minimum
and no shortfall (`None`: not applicable, unlike a met minimum's shortfall of 0).

An activity counts in the calendar year of the region's own time zone in which it ended (WIB
`Asia/Jakarta`, WITA `Asia/Makassar`, WIT `Asia/Jayapura`): one that ends at 31 December 23:30
WITA (15:30 UTC) counts in that year; one that ends at 1 January 00:30 WITA (31 December 16:30
UTC) counts in the new one, while the same instant is still 31 December 23:30 in WIB.

Each source (a completed enrollment, an external record: `JpSource` and the record's id) is
credited once: a completion recorded twice, or a record listed twice, adds its JP once (the
first occurrence counts)."""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from kinerja_api.training.vocabulary import EmploymentType, JpSource

MINIMUM_JP = Decimal(20)
"""The yearly minimum of a PNS (PP 17/2020; Peraturan LAN 10/2018)."""

MIN_ACTIVITY_JP, MAX_ACTIVITY_JP = 1, 1000
"""The JP one activity may credit (a program's completion, an external activity)."""

FIRST_LEDGER_YEAR, LAST_LEDGER_YEAR = 2000, 2100
"""The years the ledger holds."""

MINIMUM_BY_EMPLOYMENT: dict[EmploymentType, Decimal | None] = {
    EmploymentType.PNS: MINIMUM_JP,
    EmploymentType.PPPK: None,
}

ZONE_ABBREVIATIONS: dict[str, str] = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


def zone_abbreviation(zone: ZoneInfo | str) -> str:
    """WIB/WITA/WIT for Indonesia's zones; otherwise the IANA name itself."""
    name = zone.key if isinstance(zone, ZoneInfo) else zone
    return ZONE_ABBREVIATIONS.get(name, name)


def _zone(zone: ZoneInfo | str) -> ZoneInfo:
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("an activity's end must be an aware instant (with its UTC offset)")
    return instant


def counting_year(ended_at: datetime, zone: ZoneInfo | str) -> int:
    """The calendar year, in the region's zone, in which an activity ending at `ended_at`
    counts."""
    return _aware(ended_at).astimezone(_zone(zone)).year


def year_bounds(year: int, zone: ZoneInfo | str) -> tuple[datetime, datetime]:
    """The year's half-open span [start, end) in UTC: midnight of 1 January in the region's
    zone to midnight of the next 1 January. A query for a year's activities selects
    `start <= ended_at < end`."""
    tz = _zone(zone)
    start = datetime.combine(date(year, 1, 1), time(), tzinfo=tz)
    end = datetime.combine(date(year + 1, 1, 1), time(), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One activity of an employee's ledger."""

    source: JpSource
    source_id: Hashable
    """The enrollment's id for training, the external record's id otherwise."""
    jp: Decimal
    ended_at: datetime

    def __post_init__(self) -> None:
        _aware(self.ended_at)
        if not isinstance(self.jp, Decimal | int) or isinstance(self.jp, bool):
            raise TypeError("jp must be a Decimal or an int")
        if self.jp < 0:
            raise ValueError("jp must not be negative")

    @property
    def key(self) -> tuple[JpSource, Hashable]:
        return (JpSource(self.source), self.source_id)


class LedgerSummary(NamedTuple):
    total_jp: Decimal
    minimum: Decimal | None
    """None: no yearly minimum applies (PPPK)."""
    shortfall: Decimal | None
    """JP still missing to reach the minimum (0 once reached); None when none applies."""


def year_entries(
    entries: Iterable[LedgerEntry], year: int, zone: ZoneInfo | str
) -> list[LedgerEntry]:
    """The year's activities, each source once (its first occurrence), by end then source."""
    tz = _zone(zone)
    seen: set[tuple[JpSource, Hashable]] = set()
    kept: list[LedgerEntry] = []
    for entry in entries:
        if entry.key in seen:
            continue
        seen.add(entry.key)
        if counting_year(entry.ended_at, tz) == year:
            kept.append(entry)
    return sorted(
        kept, key=lambda entry: (entry.ended_at, entry.source.value, str(entry.source_id))
    )


def minimum_for(employment_type: EmploymentType | str) -> Decimal | None:
    return MINIMUM_BY_EMPLOYMENT[EmploymentType(employment_type)]


def ledger_summary(
    entries: Iterable[LedgerEntry],
    year: int,
    employment_type: EmploymentType | str,
    *,
    zone: ZoneInfo | str,
) -> LedgerSummary:
    """The year's total JP, the minimum that applies and the shortfall against it."""
    total = sum((Decimal(entry.jp) for entry in year_entries(entries, year, zone)), Decimal(0))
    minimum = minimum_for(employment_type)
    shortfall = None if minimum is None else max(minimum - total, Decimal(0))
    return LedgerSummary(total_jp=total, minimum=minimum, shortfall=shortfall)
