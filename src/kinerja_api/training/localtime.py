"""Session times: clients give them as local times of the region's zone (or as instants with an
offset); they are stored as instants and returned in the region's offset (RFC 3339)."""

import re
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BeforeValidator, WithJsonSchema

from kinerja_api.core.schemas import Instant

# RFC 3339's date-time with the offset optional: the contract says what is accepted (a bare
# `format: date-time` would tell clients, and validators, that an offset is required).
LOCAL_OR_INSTANT = (
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:?\d{2})?$"
)
_LOCAL_OR_INSTANT = re.compile(LOCAL_OR_INSTANT)


def _spelled_as_declared(value: Any) -> Any:
    """Only the spellings the contract declares: no numbers (Unix times), no other forms the
    date-time parser would take."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _LOCAL_OR_INSTANT.fullmatch(value):
        raise ValueError("expected a local time (2026-07-06T08:00:00) or an RFC 3339 instant")
    return value


LocalTime = Annotated[
    Instant,
    BeforeValidator(_spelled_as_declared),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": LOCAL_OR_INSTANT,
            "description": "A local time in the region's zone (`2026-07-06T08:00:00`), or an "
            "instant with its offset (`2026-07-06T08:00:00+07:00`).",
        }
    ),
]


def as_instant(value: datetime, zone: str) -> datetime:
    """A local time without an offset is read in `zone`; an instant stays what it is."""
    if value.tzinfo is None:
        return value.replace(tzinfo=ZoneInfo(zone))
    return value


def in_zone(value: datetime, zone: str) -> datetime:
    return value.astimezone(ZoneInfo(zone))
