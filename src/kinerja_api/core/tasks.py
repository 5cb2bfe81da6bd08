"""The shared base's periodic chores: rows that have outlived their use are deleted, and jobs
left running by a worker that died are handed back to the queue."""

import logging
from dataclasses import asdict, dataclass

from procrastinate import JobContext
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.config import Settings
from kinerja_api.core import idempotency, ratelimit
from kinerja_api.core.jobs import app, resources, retry_stalled

logger = logging.getLogger("kinerja_api.core.tasks")


@dataclass(frozen=True)
class Purged:
    rate_counters: int
    idempotency_keys: int


async def purge_expired_rows(session: AsyncSession, settings: Settings) -> Purged:
    """Rate-limit counters whose every window has ended, and idempotency records past their
    expiry; live ones stay."""
    return Purged(
        rate_counters=await ratelimit.purge_expired(session, ratelimit.longest_window(settings)),
        idempotency_keys=await idempotency.purge_expired(session),
    )


@app.periodic(cron="*/10 * * * *")
@app.task(name="core.purge_expired", pass_context=True)
async def purge_expired(context: JobContext, timestamp: int) -> None:
    """Every ten minutes; a purge that runs twice deletes nothing the second time."""
    worker = resources(context)
    async with worker.db.transaction() as session:
        purged = await purge_expired_rows(session, worker.settings)
    logger.info("expired rows purged", extra=asdict(purged))


@app.periodic(cron="* * * * *")
@app.task(name="core.retry_stalled", queueing_lock="core.retry_stalled", pass_context=True)
async def retry_stalled_jobs(context: JobContext, timestamp: int) -> None:
    """Every minute, while any worker runs: the jobs of a worker that died mid-job (killed, its
    machine gone) go back to the queue for the others."""
    await retry_stalled(context.app, resources(context).settings)
