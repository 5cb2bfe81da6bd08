"""Complaint deadlines in working days, counted in the region's own calendar."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SATURDAY = 5


@dataclass(frozen=True, slots=True)
class Deadline:
    last_day: date
    """The last working day, in the region's calendar."""
    due_at: datetime
    """The instant the deadline passes: midnight (region time) after `last_day`, in UTC."""


def is_working_day(day: date, holidays: Collection[date]) -> bool:
    return day.weekday() < SATURDAY and day not in holidays


def deadline(
    start: datetime, zone: ZoneInfo, holidays: Collection[date], working_days: int
) -> Deadline:
    """`working_days` full working days after the day of `start` (the day itself does not
    count, whatever the hour), skipping weekends and `holidays`."""
    day = start.astimezone(zone).date()
    counted = 0
    while counted < working_days:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            counted += 1
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)
    return Deadline(last_day=day, due_at=end.astimezone(UTC))


def horizon(start: datetime, zone: ZoneInfo, working_days: int) -> tuple[date, date]:
    """The calendar days within which the holidays that may matter fall."""
    first = start.astimezone(zone).date()
    # A week per working day plus a month covers any run of holidays a calendar has.
    return first, first + timedelta(days=7 * working_days + 31)
