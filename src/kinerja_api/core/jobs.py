"""Background jobs: one procrastinate `App` on the service's own PostgreSQL, so the embedded
database needs no other server and many workers on many machines share one queue.

A package declares its jobs in its `tasks.py` on `app` (`@app.task`, `@app.periodic`); the
worker imports the modules its caller lists (`kinerja_api.task_modules`), so `core` names no
domain. Every queue delivers at least once: a job must be safe to run twice.

The queue's connections assume the application role, like the service's own: deferring a job
from a request and running it in a worker need nothing more than the grants the migration that
created procrastinate's tables gave that role."""

import json
import logging
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import procrastinate
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.config import Settings
from kinerja_api.db import Database

logger = logging.getLogger("kinerja_api.core.jobs")
DEFAULT_QUEUE = "default"
# Connections of one process: a worker listens on one and runs its job, heartbeat and periodic
# deferrals on the others.
POOL_SIZE = 4
_RESOURCES = "kinerja"

# The connector's own pool is never opened: `opened` hands the app one built for a URL.
app = procrastinate.App(connector=procrastinate.PsycopgConnector())


@dataclass(frozen=True)
class WorkerResources:
    """What a running job may use, handed in by the worker that runs it."""

    db: Database
    settings: Settings


def resources(context: procrastinate.JobContext) -> WorkerResources:
    found: WorkerResources = context.additional_context[_RESOURCES]
    return found


def libpq_url(url: str) -> str:
    """Any PostgreSQL URL of the service (`postgresql+asyncpg://`, `?host=/socket/dir`, ...) as
    libpq, which psycopg uses, reads it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pool(url: str, settings: Settings) -> AsyncConnectionPool:
    role = settings.db_app_role
    return AsyncConnectionPool(
        libpq_url(url),
        kwargs={"options": f"-c role={role}"} if role else {},
        min_size=1,
        max_size=POOL_SIZE,
        open=False,
        check=AsyncConnectionPool.check_connection,
    )


@asynccontextmanager
async def opened(url: str, settings: Settings) -> AsyncIterator[procrastinate.App]:
    """`app`, connected to the database at `url` while the block runs (to defer jobs, or to run
    a worker)."""
    pool = _pool(url, settings)
    await pool.open(wait=True)
    try:
        async with app.open_async(pool):
            yield app
    finally:
        await pool.close()


async def retry_stalled(queue: procrastinate.App, settings: Settings) -> int:
    """Hands the jobs of workers silent for `job_stalled_seconds` (killed, or cut off from the
    database) back to the queue, for any worker to run again; answers how many. Every job must
    therefore be safe to run again from wherever its last run stopped."""
    stalled = await queue.job_manager.get_stalled_jobs(
        seconds_since_heartbeat=settings.job_stalled_seconds
    )
    count = 0
    for job in stalled:
        await queue.job_manager.retry_job(job)
        count += 1
    if count:
        logger.warning("stalled jobs handed back to the queue", extra={"jobs": count})
    return count


# procrastinate's own function for deferring jobs, called inside the caller's transaction (the
# queue's tables and functions live in the service's database, migration 0010), so that a job
# exists exactly when the change that calls for it commits, like an outbox event. Tied to the
# pinned procrastinate version, as the migration that created its schema is.
_DEFER = text(
    "select unnest(procrastinate_defer_jobs_v1(array[row("
    ":queue, :task, 0, :lock, :queueing_lock, cast(:args as jsonb), null"
    ")::procrastinate_job_to_defer_v1]))"
)


async def defer_in_transaction(
    session: AsyncSession,
    task_name: str,
    args: Mapping[str, Any],
    *,
    lock: str | None = None,
    queueing_lock: str | None = None,
) -> int:
    """Queues the job `task_name(**args)` in `session`'s transaction: it exists, and a worker
    is woken for it, only if that transaction commits. Answers the job's id."""
    job_id = await session.scalar(
        _DEFER,
        {
            "queue": DEFAULT_QUEUE,
            "task": task_name,
            "lock": lock,
            "queueing_lock": queueing_lock,
            "args": json.dumps(dict(args), default=str),
        },
    )
    return int(job_id)


async def run_worker(url: str, settings: Settings, task_modules: Iterable[str]) -> None:
    """Runs jobs from every queue until SIGINT or SIGTERM, then lets the running job finish.
    Jobs that a worker which stopped answering left running are handed back first."""
    app.import_paths = list(task_modules)
    db = Database(url, settings)
    try:
        async with opened(url, settings):
            await retry_stalled(app, settings)
            await app.run_worker_async(
                additional_context={_RESOURCES: WorkerResources(db, settings)},
                # A failed job stays for inspection; succeeded ones would only pile up.
                delete_jobs="successful",
                update_heartbeat_interval=settings.job_heartbeat_seconds,
                stalled_worker_timeout=settings.job_stalled_seconds,
            )
    finally:
        await db.dispose()
