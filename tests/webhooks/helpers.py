"""A real HTTP receiver on 127.0.0.1, events put in the outbox, and the webhooks' background
work run on the test's rolled-back transaction."""

import asyncio
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from kinerja_api.auth.tenancy import enter_region
from kinerja_api.config import Settings
from kinerja_api.core import clock
from kinerja_api.core.events import EventData, publish
from kinerja_api.feedback.events import SURVEY_RECEIVED, SurveyEventData
from kinerja_api.models.org import Role
from kinerja_api.webhooks import delivery, dispatch
from kinerja_api.webhooks.dispatch import Transaction
from tests.factories import World

URL = "/api/v1/webhook-subscriptions"
HANG = -1  # a status that means: never answer
ALLOWED = {"webhook_allowed_hosts": ["127.0.0.1"]}
README = Path(__file__).resolve().parents[2] / "README.md"


def readme_verify() -> Any:
    """The `verify` function of the README's "Webhooks" section, as a receiver would paste it."""
    section = README.read_text(encoding="utf-8").split("## Webhooks", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert code is not None
    namespace: dict[str, Any] = {}
    exec(code.group(1), namespace)  # noqa: S102 - the documented recipe, run as documented
    return namespace["verify"]


class PinnedClock:
    """`core.clock.utc_now` answering `now`, which the test moves."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, instant: datetime) -> None:
        self.now = instant
        monkeypatch.setattr(clock, "utc_now", lambda: self.now)


async def region_admin(world: World) -> tuple[Any, dict[str, str]]:
    region = await world.region()
    return region, world.auth(await world.user(region, Role.REGION_ADMIN))


async def subscribe(
    client: httpx.AsyncClient, headers: dict[str, str], url: str, *types: str
) -> dict[str, Any]:
    response = await client.post(
        URL, json={"url": url, "event_types": list(types or ("survey.*",))}, headers=headers
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def deliveries(
    client: httpx.AsyncClient, headers: dict[str, str], subscription: dict[str, Any]
) -> list[dict[str, Any]]:
    response = await client.get(f"{URL}/{subscription['id']}/deliveries", headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Receiver:
    """Answers each path with the statuses queued for it (200 once they run out); `HANG` keeps
    the request open without a word until the receiver stops."""

    port: int = 0
    requests: list[Received] = field(default_factory=list)
    statuses: dict[str, deque[int]] = field(default_factory=dict)
    stopping: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, path: str, *statuses: int) -> None:
        self.statuses.setdefault(path, deque()).extend(statuses)

    def at(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path == path]

    def _status_for(self, path: str) -> int:
        queued = self.statuses.get(path)
        return queued.popleft() if queued else 200


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {name.lower(): value for name, value in self.headers.items()}
            receiver.requests.append(Received(self.path, headers, body, time.monotonic()))
            status = receiver._status_for(self.path)
            if status == HANG:
                receiver.stopping.wait()
                return
            answer = b'{"ok": true}' if status < 300 else b"x" * 10_000
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.stopping.set()
        server.shutdown()
        server.server_close()


def receiving_settings(settings: Settings, **overrides: Any) -> Settings:
    """The test settings with the receiver's host allowed and short timeouts."""
    values: dict[str, Any] = {
        "webhook_allowed_hosts": ["127.0.0.1"],
        "webhook_connect_timeout_seconds": 2.0,
        "webhook_read_timeout_seconds": 1.0,
        **overrides,
    }
    return settings.model_copy(update=values)


def savepoints(connection: AsyncConnection) -> Transaction:
    """Background transactions as savepoints of the test's own, taken one at a time (jobs run
    side by side share the test's one connection)."""
    turn = asyncio.Lock()

    @asynccontextmanager
    async def transaction() -> AsyncIterator[AsyncSession]:
        async with turn:
            session = AsyncSession(
                bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
            )
            async with session, session.begin():
                yield session

    return transaction


async def put_event(
    connection: AsyncConnection,
    region_id: uuid.UUID,
    event_type: str = SURVEY_RECEIVED,
    payload: EventData | None = None,
    *,
    employee_id: uuid.UUID | None = None,
    entity_id: uuid.UUID | None = None,
) -> None:
    """An event committed to the outbox, as a change of the region would write it."""
    await enter_region(connection, region_id)
    session = AsyncSession(bind=connection, join_transaction_mode="create_savepoint")
    async with session:
        await publish(
            session,
            event_type,
            region_id=region_id,
            entity_type="survey_response",
            entity_id=entity_id or uuid.uuid4(),
            payload=payload or SurveyEventData(service_unit_id=uuid.uuid4()),
            employee_id=employee_id,
        )
        await session.commit()


async def deliver_all(
    connection: AsyncConnection, settings: Settings, region_id: uuid.UUID, subscription_id: str
) -> datetime | None:
    """The fan-out, then the subscription's queue as its job sends it."""
    transaction = savepoints(connection)
    await dispatch.fan_out(transaction)
    return await delivery.drain(transaction, settings, region_id, uuid.UUID(subscription_id))


async def drain(
    connection: AsyncConnection, settings: Settings, region_id: uuid.UUID, subscription_id: str
) -> datetime | None:
    """The subscription's queue as its job sends it (without matching new events first)."""
    return await delivery.drain(
        savepoints(connection), settings, region_id, uuid.UUID(subscription_id)
    )


async def send_requested(
    connection: AsyncConnection, settings: Settings, region_id: uuid.UUID, subscription_id: str
) -> int:
    return await delivery.send_requested(
        savepoints(connection), settings, region_id, uuid.UUID(subscription_id)
    )
