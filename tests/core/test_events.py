"""The outbox: an event is written in the transaction of its change, its id is announced on the
`kinerja_outbox` channel only when that transaction commits, writers do not wait for each other,
and readers deliver events in position order, each only once every smaller position exists."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from kinerja_api.auth.tenancy import enter_all_regions, enter_region
from kinerja_api.config import Settings
from kinerja_api.core.broker import OutboxBroker
from kinerja_api.core.events import after, position_of, publish, settled, write_queued
from kinerja_api.models.events import OutboxEvent
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
async def committed_region(owner_engine: AsyncEngine) -> AsyncIterator[uuid.UUID]:
    async with _committed_region(owner_engine) as region_id:
        yield region_id


async def test_writers_notify_nobody(owner_engine: AsyncEngine) -> None:
    """No trigger on the outbox: PostgreSQL serialises the commits of every transaction that
    sent a NOTIFY, database-wide, so an announcing trigger would make every writer of every
    region wait for the others at commit. The brokers poll instead (core/broker.py)."""
    async with owner_engine.connect() as connection:
        triggers = await connection.scalars(
            text(
                "select tgname from pg_trigger"
                " where tgrelid = 'outbox_events'::regclass and not tgisinternal"
            )
        )
        assert list(triggers) == []


@pytest.fixture
async def second_region(owner_engine: AsyncEngine) -> AsyncIterator[uuid.UUID]:
    async with _committed_region(owner_engine) as region_id:
        yield region_id


@asynccontextmanager
async def _committed_region(owner_engine: AsyncEngine) -> AsyncIterator[uuid.UUID]:
    code = f"outbox-{uuid.uuid4().hex[:8]}"
    async with owner_engine.begin() as connection:
        region_id: uuid.UUID = await connection.scalar(
            Region.__table__.insert()
            .values(code=code, name="Kota Uji", kind="kota", timezone="Asia/Makassar")
            .returning(Region.id)
        )
    try:
        yield region_id
    finally:
        async with owner_engine.begin() as connection:
            await connection.execute(delete(OutboxEvent).where(OutboxEvent.region_id == region_id))
            await connection.execute(delete(Region).where(Region.id == region_id))


async def _deliverable(engine: AsyncEngine, *region_ids: uuid.UUID) -> list[int]:
    """What a reader delivers now, in delivery order (the statement the readers run)."""
    async with engine.connect() as reader:
        await enter_all_regions(reader)
        rows = await reader.scalars(
            select(OutboxEvent.id)
            .where(OutboxEvent.region_id.in_(region_ids), settled())
            .order_by(OutboxEvent.xid, OutboxEvent.id)
        )
        return list(rows)


async def test_writers_in_different_regions_do_not_wait_for_each_other(
    app_engine: AsyncEngine, committed_region: uuid.UUID, second_region: uuid.UUID
) -> None:
    async with app_engine.connect() as first, app_engine.connect() as second:
        await first.begin()
        await enter_region(first, committed_region)
        first_session = AsyncSession(bind=first)
        await _publish(first_session, committed_region, uuid.uuid4())
        await first_session.run_sync(write_queued)  # what its commit does first

        for region_id in (second_region, committed_region):
            await second.begin()
            await enter_region(second, region_id)
            second_session = AsyncSession(bind=second)
            await _publish(second_session, region_id, uuid.uuid4())
            # Committed while the first writer's transaction, with its event, is still open.
            await asyncio.wait_for(_commit(second_session, second), timeout=5)
        await first.commit()
    assert len(await _deliverable(app_engine, committed_region, second_region)) == 3


async def test_a_reader_never_skips_an_event_committed_late_nor_delivers_out_of_position(
    app_engine: AsyncEngine, committed_region: uuid.UUID
) -> None:
    """Two writers commit out of order: the one that started first (and drew its transaction
    id first) commits last. Until it has, the other's event is not delivered; then both are,
    the first writer's first, and a reader resuming after either misses nothing."""
    region = committed_region
    async with app_engine.connect() as early, app_engine.connect() as late:
        await early.begin()
        await enter_region(early, region)
        early_session = AsyncSession(bind=early)
        await early.execute(select(func.pg_current_xact_id()))  # it has written something
        await _publish(early_session, region, uuid.uuid4())

        await late.begin()
        await enter_region(late, region)
        late_session = AsyncSession(bind=late)
        await _publish(late_session, region, uuid.uuid4())
        await _commit(late_session, late)  # draws the smaller event id, and commits first
        (late_id,) = await _ids_of(app_engine, region)
        assert await _deliverable(app_engine, region) == [], "delivered before an older writer"

        await _commit(early_session, early)
    early_id = max(await _ids_of(app_engine, region))
    assert late_id < early_id
    assert await _deliverable(app_engine, region) == [early_id, late_id]
    # Resuming after an event's id resumes after its position, not after the number.
    async with app_engine.connect() as reader:
        await enter_region(reader, region)
        early_position = await position_of(AsyncSession(bind=reader), early_id)
        assert early_position is not None
        rest = await reader.scalars(
            select(OutboxEvent.id)
            .where(OutboxEvent.region_id == region, after(early_position), settled())
            .order_by(OutboxEvent.xid, OutboxEvent.id)
        )
        assert list(rest) == [late_id]


async def _ids_of(engine: AsyncEngine, region_id: uuid.UUID) -> list[int]:
    async with engine.connect() as reader:
        await enter_region(reader, region_id)
        return await _ids(reader, region_id)


async def test_the_broker_delivers_a_committed_event_once_older_writers_have_ended(
    app_engine: AsyncEngine, settings: Settings, committed_region: uuid.UUID
) -> None:
    """The later writer's event commits while an older transaction is still open: the broker
    holds it back, and delivers it after the older writer's event, in position order."""
    assert settings.database_url
    broker = OutboxBroker(settings.database_url, app_role=settings.db_app_role, queue_size=16)
    await broker.start()
    subscription = broker.subscribe(lambda event: event.region_id == committed_region)
    try:
        async with app_engine.connect() as early, app_engine.connect() as late:
            await early.begin()
            await enter_region(early, committed_region)
            early_session = AsyncSession(bind=early)
            await early.execute(select(func.pg_current_xact_id()))
            await _publish(early_session, committed_region, uuid.uuid4())

            await late.begin()
            await enter_region(late, committed_region)
            late_session = AsyncSession(bind=late)
            await _publish(late_session, committed_region, uuid.uuid4())
            await _commit(late_session, late)
            await asyncio.sleep(0.5)  # polled meanwhile, not delivered
            assert subscription.queue.empty(), "delivered before an older writer's event"
            await _commit(early_session, early)
        first = await asyncio.wait_for(subscription.next(), timeout=5)
        second = await asyncio.wait_for(subscription.next(), timeout=5)
    finally:
        await broker.stop()
    assert first is not None
    assert second is not None
    assert first.id > second.id, "the older transaction's event comes first"
    assert first.position < second.position
    assert [first.id, second.id] == await _deliverable(app_engine, committed_region)


async def _commit(session: AsyncSession, connection: AsyncConnection) -> None:
    await session.commit()
    await connection.commit()
