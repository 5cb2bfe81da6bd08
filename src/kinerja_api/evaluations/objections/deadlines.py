"""When an objection may still be filed: pure, no I/O. The days are counted in the region's
calendar from the day (in its time zone) the rating was locked: locked on 17 January with 14
days, the last day is 31 January, until midnight at its end, region time."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def last_day(locked_at: datetime, zone: ZoneInfo, days: int) -> date:
    return locked_at.astimezone(zone).date() + timedelta(days=days)


def closes_at(locked_at: datetime, zone: ZoneInfo, days: int) -> datetime:
    """The instant the window closes: midnight (region time) after the last day, in UTC."""
    end = datetime.combine(last_day(locked_at, zone, days) + timedelta(days=1), time(), zone)
    return end.astimezone(UTC)


def is_open(now: datetime, locked_at: datetime, zone: ZoneInfo, days: int) -> bool:
    return now.astimezone(zone).date() <= last_day(locked_at, zone, days)
