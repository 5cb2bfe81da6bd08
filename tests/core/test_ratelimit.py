"""The public rate-limit counters."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from kinerja_api.core.ratelimit import purge_expired


async def test_expired_counters_are_purged(connection: AsyncConnection) -> None:
    await connection.execute(
        text(
            "insert into public_rate_limits (key, window_started_at, hits) values "
            "('address:old', now() - interval '2 hours', 3), ('address:new', now(), 1)"
        )
    )
    sessions = async_sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    session: AsyncSession
    async with sessions() as session:
        assert await purge_expired(session, 3600) == 1
        await session.commit()  # releases the savepoint; the test's transaction rolls back
    keys = await connection.scalars(text("select key from public_rate_limits order by key"))
    assert list(keys) == ["address:new"]
