"""The outbox: an event is written in the transaction of its change, its id is announced on the
`kinerja_outbox` channel only when that transaction commits, and ids become visible in id
order."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from kinerja_api.auth.tenancy import enter_region
from kinerja_api.core.events import publish, write_queued
from kinerja_api.models.events import OUTBOX_CHANNEL, OutboxEvent
from kinerja_api.models.org import Region
from kinerja_api.models.plans import PlanStatus
from kinerja_api.plans.events import PlanEventData
from tests.factories import World

PERIOD = uuid.uuid4()


async def _publish(session: AsyncSession, region_id: uuid.UUID, entity_id: uuid.UUID) -> None:
    await publish(
        session,
        "plan.approved",
        region_id=region_id,
        entity_type="plan",
        entity_id=entity_id,
        payload=PlanEventData(
            plan_id=entity_id,
            period_id=PERIOD,
            status=PlanStatus.APPROVED,
            revision=1,
            approver_id=None,
        ),
    )


async def test_publish_writes_the_event_with_a_json_ready_payload(
    world: World, connection: AsyncConnection
) -> None:
    region = await world.region()
    entity_id = uuid.uuid4()
    await enter_region(connection, region.id)
    session = AsyncSession(bind=connection, join_transaction_mode="create_savepoint")
    await _publish(session, region.id, entity_id)
    await _publish(session, region.id, entity_id)
    assert await _ids(connection, region.id) == [], "written only when the session commits"
    await session.commit()

    first, second = await _ids(connection, region.id)
    event = (await connection.execute(select(OutboxEvent).where(OutboxEvent.id == first))).one()
    assert second > first
    assert (event.type, event.entity_type, event.entity_id) == ("plan.approved", "plan", entity_id)
    assert event.payload == {
        "plan_id": str(entity_id),
        "period_id": str(PERIOD),
        "status": "approved",
        "revision": 1,
        "approver_id": None,
    }


async def test_a_rolled_back_savepoint_takes_its_events_along(
    world: World, connection: AsyncConnection
) -> None:
    region = await world.region()
    await enter_region(connection, region.id)
    session = AsyncSession(bind=connection, join_transaction_mode="create_savepoint")
    kept, dropped = uuid.uuid4(), uuid.uuid4()
    await _publish(session, region.id, kept)
    savepoint = await session.begin_nested()
    await _publish(session, region.id, dropped)
    await savepoint.rollback()
    await session.commit()

    rows = await connection.scalars(
        select(OutboxEvent.entity_id).where(OutboxEvent.region_id == region.id)
    )
    assert list(rows) == [kept]


async def _ids(connection: AsyncConnection, region_id: uuid.UUID) -> list[int]:
    rows = await connection.scalars(
        select(OutboxEvent.id).where(OutboxEvent.region_id == region_id).order_by(OutboxEvent.id)
    )
    return list(rows)


async def test_the_application_cannot_rewrite_an_event(
    world: World, connection: AsyncConnection
) -> None:
    region = await world.region()
    await enter_region(connection, region.id)
    session = AsyncSession(bind=connection, join_transaction_mode="create_savepoint")
    await _publish(session, region.id, uuid.uuid4())
    await session.commit()
    (event_id,) = await _ids(connection, region.id)
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
        session = AsyncSession(bind=connection)
        await _publish(session, committed_region, uuid.uuid4())
        await session.run_sync(write_queued)
        await connection.rollback()

        await connection.begin()
        await enter_region(connection, committed_region)
        session = AsyncSession(bind=connection)
        await _publish(session, committed_region, uuid.uuid4())
        await session.run_sync(write_queued)
        (committed,) = await _ids(connection, committed_region)
        await asyncio.sleep(0.2)
        assert listener.empty(), "announced before the commit"
        await connection.commit()

    assert await asyncio.wait_for(listener.get(), timeout=5) == str(committed)
    await asyncio.sleep(0.2)
    assert listener.empty()


async def test_ids_become_visible_in_id_order(
    app_engine: AsyncEngine, committed_region: uuid.UUID
) -> None:
    """The first writer draws its id and is slow to commit; the second writer waits for it
    instead of committing a larger id first, which a stream that had delivered it and then
    resumed "after" it would never see the smaller one."""
    async with app_engine.connect() as slow, app_engine.connect() as fast:
        await slow.begin()
        await enter_region(slow, committed_region)
        slow_session = AsyncSession(bind=slow)
        await _publish(slow_session, committed_region, uuid.uuid4())
        await slow_session.run_sync(write_queued)  # what its commit does first

        await fast.begin()
        await enter_region(fast, committed_region)
        fast_session = AsyncSession(bind=fast)
        await _publish(fast_session, committed_region, uuid.uuid4())
        fast_commit = asyncio.create_task(_commit(fast_session, fast))
        await asyncio.sleep(0.5)
        assert not fast_commit.done(), "committed while a smaller id was still invisible"

        await slow.commit()
        await asyncio.wait_for(fast_commit, timeout=5)
    async with app_engine.connect() as reader:
        await enter_region(reader, committed_region)
        slow_id, fast_id = await _ids(reader, committed_region)
    assert slow_id < fast_id


async def _commit(session: AsyncSession, connection: AsyncConnection) -> None:
    await session.commit()
    await connection.commit()
