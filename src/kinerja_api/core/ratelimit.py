"""Fixed-window rate limits for the public endpoints, counted per key in `public_rate_limits`.

The counters are committed in a transaction of their own, before the request's work starts, so
that refused or failing requests count as well. The per-address limit runs as a route dependency
(`LIMITED_PER_ADDRESS`), which FastAPI solves before it validates the body's fields, so invalid
fields and unknown codes count too; only a body that is not JSON at all is refused (422) before
any dependency runs, uncounted. Other keys (a domain's own limits) go through `enforce`. Expired
counters are deleted by a periodic job (`core.tasks.purge_expired`), not on the request path."""

import hashlib

from fastapi import Depends, Request
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.config import Settings
from kinerja_api.core.i18n import Msg
from kinerja_api.core.problems import RATE_LIMITED, Problem
from kinerja_api.core.uow import separate_unit_of_work

_HIT = text(
    """
    insert into public_rate_limits as r (key, window_started_at, hits)
    values (:key, now(), 1)
    on conflict (key) do update set
      hits = case when r.window_started_at <= now() - make_interval(secs => :window)
                  then 1 else r.hits + 1 end,
      window_started_at = case when r.window_started_at <= now() - make_interval(secs => :window)
                               then now() else r.window_started_at end
    returning hits,
      greatest(1, ceil(extract(epoch from
        window_started_at + make_interval(secs => :window) - now())))::int
    """
)
_PURGE = text(
    "delete from public_rate_limits "
    "where window_started_at < now() - make_interval(secs => :older_than)"
)
_THROTTLED = Msg(
    "Terlalu banyak permintaan dari alamat atau unit layanan ini; coba lagi nanti.",
    "Too many requests from this address or for this service unit; try again later.",
)


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def client_key(request: Request) -> str:
    """Scopes public callers' idempotency keys, without storing their address."""
    return "public:" + digest(client_address(request))


def digest(value: str) -> str:
    # Counters never hold a raw address.
    return hashlib.sha256(value.encode()).hexdigest()[:40]


async def count_hit(session: AsyncSession, key: str, window: int) -> tuple[int, int]:
    """Counts one hit on `key`'s window (a new window once the last one ended): the hits so far
    and the seconds until the window ends."""
    hits, retry_after = (await session.execute(_HIT, {"key": key, "window": window})).one()
    return int(hits), int(retry_after)


async def enforce(request: Request, limits: list[tuple[str, int]]) -> None:
    """Counts a hit on each `(key, limit)`; 429 with `Retry-After` once any is over its limit."""
    window = settings_of(request).public_rate_window_seconds
    wait = 0
    async with separate_unit_of_work(request) as session:
        for key, limit in limits:
            hits, retry_after = await count_hit(session, key, window)
            if hits > limit:
                wait = max(wait, retry_after)
    if wait:
        raise Problem(RATE_LIMITED, _THROTTLED, headers={"Retry-After": str(wait)})


def _address_limit(request: Request) -> tuple[str, int]:
    key = "address:" + digest(client_address(request))
    return key, settings_of(request).public_rate_limit_per_address


async def limit_per_address(request: Request) -> None:
    """429 with `Retry-After` once the caller's address is over its limit."""
    await enforce(request, [_address_limit(request)])


LIMITED_PER_ADDRESS = Depends(limit_per_address)


def longest_window(settings: Settings) -> int:
    """How long a counter can matter: the rate window, or the duplicate-submission window whose
    counters share the table."""
    return max(settings.public_rate_window_seconds, settings.public_duplicate_window_seconds)


async def purge_expired(session: AsyncSession, older_than_seconds: int) -> int:
    """Drops counters whose window ended more than `older_than_seconds` ago; with
    `longest_window` no live counter goes (a dropped one starts a fresh window)."""
    result = await session.execute(_PURGE, {"older_than": older_than_seconds})
    return int(getattr(result, "rowcount", 0) or 0)
