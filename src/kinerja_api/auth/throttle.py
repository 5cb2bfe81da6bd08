"""Sign-in throttling per account and per client address, shared by every process through
PostgreSQL: after `limit` failures within the window, the key is locked for the window."""

from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.models.auth import LoginThrottle

WINDOW_SECONDS = 15 * 60
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20

_SECONDS_LOCKED = text(
    "select coalesce(ceil(extract(epoch from max(locked_until) - now())), 0)::int "
    "from login_throttles where key = any(:keys) and locked_until > now()"
)
_RECORD_FAILURE = text(
    """
    insert into login_throttles as t (key, failures, window_started_at)
    values (:key, 1, now())
    on conflict (key) do update set
      failures = case when t.window_started_at < now() - make_interval(secs => :window)
                      then 1 else t.failures + 1 end,
      window_started_at = case when t.window_started_at < now() - make_interval(secs => :window)
                               then now() else t.window_started_at end,
      locked_until = case when t.window_started_at >= now() - make_interval(secs => :window)
                               and t.failures + 1 >= :limit
                          then now() + make_interval(secs => :window) else t.locked_until end
    """
)


def account_key(identifier: str) -> str:
    return "account:" + identifier.strip().lower()


def address_key(address: str) -> str:
    return "address:" + address


async def seconds_locked(session: AsyncSession, keys: list[str]) -> int:
    """Seconds until every key may try again; 0 when none is locked."""
    return int(await session.scalar(_SECONDS_LOCKED, {"keys": keys}) or 0)


async def record_failure(session: AsyncSession, key: str, limit: int) -> None:
    await session.execute(_RECORD_FAILURE, {"key": key, "limit": limit, "window": WINDOW_SECONDS})


async def clear(session: AsyncSession, key: str) -> None:
    await session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
