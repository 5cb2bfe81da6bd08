"""Background jobs: the periodic purge of expired rows, by itself and run by a real
`kinerja worker` process on the test database."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from kinerja_api import cli
from kinerja_api.config import Settings
from kinerja_api.core import jobs
from kinerja_api.core.ratelimit import longest_window
from kinerja_api.core.tasks import purge_expired, purge_expired_rows

# The worker starts (imports, connects) and picks the job up well within this.
JOB_DEADLINE_SECONDS = 15.0


@dataclass(frozen=True)
class Rows:
    """One expired and one live row in each table the purge sweeps, under keys of their own."""

    expired_counter: str
    live_counter: str
    principal: str

    @classmethod
    def fresh(cls) -> "Rows":
        tag = uuid.uuid4().hex[:12]
        return cls(f"address:expired-{tag}", f"address:live-{tag}", f"user:{tag}")

    async def insert(self, connection: AsyncConnection, settings: Settings) -> None:
        # Expired: the window ended longer ago than any counter can matter.
        await connection.execute(
            text(
                "insert into public_rate_limits (key, window_started_at, hits) values "
                "(:expired, now() - make_interval(secs => :age), 3), (:live, now(), 1)"
            ),
            {
                "expired": self.expired_counter,
                "live": self.live_counter,
                "age": 2 * longest_window(settings) + 60,
            },
        )
        await connection.execute(
            text(
                "insert into idempotency_records (principal_key, key, request_hash, status_code,"
                " response_body, response_headers, expires_at) values"
                " (:p, 'expired', :h, 201, '{}', '{}', now() - interval '1 minute'),"
                " (:p, 'live', :h, 201, '{}', '{}', now() + interval '1 hour')"
            ),
            {"p": self.principal, "h": "0" * 64},
        )

    async def remaining(self, connection: AsyncConnection) -> set[str]:
        counters = await connection.scalars(
            text("select key from public_rate_limits where key in (:expired, :live)"),
            {"expired": self.expired_counter, "live": self.live_counter},
        )
        keys = await connection.scalars(
            text("select key from idempotency_records where principal_key = :p"),
            {"p": self.principal},
        )
        return set(counters) | {f"idempotency:{key}" for key in keys}

    async def delete(self, connection: AsyncConnection) -> None:
        await connection.execute(
            text("delete from public_rate_limits where key in (:expired, :live)"),
            {"expired": self.expired_counter, "live": self.live_counter},
        )
        await connection.execute(
            text("delete from idempotency_records where principal_key = :p"),
            {"p": self.principal},
        )


async def test_the_purge_deletes_expired_rows_and_keeps_live_ones(
    connection: AsyncConnection, settings: Settings
) -> None:
    rows = Rows.fresh()
    await rows.insert(connection, settings)
    session = AsyncSession(bind=connection, join_transaction_mode="create_savepoint")
    purged = await purge_expired_rows(session, settings)
    assert purged.rate_counters >= 1
    assert purged.idempotency_keys >= 1
    assert await rows.remaining(connection) == {rows.live_counter, "idempotency:live"}


async def test_a_counter_inside_the_duplicate_window_is_kept(
    connection: AsyncConnection, settings: Settings
) -> None:
    """The duplicate window may be longer than the rate window; its counters share the table."""
    longer = settings.model_copy(
        update={"public_rate_window_seconds": 60, "public_duplicate_window_seconds": 3600}
    )
    key = f"duplicate:{uuid.uuid4().hex}"
    await connection.execute(
        text(
            "insert into public_rate_limits (key, window_started_at, hits) "
            "values (:key, now() - interval '10 minutes', 1)"
        ),
        {"key": key},
    )
    session = AsyncSession(bind=connection, join_transaction_mode="create_savepoint")
    await purge_expired_rows(session, longer)
    kept = await connection.scalar(
        text("select count(*) from public_rate_limits where key = :key"), {"key": key}
    )
    assert kept == 1


# --- a real worker process ------------------------------------------------------------------


@pytest.fixture
async def committed_rows(app_engine: AsyncEngine, settings: Settings) -> AsyncIterator[Rows]:
    rows = Rows.fresh()
    async with app_engine.begin() as connection:
        await rows.insert(connection, settings)
    yield rows
    async with app_engine.begin() as connection:
        await rows.delete(connection)


async def _job_status(engine: AsyncEngine, job_id: int) -> str | None:
    """The job's status, or None once the worker has deleted it (it deletes succeeded jobs)."""
    async with engine.connect() as connection:
        status = await connection.scalar(
            text("select status::text from procrastinate_jobs where id = :id"), {"id": job_id}
        )
    return None if status is None else str(status)


async def _until_finished(engine: AsyncEngine, job_id: int) -> str:
    deadline = time.monotonic() + JOB_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        status = await _job_status(engine, job_id)
        if status is None:
            return "succeeded"
        if status == "failed":
            return status
        await asyncio.sleep(0.2)
    return f"still {await _job_status(engine, job_id)} after {JOB_DEADLINE_SECONDS} s"


async def test_a_worker_process_runs_the_purge(
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    settings: Settings,
    app_engine: AsyncEngine,
    committed_rows: Rows,
) -> None:
    # `serve` starts its worker this way; the child reads its settings from the environment.
    monkeypatch.setenv("KINERJA_DATABASE_URL", database_url)
    monkeypatch.setenv("KINERJA_ENV", "test")
    monkeypatch.setenv("KINERJA_LOG_LEVEL", "WARNING")
    worker = cli._start_worker()
    try:
        # Deferred as the application would, through the application role.
        async with jobs.opened(database_url, settings):
            job_id = await purge_expired.defer_async(timestamp=int(time.time()))
        assert await _until_finished(app_engine, job_id) == "succeeded"
        async with app_engine.connect() as connection:
            remaining = await committed_rows.remaining(connection)
        assert remaining == {committed_rows.live_counter, "idempotency:live"}
    finally:
        cli._stop_worker(worker)
    # SIGTERM stopped it gracefully: not killed after the grace period.
    assert worker.returncode == 0
