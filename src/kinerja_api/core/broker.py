"""Fan-out of outbox events to the subscribers of one process (the SSE streams, and whatever
else follows the outbox live).

Each process holds ONE dedicated asyncpg connection (outside the request pool) and polls the
outbox with it every `POLL_SECONDS`: it reads the events after the last position it fanned
out, in position order and only those a reader may deliver yet (`core/events.py`), in
batches, and offers each to every subscription whose predicate admits it. An event whose
transaction is not yet older than every running one is read by a later poll, in its place.
Writers announce nothing: a NOTIFY would serialise every writer's commit database-wide
(PostgreSQL takes a lock on the database for it at commit, held through the commit's flush),
so the writers of all regions would queue behind each other (migration 0021). Subscriptions are
bounded queues: a subscriber that falls `queue_size` events behind is closed (its client
resumes with `Last-Event-ID`), so a slow client can never make the process hold unbounded
memory, and no subscriber holds a database connection.

The broker reads on the audited all-regions path (`kinerja.all_regions`), set once for its own
connection: it serves every region's subscribers from one query per batch instead of one query
per region, and it only ever runs the fixed SELECTs below; which subscriber sees which event is
decided per subscription by the predicate it subscribed with (the progress stream's
`Audience`, in the same terms as its replay query's SQL). The connection assumes the application
role, so RLS still bounds it to the application's grants. Its session setting is its own
(`set_config(..., false)`), so it connects to the server directly, not through a pooler in
transaction mode.
"""

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from kinerja_api.core.events import SETTLED, Position

logger = logging.getLogger(__name__)

_PAGE = 500
# The queries are composed of constants only, hence the S608 exemptions.
_AFTER = f"""
select id, xid, region_id, type, entity_type, entity_id, employee_id, agency_id, public,
       payload::text as payload, occurred_at
  from outbox_events
 where (xid, id) > ($1::xid8, $2::bigint) and {SETTLED}
 order by xid, id limit {_PAGE}
"""  # noqa: S608
_LAST = f"""
select xid, id from outbox_events where {SETTLED} order by xid desc, id desc limit 1
"""  # noqa: S608
_RECONNECT_SECONDS = (0.5, 1.0, 2.0, 5.0)
# How often each process reads the outbox: the most an event waits for its next read. One read
# of an index range (most often empty) per process every poll.
POLL_SECONDS = 0.02


# Compared and hashed by identity: one loaded event is the same object for every subscriber,
# so what is derived from it (its encoded form) can be cached per event.
@dataclass(frozen=True, slots=True, eq=False)
class StreamEvent:
    id: int
    region_id: uuid.UUID
    type: str
    entity_type: str
    entity_id: uuid.UUID
    employee_id: uuid.UUID | None
    agency_id: uuid.UUID | None
    public: bool
    payload: dict[str, Any]
    occurred_at: datetime
    xid: int = 0

    @property
    def position(self) -> Position:
        return Position(self.xid, self.id)

    @classmethod
    def from_row(cls, row: Any) -> "StreamEvent":
        payload = row["payload"]
        return cls(
            id=int(row["id"]),
            region_id=row["region_id"],
            type=row["type"],
            entity_type=row["entity_type"],
            entity_id=row["entity_id"],
            employee_id=row["employee_id"],
            agency_id=row["agency_id"],
            public=bool(row["public"]),
            payload=json.loads(payload) if isinstance(payload, str) else dict(payload),
            occurred_at=row["occurred_at"],
            xid=int(row["xid"]),
        )


class Subscription:
    """One stream's bounded queue. `None` in the queue means: closed, stop streaming."""

    def __init__(self, admits: Callable[[StreamEvent], bool], size: int) -> None:
        self.admits = admits
        self.queue: asyncio.Queue[StreamEvent | None] = asyncio.Queue(maxsize=size + 1)
        self._size = size
        self.closed = False

    def offer(self, event: StreamEvent) -> None:
        if self.admits(event):
            self.deliver(event)

    def deliver(self, event: StreamEvent) -> None:
        """Queues an event already known to be admitted."""
        if self.closed:
            return
        if self.queue.qsize() >= self._size:
            self.close()
            return
        self.queue.put_nowait(event)

    def close(self) -> None:
        """Drop what is queued (the client replays it on resume) and wake the stream."""
        if self.closed:
            return
        self.closed = True
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(None)

    async def next(self) -> StreamEvent | None:
        return await self.queue.get()

    def pending(self) -> list[StreamEvent | None]:
        """What is queued already, taken without waiting: a stream woken for one event sends
        those queued behind it in the same write."""
        queue = self.queue
        return [queue.get_nowait() for _ in range(queue.qsize())]


class OutboxBroker:
    def __init__(self, dsn: str, *, app_role: str | None, queue_size: int) -> None:
        self._dsn = make_url(dsn).set(drivername="postgresql").render_as_string(False)
        self._app_role = app_role
        self.queue_size = queue_size
        self._subscriptions: set[Subscription] = set()
        # The subscriptions by predicate: subscribers with equal predicates (the same reader's
        # streams, a region's public streams) have each event judged once for all of them.
        self._audiences: dict[Callable[[StreamEvent], bool], set[Subscription]] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._connection: Any = None
        self._position = Position(0, 0)
        self._positioned = False
        self.ready = asyncio.Event()

    @property
    def subscriber_count(self) -> int:
        return len(self._subscriptions)

    def subscribe(self, admits: Callable[[StreamEvent], bool]) -> Subscription:
        """`admits` is compared by equality: give equal predicates for equal audiences."""
        subscription = Subscription(admits, self.queue_size)
        self._subscriptions.add(subscription)
        self._audiences.setdefault(admits, set()).add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        if subscription not in self._subscriptions:
            return
        self._subscriptions.discard(subscription)
        audience = self._audiences[subscription.admits]
        audience.discard(subscription)
        if not audience:
            del self._audiences[subscription.admits]

    async def start(self, wait_seconds: float = 5.0) -> None:
        """Starts reading; waits (a bounded time) until the first read has set the position,
        so that a stream opened right after start-up misses nothing. A database that is down
        does not stop the process from starting: the broker keeps reconnecting."""
        self._task = asyncio.create_task(self._run(), name="outbox-broker")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.ready.wait(), timeout=wait_seconds)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for subscription in list(self._subscriptions):
            subscription.close()
        await self._close_connection()

    async def _close_connection(self) -> None:
        if self._connection is not None and not self._connection.is_closed():
            with contextlib.suppress(Exception):
                await self._connection.close(timeout=2)
        self._connection = None

    async def _connect(self) -> None:
        settings = {"application_name": "kinerja-api-stream", "timezone": "UTC"}
        if self._app_role:
            settings["role"] = self._app_role
        connection = await asyncpg.connect(self._dsn, server_settings=settings)
        await connection.execute("select set_config('kinerja.all_regions', 'on', false)")
        # A lost connection wakes the serving loop at once, so it reconnects without delay.
        connection.add_termination_listener(lambda _connection: self._wake.set())
        self._connection = connection
        if not self._positioned:
            self._positioned = True
            last = await connection.fetchrow(_LAST)
            if last is not None:
                self._position = Position(int(last["xid"]), int(last["id"]))
        # Events committed while the connection was down come after the position: read now.
        await self._catch_up()
        self.ready.set()

    async def _catch_up(self) -> None:
        """Fans out every deliverable event after the last position fanned out: exactly what
        subscribers have not been offered, and in order (`core/events.py`)."""
        while True:
            rows = await self._connection.fetch(_AFTER, *self._position)
            self._fan_out(rows)
            if len(rows) < _PAGE:
                return

    def _fan_out(self, rows: list[Any]) -> None:
        for row in rows:
            event = StreamEvent.from_row(row)
            self._position = event.position
            # Nothing here adds or removes a subscription: the sets need no copy.
            for admits, audience in self._audiences.items():
                if admits(event):
                    for subscription in audience:
                        subscription.deliver(event)

    async def _serve(self) -> None:
        while True:
            # A lost connection sets the event: the loop reconnects at once.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=POLL_SECONDS)
            self._wake.clear()
            if self._connection.is_closed():
                raise ConnectionError("the outbox connection was closed")
            await self._catch_up()

    async def _run(self) -> None:
        attempt = 0
        while True:
            try:
                await self._connect()
                attempt = 0
                await self._serve()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("outbox reader failed; reconnecting")
            self.ready.clear()
            await self._close_connection()
            await asyncio.sleep(_RECONNECT_SECONDS[min(attempt, len(_RECONNECT_SECONDS) - 1)])
            attempt += 1
