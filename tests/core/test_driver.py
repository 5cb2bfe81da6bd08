"""Statements sent straight to the driver run in the session's transaction, begun by them when
nothing else has begun it: rolled back with it, committed with it, never on their own."""

import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from kinerja_api.core.driver import as_json, driver

_INSERT = (
    "insert into idempotency_records (principal_key, key, request_hash, status_code,"
    " response_body, response_headers, expires_at)"
    " values ($1, 'driver', $2, 201, $3, '{}', now() + interval '1 hour')"
)
_COUNT = text("select count(*) from idempotency_records where principal_key = :p")


async def _count(engine: AsyncEngine, principal: str) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(_COUNT, {"p": principal}) or 0)


async def _insert_first(session: AsyncSession, principal: str) -> Any:
    """The session's first statement, sent to the driver."""
    connection = await driver(session)
    await connection.execute(_INSERT, principal, "0" * 64, as_json({"a": 1}))
    return connection


async def test_a_first_statement_sent_to_the_driver_is_rolled_back_with_the_session(
    owner_engine: AsyncEngine,
) -> None:
    principal = f"driver-{uuid.uuid4()}"
    async with AsyncSession(owner_engine) as session:
        connection = await _insert_first(session, principal)
        # Its transaction is the session's: the session's next statement sees the row, and
        # the transaction has one id for both.
        assert await session.scalar(_COUNT, {"p": principal}) == 1
        driven = await connection.fetchval("select pg_current_xact_id()::text")
        assert driven == await session.scalar(text("select pg_current_xact_id()::text"))
        await session.rollback()
    assert await _count(owner_engine, principal) == 0


async def test_statements_sent_to_the_driver_commit_with_the_session(
    owner_engine: AsyncEngine,
) -> None:
    principal = f"driver-{uuid.uuid4()}"
    async with AsyncSession(owner_engine) as session:
        await _insert_first(session, principal)
        assert await _count(owner_engine, principal) == 0  # not yet visible outside
        await session.commit()
    assert await _count(owner_engine, principal) == 1
    async with owner_engine.begin() as connection:
        stored = await connection.scalar(
            text("select response_body from idempotency_records where principal_key = :p"),
            {"p": principal},
        )
        await connection.execute(
            text("delete from idempotency_records where principal_key = :p"), {"p": principal}
        )
    assert stored == {"a": 1}  # JSON given as text is stored as JSON
