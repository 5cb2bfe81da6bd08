"""The bare baseline the service is measured against: a minimal pure-ASGI app on an asyncpg pool
that answers `GET /health/ready` with the same query and the same JSON as the service's
readiness endpoint, and nothing else (no framework, no middleware, no validation).

Run it like the service: `uvicorn baseline_app:app --app-dir bench --workers 2 --loop uvloop
--http httptools`, with KINERJA_DATABASE_URL naming the database. Each worker opens a pool as
large as the service's (KINERJA_DB_POOL_SIZE + KINERJA_DB_MAX_OVERFLOW) and assumes the same
role (KINERJA_DB_APP_ROLE), so both pay the same connection costs.
"""

import json
import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

QUERY = "select version_num from alembic_version"
_JSON_HEADERS = [(b"content-type", b"application/json")]
_NOT_FOUND = b'{"status":404}'


def _dsn() -> str:
    url = os.environ["KINERJA_DATABASE_URL"]
    # asyncpg takes libpq URLs, including `?host=/socket/dir` for Unix sockets.
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pool_size() -> int:
    size = int(os.environ.get("KINERJA_DB_POOL_SIZE", "10"))
    return size + int(os.environ.get("KINERJA_DB_MAX_OVERFLOW", "10"))


class BaselineApp:
    def __init__(self) -> None:
        self.pool: Any = None

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                server_settings = {"application_name": "kinerja-baseline", "timezone": "UTC"}
                role = os.environ.get("KINERJA_DB_APP_ROLE", "kinerja_app")
                if role:
                    server_settings["role"] = role
                self.pool = await asyncpg.create_pool(
                    _dsn(), min_size=1, max_size=_pool_size(), server_settings=server_settings
                )
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.pool is not None:
                    await self.pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope["path"] == "/health/ready" and scope["method"] == "GET":
            async with self.pool.acquire() as connection:
                found = await connection.fetchval(QUERY)
            status = 200
            body = json.dumps({"status": "ok", "migration": found}, separators=(",", ":")).encode()
        else:
            status, body = 404, _NOT_FOUND
        headers = [*_JSON_HEADERS, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


app = BaselineApp()
