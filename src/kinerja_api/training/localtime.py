"""Session times: clients give them as local times of the region's zone (or as instants with an
offset); they are stored as instants and returned in the region's offset (RFC 3339)."""

from datetime import datetime
from zoneinfo import ZoneInfo


def as_instant(value: datetime, zone: str) -> datetime:
    """A local time without an offset is read in `zone`; an instant stays what it is."""
    if value.tzinfo is None:
        return value.replace(tzinfo=ZoneInfo(zone))
    return value


def in_zone(value: datetime, zone: str) -> datetime:
    return value.astimezone(ZoneInfo(zone))
