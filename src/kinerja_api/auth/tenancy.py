"""The region a transaction acts for, as seen by PostgreSQL's row-level security policies.

Settings are transaction-local (`set_config(..., true)`), so a pooled connection never carries
one request's region into the next.
"""

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

_SET = text(
    "select set_config('kinerja.region_id', :region, true), "
    "set_config('kinerja.all_regions', :all_regions, true)"
)


async def enter_region(
    session: AsyncSession | AsyncConnection, region_id: uuid.UUID | None
) -> None:
    """Rows of `region_id` only; with None, no tenant rows at all."""
    await session.execute(_SET, {"region": str(region_id) if region_id else "", "all_regions": ""})


async def enter_all_regions(session: AsyncSession | AsyncConnection) -> None:
    """The explicit cross-region path: superadmin reads and sign-in look-ups only."""
    await session.execute(_SET, {"region": "", "all_regions": "on"})
