"""The current instant, and the calendar of a region: dates that depend on a region (a report's
default day, an employee's age, a complaint's deadline, a period's boundaries) are read in the
region's IANA time zone."""

import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.models.org import Region

# A row always has a zone; this names the one used for a region that cannot be read.
FALLBACK_ZONE = "UTC"


def utc_now() -> datetime:
    """The current instant, in one place so that tests can pin it."""
    return datetime.now(UTC)


def today_in(zone: str) -> date:
    return utc_now().astimezone(ZoneInfo(zone)).date()


async def region_zone(session: AsyncSession, region_id: uuid.UUID) -> str:
    zone = await session.scalar(select(Region.timezone).where(Region.id == region_id))
    return zone or FALLBACK_ZONE


async def region_today(session: AsyncSession, region_id: uuid.UUID) -> date:
    return today_in(await region_zone(session, region_id))
