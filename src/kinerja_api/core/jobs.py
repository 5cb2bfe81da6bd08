"""Background jobs: one procrastinate `App` on the service's own PostgreSQL, so the embedded
database needs no other server and many workers on many machines share one queue.

A package declares its jobs in its `tasks.py` on `app` (`@app.task`, `@app.periodic`); the
worker imports the modules its caller lists (`kinerja_api.task_modules`), so `core` names no
domain. Every queue delivers at least once: a job must be safe to run twice.

The queue's connections assume the application role, like the service's own: deferring a job
from a request and running it in a worker need nothing more than the grants the migration that
created procrastinate's tables gave that role."""

import asyncio
import contextlib
import importlib
import json
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable
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
# Connections of one process: a worker listens on one and runs its job, heartbeat and periodic
# deferrals on the others.
POOL_SIZE = 4
_RESOURCES = "kinerja"


class _Connector(procrastinate.PsycopgConnector):
    """procrastinate's connector, letting go of a pool it was handed once the app closes:
    procrastinate keeps it, closed, and the next `opened` in the same process (a second
    worker run, a deferral after a run) would find it instead of the pool it is handed."""

    async def close_async(self) -> None:
        await super().close_async()
        self._async_pool = None
        self._pool_externally_set = False


# The connector's own pool is never opened: `opened` hands the app one built for a URL.
app = procrastinate.App(connector=_Connector())


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


Companion = Callable[[WorkerResources], Coroutine[Any, Any, None]]


def companion(path: str) -> Companion:
    """The coroutine function `module:name` names."""
    module, _, name = path.partition(":")
    found: Companion = getattr(importlib.import_module(module), name)
    return found


async def run_worker(
    url: str,
    settings: Settings,
    task_modules: Iterable[str],
    companions: Iterable[str] = (),
    *,
    until_idle: bool = False,
) -> None:
    """Runs jobs from every queue, `settings.worker_concurrency` at a time, until SIGINT or
    SIGTERM, then lets the running jobs finish; with `until_idle`, only until no job is
    waiting, then returns. `companions` (`module:function`) run beside the jobs for as long as
    the worker does: loops that defer jobs when something happens."""
    app.import_paths = list(task_modules)
    db = Database(url, settings)
    resources = WorkerResources(db, settings)
    try:
        async with opened(url, settings):
            await retry_stalled(app, settings)
            beside = [asyncio.create_task(companion(path)(resources)) for path in companions]
            try:
                await app.run_worker_async(
                    wait=not until_idle,
                    # A run until idle is a step of its caller (a test, a one-off run), which
                    # keeps its own signal handling.
                    install_signal_handlers=not until_idle,
                    additional_context={_RESOURCES: resources},
                    concurrency=settings.worker_concurrency,
                    # A failed job stays for inspection; succeeded ones would only pile up.
                    delete_jobs="successful",
                    update_heartbeat_interval=settings.job_heartbeat_seconds,
                    stalled_worker_timeout=settings.job_stalled_seconds,
                )
            finally:
                for task in beside:
                    task.cancel()
                for task in beside:
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
    finally:
        await db.dispose()


_DEFER = text(
    "select unnest(procrastinate_defer_jobs_v1(array[row(:queue, :task, :priority, :lock, "
    ":queueing_lock, cast(:args as jsonb), null)::procrastinate_job_to_defer_v1]))"
)


async def defer_in(
    session: AsyncSession,
    task: procrastinate.tasks.Task[Any, Any, Any],
    *,
    lock: str,
    queueing_lock: str | None = None,
    **args: Any,
) -> int:
    """Defers `task` with `args` in the transaction of `session`: the job exists once the
    change that asked for it commits, and never for a change rolled back (deferred through the
    queue's own connection, a job could run before the row it names is visible). No two jobs
    holding the same `lock` run at once; with a `queueing_lock`, no second job holding it is
    queued while one waits. Answers the job's id."""
    job = task.configure(lock=lock, queueing_lock=queueing_lock, task_kwargs=args).job
    job_id = await session.scalar(
        _DEFER,
        {
            "queue": job.queue,
            "task": job.task_name,
            "priority": job.priority,
            "lock": job.lock,
            "queueing_lock": job.queueing_lock,
            "args": json.dumps(job.task_kwargs),
        },
    )
    return int(job_id)
