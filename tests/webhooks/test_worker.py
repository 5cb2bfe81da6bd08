"""The webhooks as deployed: a worker (`core.jobs.run_worker`, with the companions the wiring
lists) on a database of its own, events and requests committed as the API commits them. The
worker follows the outbox and the requests' wake-ups by itself, and a receiver that never
answers holds up no other subscription."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from kinerja_api.auth.tenancy import enter_region
from kinerja_api.config import Settings
from kinerja_api.core import jobs
from kinerja_api.core.events import publish
from kinerja_api.db import create_engine
from kinerja_api.feedback.events import SURVEY_RECEIVED, SurveyEventData
from kinerja_api.main import create_app
from kinerja_api.models.org import Role
from kinerja_api.task_modules import TASK_MODULES, WORKER_COMPANIONS
from tests.conftest import fresh_database_url
from tests.factories import World
from tests.servers import migrated_database
from tests.webhooks.helpers import HANG, URL, Receiver, subscribe

# Starting the worker, following the outbox and the first delivery take well under this.
DEADLINE_SECONDS = 15.0
READ_TIMEOUT_SECONDS = 3.0


@pytest.fixture(scope="module")
def worker_database() -> Iterator[str]:
    with migrated_database(fresh_database_url("kinerja_webhooks")) as url:
        yield url


@pytest.fixture(scope="module")
def worker_settings(worker_database: str) -> Settings:
    return Settings(
        env="test",
        database_url=worker_database,
        access_log=False,
        log_level="WARNING",
        webhook_allowed_hosts=["127.0.0.1"],
        webhook_read_timeout_seconds=READ_TIMEOUT_SECONDS,
        worker_concurrency=4,
    )


@pytest.fixture
async def owner(worker_database: str, worker_settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(worker_database, worker_settings)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="module")
async def worker(worker_settings: Settings) -> AsyncIterator[None]:
    """One worker for the module, as `kinerja worker` runs it (a process opens the job queue
    once)."""
    assert worker_settings.database_url
    task = asyncio.create_task(
        jobs.run_worker(
            worker_settings.database_url, worker_settings, TASK_MODULES, WORKER_COMPANIONS
        )
    )
    await asyncio.sleep(1.0)  # connected, listening
    if task.done():
        raise AssertionError("the worker stopped") from task.exception()
    yield
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


@asynccontextmanager
async def api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http
    finally:
        await app.state.db.dispose()


async def region_and_admin(owner: AsyncEngine, settings: Settings) -> tuple[Any, dict[str, str]]:
    app = create_app(settings)
    async with owner.connect() as connection, connection.begin():
        world = World(connection, app)
        region = await world.region()
        admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    await app.state.db.dispose()
    return region, admin


async def commit_event(owner: AsyncEngine, region_id: uuid.UUID) -> None:
    async with owner.connect() as connection:
        await enter_region(connection, region_id)
        session = AsyncSession(bind=connection)
        await publish(
            session,
            SURVEY_RECEIVED,
            region_id=region_id,
            entity_type="survey_response",
            entity_id=uuid.uuid4(),
            payload=SurveyEventData(service_unit_id=uuid.uuid4()),
        )
        await session.commit()
        await connection.commit()


async def until(condition: Any, seconds: float = DEADLINE_SECONDS) -> float:
    """Waits for `condition()`; answers when it held (monotonic time)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within the deadline"
        await asyncio.sleep(0.02)
    return time.monotonic()


async def test_committed_events_and_pings_reach_the_receiver_through_the_worker(
    owner: AsyncEngine, worker_settings: Settings, worker: None, receiver: Receiver
) -> None:
    region, admin = await region_and_admin(owner, worker_settings)
    async with api(worker_settings) as client:
        subscription = await subscribe(client, admin, receiver.url())
        await commit_event(owner, region.id)
        await until(lambda: len(receiver.requests) == 1)
        pinged = await client.post(f"{URL}/{subscription['id']}/ping", headers=admin)
        assert pinged.status_code == 202
        await until(lambda: len(receiver.requests) == 2)
    event, ping = receiver.requests
    assert event.headers["x-kinerja-event"] == SURVEY_RECEIVED
    assert ping.headers["x-kinerja-event"] == "webhook.ping"
    assert ping.headers["x-kinerja-delivery"] == pinged.json()["id"]


async def test_a_receiver_that_never_answers_holds_up_no_other_subscription(
    owner: AsyncEngine, worker_settings: Settings, worker: None, receiver: Receiver
) -> None:
    region, admin = await region_and_admin(owner, worker_settings)
    receiver.answer("/dead", HANG)
    async with api(worker_settings) as client:
        await subscribe(client, admin, receiver.url("/dead"))
        await subscribe(client, admin, receiver.url("/alive"))
        for _ in range(3):
            await commit_event(owner, region.id)
        # The dead receiver holds its own first event; the live one takes all three meanwhile.
        done = await until(lambda: len(receiver.at("/alive")) == 3)
        await until(lambda: len(receiver.at("/dead")) > 0)
    held = receiver.at("/dead")[0]
    assert done < held.at + READ_TIMEOUT_SECONDS, "before the dead receiver's attempt ended"
