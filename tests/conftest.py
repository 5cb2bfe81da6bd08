"""Every test runs against a real PostgreSQL: the server named by KINERJA_TEST_DATABASE_URL, or an
embedded one started here. The session creates a fresh database, migrates it to head and drops it
at the end; each test runs inside a transaction that is rolled back, so no test sees another's data.
"""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker

from kinerja_api.config import Settings
from kinerja_api.db import create_engine
from kinerja_api.dbadmin import drop_database, ensure_database, migrate
from kinerja_api.main import create_app
from tests.factories import World

ROOT = Path(__file__).resolve().parents[1]


def _server_url() -> str:
    configured = os.environ.get("KINERJA_TEST_DATABASE_URL")
    if configured:
        return configured
    from kinerja_api.embedded_pg import server_url, start_embedded

    return server_url(start_embedded(ROOT / ".data" / "test-pg"))


def fresh_database_url(prefix: str = "kinerja_test") -> str:
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    return make_url(_server_url()).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    url = fresh_database_url()
    asyncio.run(ensure_database(url))
    try:
        migrate(url)
        yield url
    finally:
        asyncio.run(drop_database(url))


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(env="test", database_url=database_url, access_log=False, log_level="WARNING")


@pytest.fixture(scope="session")
async def app_engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """Connects as the application role, like the service does."""
    assert settings.database_url
    engine = create_engine(settings.database_url, settings, app_role=settings.db_app_role)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def owner_engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """Connects as the schema owner, for checks the application role must not be able to do."""
    assert settings.database_url
    engine = create_engine(settings.database_url, settings)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(app_engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with app_engine.connect() as connection:
        transaction = await connection.begin()
        yield connection
        await transaction.rollback()


@pytest.fixture
def app(settings: Settings, connection: AsyncConnection) -> FastAPI:
    """The app, with every request's unit of work nested in the test's rolled-back transaction."""
    application = create_app(settings)
    application.state.db.sessions = async_sessionmaker(
        bind=connection,
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
        autoflush=False,
    )
    return application


@pytest.fixture
def committing_app(settings: Settings) -> FastAPI:
    """The app exactly as deployed: real commits. Tests using it clean up what they create."""
    return create_app(settings)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def world(connection: AsyncConnection, app: FastAPI) -> World:
    return World(connection, app)


ClientWith = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def client_with(settings: Settings, connection: AsyncConnection) -> ClientWith:
    """A client for an app with some settings changed (e.g. tight rate limits), its requests
    nested in the test's rolled-back transaction like the default client's."""

    @asynccontextmanager
    async def make(**overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        application = create_app(settings.model_copy(update=overrides))
        application.state.db.sessions = async_sessionmaker(
            bind=connection,
            join_transaction_mode="create_savepoint",
            expire_on_commit=False,
            autoflush=False,
        )
        transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http

    return make
