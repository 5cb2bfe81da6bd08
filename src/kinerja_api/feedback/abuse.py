"""Abuse controls for the public endpoints: fixed-window rate limits per client address and per
service unit, and refusal of a submission identical to one accepted moments before.

The rate counters are committed in a transaction of their own, before the request's work starts,
so that refused or failing requests count as well. The per-address limit runs as a route
dependency (`LIMITED_PER_ADDRESS`), which FastAPI solves before it validates the body's fields, so
invalid fields and unknown codes count too; only a body that is not JSON at all is refused (422)
before any dependency runs, uncounted. The per-unit limit needs the validated unit code."""

import hashlib
import json
import random
from collections.abc import Mapping
from typing import Any

from fastapi import Depends, Request
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.config import Settings
from kinerja_api.core.i18n import Msg
from kinerja_api.core.problems import CONFLICT, RATE_LIMITED, Problem
from kinerja_api.core.uow import separate_unit_of_work
from kinerja_api.feedback.codes import normalize

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
# Codes as a person types them and as they are stored differ; duplicates compare stored forms.
CODE_FIELDS = ("unit_code", "staff_code")
_THROTTLED = Msg(
    "Terlalu banyak permintaan dari alamat atau unit layanan ini; coba lagi nanti.",
    "Too many requests from this address or for this service unit; try again later.",
)
_DUPLICATE = Msg(
    "Isian yang sama baru saja diterima; tidak perlu dikirim ulang.",
    "The same submission was just received; there is no need to send it again.",
)


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def client_key(request: Request) -> str:
    """Scopes public callers' idempotency keys, without storing their address."""
    return "public:" + _digest(client_address(request))


def _digest(value: str) -> str:
    # Counters never hold a raw address.
    return hashlib.sha256(value.encode()).hexdigest()[:40]


async def _hit(session: AsyncSession, key: str, window: int) -> tuple[int, int]:
    hits, retry_after = (await session.execute(_HIT, {"key": key, "window": window})).one()
    return int(hits), int(retry_after)


async def _enforce(request: Request, limits: list[tuple[str, int]]) -> None:
    settings = settings_of(request)
    window = settings.public_rate_window_seconds
    wait = 0
    async with separate_unit_of_work(request) as session:
        for key, limit in limits:
            hits, retry_after = await _hit(session, key, window)
            if hits > limit:
                wait = max(wait, retry_after)
        if random.random() < settings.public_rate_purge_fraction:  # noqa: S311 - not security
            # No job runner sweeps the counters, so a small share of public requests does.
            await purge_expired(session, _longest_window(settings))
    if wait:
        raise Problem(RATE_LIMITED, _THROTTLED, headers={"Retry-After": str(wait)})


def _longest_window(settings: Settings) -> int:
    return max(settings.public_rate_window_seconds, settings.public_duplicate_window_seconds)


def _address_limit(request: Request) -> tuple[str, int]:
    key = "address:" + _digest(client_address(request))
    return key, settings_of(request).public_rate_limit_per_address


def _unit_limit(request: Request, unit_code: str) -> tuple[str, int]:
    return "unit:" + normalize(unit_code), settings_of(request).public_rate_limit_per_unit


async def limit_per_address(request: Request) -> None:
    """429 with `Retry-After` once the caller's address is over its limit."""
    await _enforce(request, [_address_limit(request)])


async def limit_per_unit(request: Request, unit_code: str | None) -> None:
    """429 with `Retry-After` once the unit is over its limit (no unit, no limit)."""
    if unit_code:
        await _enforce(request, [_unit_limit(request, unit_code)])


LIMITED_PER_ADDRESS = Depends(limit_per_address)


def fingerprint(request: Request, payload: Mapping[str, Any]) -> str:
    """Identifies a submission by what would be stored: codes count in their stored form."""
    stored = {
        field: normalize(value) if field in CODE_FIELDS and isinstance(value, str) else value
        for field, value in payload.items()
    }
    canonical = json.dumps(stored, sort_keys=True, separators=(",", ":"), default=str)
    return _digest(f"{client_address(request)}\n{request.url.path}\n{canonical}")


async def refuse_duplicates(session: AsyncSession, request: Request, fingerprint: str) -> None:
    """409 when the same address sent the same body within the duplicate window. Counted in the
    request's own transaction: only a submission that was stored blocks its twin."""
    window = settings_of(request).public_duplicate_window_seconds
    if window == 0:
        return
    hits, _ = await _hit(session, "duplicate:" + fingerprint, window)
    if hits > 1:
        raise Problem(CONFLICT, _DUPLICATE)


async def purge_expired(session: AsyncSession, older_than_seconds: int) -> int:
    """Drops counters whose window ended more than `older_than_seconds` ago; with the longest of
    the rate and duplicate windows no live counter goes (a dropped one starts a fresh window).
    Public requests call it now and then (`public_rate_purge_fraction`)."""
    result = await session.execute(_PURGE, {"older_than": older_than_seconds})
    return int(getattr(result, "rowcount", 0) or 0)
