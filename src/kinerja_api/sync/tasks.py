"""Sync's periodic chore: tombstones past the retention window are deleted."""

import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from procrastinate import JobContext
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.core.jobs import app, resources
from kinerja_api.sync import service

logger = logging.getLogger("kinerja_api.sync.tasks")


async def purge_tombstones(
    transaction: Callable[[], AbstractAsyncContextManager[AsyncSession]], retention_days: int
) -> int:
    """Every region's tombstones older than `retention_days`, in batches of one short
    transaction each (`transaction()` opens one); returns how many went. Running it again
    deletes nothing more: what is left is inside the window."""
    purged = 0
    while True:
        async with transaction() as session:
            # Region settings are transaction-local: every batch enters all regions anew.
            await enter_all_regions(session)
            deleted = await service.purge_expired(session, retention_days)
        purged += deleted
        if deleted < service.PURGE_BATCH:
            return purged


@app.periodic(cron="17 3 * * *")
@app.task(name="sync.purge_tombstones", pass_context=True)
async def purge_expired_tombstones(context: JobContext, timestamp: int) -> None:
    """Once a day: the window is counted in days."""
    worker = resources(context)
    purged = await purge_tombstones(
        worker.db.transaction, worker.settings.sync_tombstone_retention_days
    )
    logger.info("expired tombstones purged", extra={"tombstones": purged})
