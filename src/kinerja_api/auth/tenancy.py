"""The region a transaction acts for, as seen by PostgreSQL's row-level security policies.

Settings are transaction-local (`set_config(..., true)`), so a pooled connection never carries
one request's region into the next. Entered before the transaction's first statement (as
authentication does), they travel with its BEGIN rather than in a round trip of their own
(`db.on_next_begin`); inside a transaction already begun they are sent at once.
"""

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from kinerja_api.db import on_next_begin

_SET = text(
    "select set_config('kinerja.region_id', :region, true), "
    "set_config('kinerja.all_regions', :all_regions, true)"
)
_ALL_REGIONS = "on"


def _set_literally(region_id: uuid.UUID | None, all_regions: bool) -> str:
    # A simple query takes no parameters; a UUID's text and "on" need no quoting.
    region = str(uuid.UUID(str(region_id))) if region_id else ""
    return (
        f"select set_config('kinerja.region_id', '{region}', true), "
        f"set_config('kinerja.all_regions', '{_ALL_REGIONS if all_regions else ''}', true)"
    )


async def _enter(
    session: AsyncSession | AsyncConnection, region_id: uuid.UUID | None, all_regions: bool
) -> None:
    if await on_next_begin(session, _set_literally(region_id, all_regions)):
        return
    await session.execute(
        _SET,
        {
            "region": str(region_id) if region_id else "",
            "all_regions": _ALL_REGIONS if all_regions else "",
        },
    )


async def enter_region(
    session: AsyncSession | AsyncConnection, region_id: uuid.UUID | None
) -> None:
    """Rows of `region_id` only; with None, no tenant rows at all."""
    await _enter(session, region_id, all_regions=False)


async def enter_all_regions(session: AsyncSession | AsyncConnection) -> None:
    """The explicit cross-region path: superadmin reads and sign-in look-ups only."""
    await _enter(session, None, all_regions=True)
