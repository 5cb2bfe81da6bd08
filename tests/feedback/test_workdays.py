"""Complaint deadlines: 5 working days in the region's own calendar."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from kinerja_api.feedback.workdays import deadline

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")


def test_a_friday_complaint_counts_from_monday_across_the_weekend_in_wib() -> None:
    friday_afternoon = datetime(2026, 11, 20, 15, tzinfo=WIB)
    due = deadline(friday_afternoon, WIB, set(), 5)
    assert due.last_day == date(2026, 11, 27)
    assert due.due_at == datetime(2026, 11, 27, 17, tzinfo=UTC)  # 28 Nov 00:00 WIB


def test_a_holiday_moves_the_deadline_in_wib() -> None:
    friday_afternoon = datetime(2026, 11, 20, 15, tzinfo=WIB)
    due = deadline(friday_afternoon, WIB, {date(2026, 11, 25)}, 5)
    assert due.last_day == date(2026, 11, 30)  # Mon 23, Tue 24, Thu 26, Fri 27, Mon 30
    assert due.due_at == datetime(2026, 11, 30, 17, tzinfo=UTC)


def test_the_same_instant_is_another_day_in_wita() -> None:
    instant = datetime(2026, 11, 22, 16, 30, tzinfo=UTC)  # Sun 23:30 WIB, Mon 00:30 WITA
    in_wib = deadline(instant, WIB, set(), 5)
    in_wita = deadline(instant, WITA, set(), 5)
    assert in_wib.last_day == date(2026, 11, 27)
    assert in_wita.last_day == date(2026, 11, 30)
    assert in_wita.due_at == datetime(2026, 11, 30, 16, tzinfo=UTC)  # 1 Dec 00:00 WITA


def test_christmas_and_cuti_bersama_are_skipped_in_wita() -> None:
    monday = datetime(2026, 12, 21, 10, tzinfo=WITA)
    holidays = {date(2026, 12, 24), date(2026, 12, 25)}
    assert deadline(monday, WITA, set(), 5).last_day == date(2026, 12, 28)
    due = deadline(monday, WITA, holidays, 5)
    # Tue 22, Wed 23, (Thu 24, Fri 25 holidays, weekend), Mon 28, Tue 29, Wed 30.
    assert due.last_day == date(2026, 12, 30)
    assert due.due_at == datetime(2026, 12, 30, 16, tzinfo=UTC)


def test_a_weekend_submission_starts_counting_on_monday() -> None:
    saturday = datetime(2026, 11, 21, 9, tzinfo=WIB)
    assert deadline(saturday, WIB, set(), 5).last_day == date(2026, 11, 27)
