"""The outbox: an event is written in the transaction of its change, and its id is announced on
the `kinerja_outbox` channel only when that transaction commits."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from kinerja_api.auth.tenancy import enter_region
from kinerja_api.core.events import publish
from kinerja_api.models.events import OUTBOX_CHANNEL, OutboxEvent
from kinerja_api.models.org import Region
from tests.factories import World


async def _publish(session: AsyncSession, region_id: uuid.UUID, entity_id: uuid.UUID) -> int:
    return await publish(
        session,
        "plan.approved",
        region_id=region_id,
        entity_type="plan",
        entity_id=entity_id,
        payload={"plan_id": entity_id, "status": "approved"},
    )


async def test_publish_writes_the_event_with_a_json_ready_payload(
    world: World, connection: AsyncConnection
) -> None:
    region = await world.region()
    entity_id = uuid.uuid4()
    await enter_region(connection, region.id)
    session = AsyncSession(bind=connection, join_transaction_mode="create_savepoint")
    first = await _publish(session, region.id, entity_id)
    second = await _publish(session, region.id, entity_id)

    event = (await connection.execute(select(OutboxEvent).where(OutboxEvent.id == first))).one()
    assert second > first
    assert (event.type, event.entity_type, event.entity_id) == ("plan.approved", "plan", entity_id)
    assert event.payload == {"plan_id": str(entity_id), "status": "approved"}


async def test_the_application_cannot_rewrite_an_event(
    world: World, connection: AsyncConnection
) -> None:
    region = await world.region()
    await enter_region(connection, region.id)
    session = AsyncSession(bind=connection, join_transaction_mode="create_savepoint")
    event_id = await _publish(session, region.id, uuid.uuid4())
    with pytest.raises(DBAPIError, match="permission denied"):
        async with connection.begin_nested():
            await connection.execute(delete(OutboxEvent).where(OutboxEvent.id == event_id))


@pytest.fixture
async def listener(owner_engine: AsyncEngine) -> AsyncIterator[asyncio.Queue[str]]:
    received: asyncio.Queue[str] = asyncio.Queue()
    async with owner_engine.connect() as connection:
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None

        def on_notify(*args: object) -> None:
            received.put_nowait(str(args[3]))

        await driver.add_listener(OUTBOX_CHANNEL, on_notify)
        yield received
        await driver.remove_listener(OUTBOX_CHANNEL, on_notify)


@pytest.fixture
async def committed_region(owner_engine: AsyncEngine) -> AsyncIterator[uuid.UUID]:
    code = f"outbox-{uuid.uuid4().hex[:8]}"
    async with owner_engine.begin() as connection:
        region_id: uuid.UUID = await connection.scalar(
            Region.__table__.insert()
            .values(code=code, name="Kota Uji", kind="kota", timezone="Asia/Makassar")
            .returning(Region.id)
        )
    yield region_id
    async with owner_engine.begin() as connection:
        await connection.execute(delete(OutboxEvent).where(OutboxEvent.region_id == region_id))
        await connection.execute(delete(Region).where(Region.id == region_id))


async def test_the_id_is_announced_at_commit_and_never_for_a_rollback(
    app_engine: AsyncEngine, listener: asyncio.Queue[str], committed_region: uuid.UUID
) -> None:
    async with app_engine.connect() as connection:
        await connection.begin()
        await enter_region(connection, committed_region)
        rolled_back = await _publish(AsyncSession(bind=connection), committed_region, uuid.uuid4())
        await connection.rollback()

        await connection.begin()
        await enter_region(connection, committed_region)
        committed = await _publish(AsyncSession(bind=connection), committed_region, uuid.uuid4())
        await asyncio.sleep(0.2)
        assert listener.empty(), "announced before the commit"
        await connection.commit()

    assert await asyncio.wait_for(listener.get(), timeout=5) == str(committed)
    await asyncio.sleep(0.2)
    assert listener.empty()
    assert rolled_back != committed
