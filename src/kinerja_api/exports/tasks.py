"""The exports' jobs: writing an export's file, and the hourly purge of files past their
retention (`export_retention_hours`)."""

import logging
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from procrastinate import JobContext
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.core.jobs import app, resources
from kinerja_api.exports import repository, runner

logger = logging.getLogger("kinerja_api.exports.tasks")


@app.task(name="exports.run", queue="exports", pass_context=True)
async def run_export(context: JobContext, export_id: str, region_id: str) -> None:
    """Deferred with the export, in its transaction; safe to run again (it starts over, or
    leaves a finished export alone)."""
    worker = resources(context)
    await runner.run(worker.db, worker.settings, uuid.UUID(export_id), uuid.UUID(region_id))


async def expire_files(transaction: Callable[[], AbstractAsyncContextManager[AsyncSession]]) -> int:
    """Every region's ready files past `expires_at` are deleted (status `expired`), a batch of
    exports per short transaction (`transaction()` opens one); answers how many. Running it
    again expires nothing more."""
    expired = 0
    while True:
        async with transaction() as session:
            # Region settings are transaction-local: every batch enters all regions anew.
            await enter_all_regions(session)
            done = await repository.expire_batch(session)
        expired += done
        if done < repository.PURGE_BATCH:
            return expired


@app.periodic(cron="23 * * * *")
@app.task(name="exports.purge_expired", pass_context=True)
async def purge_expired_exports(context: JobContext, timestamp: int) -> None:
    """Hourly: files are kept for hours (`export_retention_hours`)."""
    expired = await expire_files(resources(context).db.transaction)
    if expired:
        logger.info("export files expired", extra={"exports": expired})
