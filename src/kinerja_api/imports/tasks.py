"""The imports' jobs: an import's run, deferred when its upload completes (and run again, from
where it stopped, when a worker dies under it or an error passes), and the hourly purge of
uploads whose server stopped before they completed."""

import logging
import uuid

from procrastinate import JobContext, RetryStrategy
from sqlalchemy import select, text

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.core.jobs import app, resources
from kinerja_api.imports import processing, repository
from kinerja_api.models.imports import Import, ImportStatus

logger = logging.getLogger("kinerja_api.imports.tasks")
# Retries after an error (the database gone for a moment, a deadlock); the last one ends the
# import as failed.
RETRIES = 4
ABANDONED_AFTER = text("now() - interval '1 day'")


@app.task(
    name="imports.run",
    pass_context=True,
    retry=RetryStrategy(max_attempts=RETRIES, wait=5, linear_wait=10),
)
async def run_import(context: JobContext, import_id: str, region_id: str) -> None:
    """Runs the import to its end; safe to run again at any point (`processing`)."""
    worker = resources(context)
    ids = uuid.UUID(import_id), uuid.UUID(region_id)
    try:
        await processing.process(worker.db, worker.settings, *ids)
    except Exception:
        logger.exception("import failed", extra={"import_id": import_id})
        if context.job.attempts >= RETRIES:
            await processing.fail(worker.db, *ids)
        raise


@app.periodic(cron="17 * * * *")
@app.task(
    name="imports.purge_abandoned", queueing_lock="imports.purge_abandoned", pass_context=True
)
async def purge_abandoned(context: JobContext, timestamp: int) -> None:
    """Uploads still `receiving` a day after they began: their server stopped mid-upload."""
    worker = resources(context)
    async with worker.db.transaction() as session:
        await enter_all_regions(session)
        abandoned = (
            await session.execute(
                select(Import.region_id, Import.id).where(
                    Import.status == ImportStatus.RECEIVING, Import.created_at < ABANDONED_AFTER
                )
            )
        ).all()
        for region_id, import_id in abandoned:
            await repository.delete_import(session, region_id, import_id)
    if abandoned:
        logger.info("abandoned uploads purged", extra={"imports": len(abandoned)})
