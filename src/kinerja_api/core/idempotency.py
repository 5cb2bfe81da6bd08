"""Idempotency-Key for creates.

The key is claimed with a transaction-scoped advisory lock and the first response is stored in
the same transaction as the change it describes, so the record exists exactly when the change
does: a failed request leaves nothing to replay, and a retry while the first is still running
finds the lock taken (409).
"""

import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.core.driver import as_json, driver
from kinerja_api.core.i18n import Msg
from kinerja_api.core.problems import (
    IDEMPOTENCY_IN_FLIGHT,
    IDEMPOTENCY_KEY_REUSED,
    Problem,
    field_problem,
)
from kinerja_api.core.schemas import ClientText

REPLAY_HEADER = "Idempotent-Replayed"
_REPLAYED_HEADERS = ("location", "etag")
IdempotencyKey = Annotated[
    ClientText | None,
    Header(
        alias="Idempotency-Key",
        max_length=255,
        description="Client-chosen unique key; a retry with the same key and body replays the "
        "first response instead of creating a duplicate (kept 24 hours).",
    ),
]

_IN_FLIGHT = Msg(
    "Permintaan pertama dengan kunci ini belum selesai; coba lagi sebentar.",
    "The first request with this key has not finished yet; retry shortly.",
)
_REUSED = Msg(
    "Kunci ini sudah dipakai untuk permintaan dengan isi yang berbeda.",
    "This key was already used for a request with a different body.",
)
_BAD_KEY = Msg(
    "Idempotency-Key harus 1-255 karakter ASCII yang dapat dicetak.",
    "Idempotency-Key must be 1-255 printable ASCII characters.",
)


# The statements, sent straight to the driver (core.driver).
_CLAIM = "select pg_try_advisory_xact_lock(hashtextextended($1, 0))"
_PREVIOUS = (
    "select request_hash, status_code, response_body, response_headers from idempotency_records "
    "where principal_key = $1 and key = $2 and expires_at > now()"
)
# An expired record with the same key is replaced rather than replayed.
_KEEP = """
insert into idempotency_records (principal_key, key, request_hash, status_code, response_body,
  response_headers, expires_at) values ($1, $2, $3, $4, $5, $6, now() + $7::interval)
on conflict (principal_key, key) do update set request_hash = excluded.request_hash,
  status_code = excluded.status_code, response_body = excluded.response_body,
  response_headers = excluded.response_headers, expires_at = excluded.expires_at
"""


def _request_hash(request: Request, payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    digest = hashlib.sha256(f"{request.method} {request.url.path}\n{canonical}".encode())
    return digest.hexdigest()


async def idempotent_create(
    session: AsyncSession,
    request: Request,
    *,
    principal_key: str,
    key: str | None,
    payload: BaseModel | Mapping[str, Any],
    create: Callable[[], Awaitable[tuple[BaseModel, Mapping[str, str]]]],
    ttl_hours: int = 24,
    status_code: int = 201,
) -> JSONResponse:
    """Run `create` at most once per (principal, key); `create` returns the body and headers."""
    if key is None:
        body, headers = await create()
        return JSONResponse(body.model_dump(mode="json"), status_code, headers=dict(headers))
    if not key.isascii() or not key.isprintable() or not key.strip():
        raise field_problem("header.Idempotency-Key", _BAD_KEY)

    data = payload.model_dump(mode="json") if isinstance(payload, BaseModel) else dict(payload)
    request_hash = _request_hash(request, data)
    connection = await driver(session)
    if not await connection.fetchval(_CLAIM, f"idempotency|{principal_key}|{key}"):
        raise Problem(IDEMPOTENCY_IN_FLIGHT, _IN_FLIGHT, headers={"Retry-After": "1"})

    previous = await connection.fetchrow(_PREVIOUS, principal_key, key)
    if previous is not None:
        if previous["request_hash"] != request_hash:
            raise Problem(IDEMPOTENCY_KEY_REUSED, _REUSED)
        replay_headers = {**previous["response_headers"], REPLAY_HEADER: "true"}
        return JSONResponse(
            previous["response_body"], previous["status_code"], headers=replay_headers
        )

    body, headers = await create()
    body_json = body.model_dump(mode="json")
    kept = {k: v for k, v in headers.items() if k.lower() in _REPLAYED_HEADERS}
    await connection.execute(
        _KEEP,
        principal_key,
        key,
        request_hash,
        status_code,
        as_json(body_json),
        as_json(kept),
        timedelta(hours=ttl_hours),
    )
    return JSONResponse(body_json, status_code, headers=dict(headers))


def shown_once(response: JSONResponse, field: str, value: str | None) -> JSONResponse:
    """`response` with `field` set to `value` in its body: a generated secret the caller sees
    once, added after `idempotent_create` stored the response, so the record never keeps it
    (a replay answers the field as stored: null). With no value, `response` as it is."""
    if value is None:
        return response
    body = json.loads(bytes(response.body))
    body[field] = value
    headers = {
        name: header
        for name, header in response.headers.items()
        if name.lower() not in ("content-length", "content-type")
    }
    return JSONResponse(body, response.status_code, headers=headers)


async def purge_expired(session: AsyncSession) -> int:
    result = await session.execute(
        text("delete from idempotency_records where expires_at <= now()")
    )
    return int(getattr(result, "rowcount", 0) or 0)
