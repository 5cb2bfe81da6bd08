"""The tenancy travels with the transaction's BEGIN (auth/tenancy.py, db.SetupOnBegin): set
before the first statement, it costs no round trip of its own, every statement of the
transaction sees it, and it never reaches another checkout of the pooled connection."""

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from kinerja_api.auth.access import requires
from kinerja_api.auth.principal import Principal
from kinerja_api.auth.tenancy import enter_all_regions, enter_region
from kinerja_api.config import Settings
from kinerja_api.core.uow import DbSession
from kinerja_api.db import create_engine
from kinerja_api.models.org import Role

SETTINGS = text(
    "select current_setting('kinerja.region_id', true), "
    "current_setting('kinerja.all_regions', true)"
)
router = APIRouter(prefix="/api/v1/test-tenancy")


@router.get("/settings")
async def settings_seen(
    session: DbSession, _principal: Annotated[Principal, requires(any_role=True)]
) -> list[str | None]:
    row = (await session.execute(SETTINGS)).one()
    return [row[0], row[1]]


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


@pytest.fixture
async def one_connection(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """An engine with a single pooled connection, so that each session reuses the last's."""
    assert settings.database_url
    single = settings.model_copy(update={"db_pool_size": 1, "db_max_overflow": 0})
    engine = create_engine(settings.database_url, single, app_role=settings.db_app_role)
    yield engine
    await engine.dispose()


async def test_a_request_sends_its_tenancy_with_begin(committing_app: FastAPI) -> None:
    committing_app.include_router(router)
    region_id = uuid.uuid4()
    principal = Principal(
        kind="user", id=uuid.uuid4(), region_id=region_id, roles=frozenset({Role.EMPLOYEE})
    )
    token = committing_app.state.token_service.issue(principal).token
    transport = httpx.ASGITransport(app=committing_app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            with statements(committing_app.state.db.engine) as seen:
                response = await http.get(
                    "/api/v1/test-tenancy/settings", headers={"Authorization": f"Bearer {token}"}
                )
    finally:
        await committing_app.state.db.dispose()
    assert response.status_code == 200, response.text
    assert response.json() == [str(region_id), ""]
    # The endpoint's own statement only: the settings came with the BEGIN.
    assert seen == [str(SETTINGS)]


async def test_every_statement_of_the_transaction_sees_it(one_connection: AsyncEngine) -> None:
    region_id = uuid.uuid4()
    async with AsyncSession(one_connection) as session:
        with statements(one_connection) as seen:
            await enter_region(session, region_id)
            first = (await session.execute(SETTINGS)).one()
            second = (await session.execute(SETTINGS)).one()
    assert tuple(first) == tuple(second) == (str(region_id), "")
    assert len(seen) == 2


async def test_all_regions_travels_the_same_way(one_connection: AsyncEngine) -> None:
    async with AsyncSession(one_connection) as session:
        with statements(one_connection) as seen:
            await enter_all_regions(session)
            row = (await session.execute(SETTINGS)).one()
    assert tuple(row) == ("", "on")
    assert len(seen) == 1


async def test_inside_a_begun_transaction_it_is_sent_at_once(one_connection: AsyncEngine) -> None:
    region_id = uuid.uuid4()
    async with AsyncSession(one_connection) as session:
        await session.execute(text("select 1"))
        with statements(one_connection) as seen:
            await enter_region(session, region_id)
            row = (await session.execute(SETTINGS)).one()
    assert tuple(row) == (str(region_id), "")
    assert len(seen) == 2


async def test_a_setting_never_used_does_not_reach_the_next_checkout(
    one_connection: AsyncEngine,
) -> None:
    # Entered, then the session ends before any statement (a refused request): the next user
    # of the same pooled connection must begin without it.
    async with AsyncSession(one_connection) as session:
        await enter_all_regions(session)
    async with AsyncSession(one_connection) as session:
        row = (await session.execute(SETTINGS)).one()
    assert row[1] in (None, "")
    assert row[0] in (None, "")


async def test_settings_end_with_their_transaction(one_connection: AsyncEngine) -> None:
    async with AsyncSession(one_connection) as session:
        await enter_region(session, uuid.uuid4())
        await session.execute(SETTINGS)
        await session.commit()
        row = (await session.execute(SETTINGS)).one()
    assert row[0] in (None, "")


async def test_a_connection_carries_it_too(one_connection: AsyncEngine) -> None:
    async with one_connection.connect() as connection:
        with statements(one_connection) as seen:
            await enter_all_regions(connection)
            row = (await connection.execute(SETTINGS)).one()
    assert tuple(row) == ("", "on")
    assert len(seen) == 1
