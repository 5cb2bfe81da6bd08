"""Tombstones are kept for a window (`sync_tombstone_retention_days`): a periodic job purges
older ones, and a client whose `since` is older is told to read in full (410)."""

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.config import Settings
from kinerja_api.core.jobs import app as jobs_app
from kinerja_api.models.org import Role
from kinerja_api.models.sync import Tombstone
from kinerja_api.sync.service import SYNC_MARGIN
from kinerja_api.sync.tasks import purge_tombstones
from kinerja_api.task_modules import TASK_MODULES
from tests.conftest import ClientWith
from tests.factories import World
from tests.sync.client import LocalCopy, age_the_world, full_read, normalized

URL = "/api/v1/sync/deletions"
DAY = timedelta(days=1)


async def _delete_holiday(client: httpx.AsyncClient, world: World, region: object) -> str:
    holiday = await world.holiday(region, date(2026, 8, 17))
    admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    response = await client.delete(f"/api/v1/holidays/{holiday.id}", headers=admin)
    assert response.status_code == 204, response.text
    return str(holiday.id)


async def _kept(connection: AsyncConnection) -> set[str]:
    # A request leaves its own region set for the test's transaction.
    await enter_all_regions(connection)
    return {str(i) for i in await connection.scalars(select(Tombstone.entity_id))}


async def test_the_purge_deletes_every_regions_tombstones_past_the_window_only(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection, settings: Settings
) -> None:
    role = settings.db_app_role or "kinerja_app"
    old = {
        await _delete_holiday(client, world, await world.region()),
        await _delete_holiday(client, world, await world.region()),
    }
    await age_the_world(connection, role, timedelta(days=91))
    near_the_edge = await _delete_holiday(client, world, await world.region())
    await age_the_world(connection, role, timedelta(days=89))
    fresh = await _delete_holiday(client, world, await world.region())
    assert old | {near_the_edge, fresh} <= await _kept(connection)
    before = int(await connection.scalar(select(func.count()).select_from(Tombstone)) or 0)

    @asynccontextmanager
    async def savepoint() -> AsyncIterator[AsyncSession]:
        """A batch's transaction, as a savepoint of the test's own."""
        session = AsyncSession(bind=connection, join_transaction_mode="create_savepoint")
        async with session, session.begin():
            yield session

    purged = await purge_tombstones(savepoint, 90)
    kept = await _kept(connection)
    assert old.isdisjoint(kept), "every region's, on the all-regions path"
    assert {near_the_edge, fresh} <= kept
    assert purged == before - len(kept) >= 2
    assert await purge_tombstones(savepoint, 90) == 0, "a second run deletes nothing more"


async def test_the_purge_is_a_periodic_job_the_worker_knows() -> None:
    tasks = {
        name: periodic for (name, _), periodic in jobs_app.periodic_registry.periodic_tasks.items()
    }
    assert "sync.purge_tombstones" in tasks
    assert "kinerja_api.sync.tasks" in TASK_MODULES
    importlib.import_module("kinerja_api.sync.tasks")


async def test_a_since_older_than_the_window_is_410_with_the_sync_point_to_store(
    client_with: ClientWith, world: World
) -> None:
    region = await world.region()
    headers = world.auth(await world.user(region, Role.REGION_ADMIN))
    now = datetime.now(UTC)
    async with client_with(sync_tombstone_retention_days=7) as client:
        inside = await client.get(
            URL, params={"since": (now - 6 * DAY).isoformat()}, headers=headers
        )
        assert inside.status_code == 200, inside.text
        expired = await client.get(
            URL,
            params={"since": (now - 8 * DAY).isoformat()},
            headers={**headers, "Accept-Language": "en"},
        )
    assert expired.status_code == 410, expired.text
    assert expired.headers["content-type"].startswith("application/problem+json")
    problem = expired.json()
    assert problem["type"] == "https://kinerja-api.id/problems/sync-window-expired"
    assert "7 days" in problem["detail"]
    sync_time = datetime.fromisoformat(problem["sync_time"])
    assert sync_time == datetime.fromisoformat(inside.json()["sync_time"])
    assert sync_time <= now - SYNC_MARGIN


async def test_a_client_past_the_window_reads_in_full_and_carries_on(
    client_with: ClientWith, world: World, connection: AsyncConnection, settings: Settings
) -> None:
    """The copy's stored sync point falls out of the window while a target is deleted: the
    410 sends it to a full read, which drops the target all the same, and the next rounds are
    incremental again."""
    region = await world.region()
    agency = await world.agency(region)
    employee = await world.employee(region, agency)
    plan = await world.plan(await world.period(region), employee)
    doomed = await world.target(plan)
    await world.indicator(doomed)
    await world.indicator(await world.target(plan))
    login = world.auth(await world.user(region, Role.EMPLOYEE, employee=employee))
    copy = LocalCopy(login)
    role = settings.db_app_role or "kinerja_app"
    async with client_with(sync_tombstone_retention_days=7) as client:
        await copy.sync(client)
        assert copy.full_reads == 1
        await age_the_world(connection, role, 8 * DAY)
        copy.age(8 * DAY)
        path = f"/api/v1/targets/{doomed.id}"
        etag = (await client.get(path, headers=login)).headers["etag"]
        deleted = await client.delete(path, headers={**login, "If-Match": etag})
        assert deleted.status_code == 204, deleted.text
        await copy.sync(client)
        assert copy.full_reads == 2
        assert str(doomed.id) not in copy.rows["target"]
        assert normalized(copy.rows) == normalized(await full_read(client, login))
        for _ in range(2):  # the first re-reads the margin before the full read's sync point
            await age_the_world(connection, role, DAY)
            copy.age(DAY)
            await copy.sync(client)
        assert copy.full_reads == 2, "inside the window again: incremental"
        assert copy.fetched == {"plan": set(), "target": set(), "indicator": set()}
        assert normalized(copy.rows) == normalized(await full_read(client, login))
