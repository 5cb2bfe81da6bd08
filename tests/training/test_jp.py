"""The JP ledger: the year an activity counts in (the region's zone, at the year boundary),
the 20 JP minimum of a PNS, PPPK without a minimum, and each source credited once."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kinerja_api.training.jp import (
    MINIMUM_JP,
    LedgerEntry,
    counting_year,
    ledger_summary,
    year_bounds,
    year_entries,
    zone_abbreviation,
)
from kinerja_api.training.vocabulary import EmploymentType, JpSource

WIB, WITA, WIT = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar"), ZoneInfo("Asia/Jayapura")


def entry(
    jp: int | str,
    ended_at: datetime,
    *,
    source: JpSource = JpSource.TRAINING,
    source_id: uuid.UUID | None = None,
) -> LedgerEntry:
    return LedgerEntry(
        source=source, source_id=source_id or uuid.uuid4(), jp=Decimal(jp), ended_at=ended_at
    )


def test_last_half_hour_of_the_year_in_wita_counts_in_that_year() -> None:
    ended = datetime(2025, 12, 31, 23, 30, tzinfo=WITA)
    assert ended.astimezone(UTC) == datetime(2025, 12, 31, 15, 30, tzinfo=UTC)
    assert counting_year(ended, WITA) == 2025


def test_first_half_hour_of_the_new_year_in_wita_counts_in_the_new_year() -> None:
    ended = datetime(2026, 1, 1, 0, 30, tzinfo=WITA)
    assert ended.astimezone(UTC) == datetime(2025, 12, 31, 16, 30, tzinfo=UTC)
    assert counting_year(ended, WITA) == 2026
    assert counting_year(ended.astimezone(UTC), "Asia/Makassar") == 2026


def test_the_same_instant_counts_in_different_years_in_wib_and_wita() -> None:
    instant = datetime(2025, 12, 31, 16, 30, tzinfo=UTC)
    assert counting_year(instant, WIB) == 2025  # 23:30 WIB
    assert counting_year(instant, WITA) == 2026  # 00:30 WITA
    assert counting_year(instant, WIT) == 2026  # 01:30 WIT


def test_a_naive_end_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        counting_year(datetime(2025, 12, 31, 23, 30), WITA)
    with pytest.raises(ValueError, match="aware"):
        entry(2, datetime(2025, 12, 31, 23, 30))


def test_year_bounds_are_midnights_of_the_zone_in_utc() -> None:
    assert year_bounds(2026, WITA) == (
        datetime(2025, 12, 31, 16, tzinfo=UTC),
        datetime(2026, 12, 31, 16, tzinfo=UTC),
    )
    assert year_bounds(2026, "Asia/Jakarta")[0] == datetime(2025, 12, 31, 17, tzinfo=UTC)


def test_zone_abbreviations() -> None:
    assert [zone_abbreviation(z) for z in (WIB, WITA, WIT)] == ["WIB", "WITA", "WIT"]
    assert zone_abbreviation("Europe/Paris") == "Europe/Paris"


def test_shortfall_at_the_wita_year_boundary() -> None:
    entries = [
        entry(8, datetime(2025, 3, 10, 16, tzinfo=WITA)),
        entry(6, datetime(2025, 12, 31, 23, 30, tzinfo=WITA)),  # still 2025
        entry(10, datetime(2026, 1, 1, 0, 30, tzinfo=WITA)),  # already 2026
        entry(4, datetime(2024, 12, 31, 23, 59, tzinfo=WITA)),  # still 2024
    ]
    assert ledger_summary(entries, 2025, EmploymentType.PNS, zone=WITA) == (
        Decimal(14),
        MINIMUM_JP,
        Decimal(6),
    )
    assert ledger_summary(entries, 2026, "pns", zone=WITA) == (
        Decimal(10),
        Decimal(20),
        Decimal(10),
    )
    # In WIB the 1 January 00:30 WITA activity (23:30 WIB) still belongs to 2025.
    assert ledger_summary(entries, 2025, EmploymentType.PNS, zone=WIB).total_jp == Decimal(24)


def test_a_reached_minimum_has_no_shortfall() -> None:
    entries = [
        entry(12, datetime(2025, 5, 1, tzinfo=WIB)),
        entry(9, datetime(2025, 6, 1, tzinfo=WIB)),
    ]
    total, minimum, shortfall = ledger_summary(entries, 2025, EmploymentType.PNS, zone=WIB)
    assert (total, minimum, shortfall) == (Decimal(21), Decimal(20), Decimal(0))


def test_an_empty_year_falls_short_by_the_whole_minimum() -> None:
    assert ledger_summary([], 2025, EmploymentType.PNS, zone=WIB) == (
        Decimal(0),
        Decimal(20),
        Decimal(20),
    )


def test_pppk_are_totalled_without_a_minimum_or_shortfall() -> None:
    entries = [entry(3, datetime(2025, 5, 1, tzinfo=WIB))]
    assert ledger_summary(entries, 2025, EmploymentType.PPPK, zone=WIB) == (
        Decimal(3),
        None,
        None,
    )


def test_each_source_is_credited_once() -> None:
    enrollment = uuid.uuid4()
    ended = datetime(2025, 8, 1, 12, tzinfo=WIB)
    entries = [
        entry(10, ended, source_id=enrollment),
        entry(10, ended, source_id=enrollment),  # completion recorded twice
        entry(5, ended, source=JpSource.EXTERNAL, source_id=enrollment),  # another source
    ]
    summary = ledger_summary(entries, 2025, EmploymentType.PNS, zone=WIB)
    assert summary == (Decimal(15), Decimal(20), Decimal(5))
    assert len(year_entries(entries, 2025, WIB)) == 2


def test_fractional_jp_add_exactly() -> None:
    entries = [entry("0.1", datetime(2025, 1, 2, tzinfo=WIB)) for _ in range(3)]
    assert ledger_summary(entries, 2025, EmploymentType.PNS, zone=WIB).total_jp == Decimal("0.3")


def test_year_entries_are_ordered_by_end() -> None:
    late = entry(1, datetime(2025, 9, 1, tzinfo=WIB))
    early = entry(1, datetime(2025, 2, 1, tzinfo=WIB))
    assert year_entries([late, early], 2025, WIB) == [early, late]


def test_negative_jp_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        entry(-1, datetime(2025, 1, 2, tzinfo=WIB))
