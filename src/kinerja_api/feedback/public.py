"""Finding a region's rows from a public code, for callers who have no token.

Codes are unique across regions, so the look-up alone crosses tenants (one indexed row read);
the transaction then enters the unit's region, and everything after it is tenant-scoped as usual.
"""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.tenancy import enter_all_regions, enter_region
from kinerja_api.feedback.codes import normalize
from kinerja_api.models.feedback import ServiceUnit
from kinerja_api.models.org import Region


async def active_unit(session: AsyncSession, code: str) -> ServiceUnit | None:
    await enter_all_regions(session)
    unit: ServiceUnit | None = await session.scalar(
        select(ServiceUnit).where(ServiceUnit.code == normalize(code), ServiceUnit.active)
    )
    await enter_region(session, unit.region_id if unit is not None else None)
    return unit


async def active_region(session: AsyncSession, code: str) -> Region | None:
    """Regions are not tenant rows; entering the region scopes what follows."""
    region: Region | None = await session.scalar(
        select(Region).where(Region.code == code.strip().lower(), Region.active)
    )
    await enter_region(session, region.id if region is not None else None)
    return region
