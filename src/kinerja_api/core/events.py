"""Domain events: written to the outbox in the transaction of the change they describe, so an
event exists exactly when its change does. Streams and webhook dispatchers read the outbox.

Writers take no lock. An event's id is drawn when its row is inserted but seen by others only
when its transaction commits, so transactions commit ids out of order, and a reader resuming
"after id 11" could never see a 10 committed later. Readers therefore do not follow ids alone:
each row records the id of the transaction that wrote it (`xid`, filled in by the database), an
event's position is (xid, id), and a reader delivers events in position order and only those
whose transaction is older than every transaction of this database still running, as of the
reading statement's own snapshot (`SETTLED`, with `kinerja_outbox_horizon()` from migration
0011). Every transaction older than that has ended, so its events are visible to that statement
or never will exist; every transaction still running, or yet to start, has a transaction id at
least that large, so whatever it commits later lands after every position delivered so far.
Hence a reader that has delivered a position has delivered every smaller one that will ever
exist, however the writers interleave. An event waits for delivery until the transactions
older than it have ended: keep write transactions short (a long one holds back every stream).

A transaction also sees its own events (tests nest requests in one transaction); the service's
readers write nothing, so they have no transaction id of their own.
"""

import uuid
from typing import Any, ClassVar, NamedTuple

from sqlalchemy import (
    Boolean,
    ColumnElement,
    event,
    insert,
    literal,
    literal_column,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from kinerja_api.core.driver import driver, insert_one, parameters
from kinerja_api.core.schemas import OutputModel
from kinerja_api.models.events import OutboxEvent, Xid8

# The rows of `outbox_events` a statement may deliver (see the module's docstring).
SETTLED = (
    "(xid < (select kinerja_outbox_horizon())"
    " or xid is not distinct from pg_current_xact_id_if_assigned())"
)
_QUEUE = "kinerja.outbox_queue"
_MARKS = "kinerja.outbox_savepoint_marks"


class EventData(OutputModel):
    """The `data` of a family of events, as streams send it. A subclass names the event types
    it carries in `event_types` (taken from the `Literal` the streams' wire models reuse) and is
    the only payload `publish` accepts for them: a field on the wire is a field of the model,
    and the contract is generated from the model."""

    event_types: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        for event_type in cls.__dict__.get("event_types", ()):
            known = EVENT_DATA.setdefault(event_type, cls)
            if known is not cls:
                raise TypeError(f"{event_type} is carried by both {known} and {cls}")


# Every event type published anywhere, with the model of its `data`.
EVENT_DATA: dict[str, type[EventData]] = {}


async def publish(
    session: AsyncSession,
    event_type: str,
    *,
    region_id: uuid.UUID,
    entity_type: str,
    entity_id: uuid.UUID,
    payload: EventData,
    employee_id: uuid.UUID | None = None,
    agency_id: uuid.UUID | None = None,
    public: bool = False,
) -> None:
    """Adds `event_type` (e.g. `plan.approved`) to the outbox when the session commits.
    `employee_id` is the employee the event concerns and `agency_id` their agency: streams
    decide from these who may see it. `public` events may appear on the citizens' transparency
    stream. `payload` must be the model registered for `event_type`."""
    if EVENT_DATA.get(event_type) is not type(payload):
        raise ValueError(f"{event_type} does not carry a {type(payload).__name__}")
    _queue(session.sync_session).append(
        {
            "region_id": region_id,
            "type": event_type,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "employee_id": employee_id,
            "agency_id": agency_id,
            "public": public,
            "payload": payload.model_dump(mode="json"),
        }
    )


class Position(NamedTuple):
    """Where an event stands in delivery order: its transaction's id, then its own id."""

    xid: int
    id: int


def settled() -> ColumnElement[bool]:
    """The events a reader may deliver now, in SQL."""
    return literal_column(SETTLED, Boolean)


def after(position: Position) -> ColumnElement[bool]:
    """The events after `position` in delivery order."""
    return tuple_(OutboxEvent.xid, OutboxEvent.id) > tuple_(
        literal(position.xid, Xid8), literal(position.id)
    )


async def position_of(session: AsyncSession, event_id: int) -> Position | None:
    """The position of the event `event_id`, if the session may see it."""
    row = (
        await session.execute(
            select(OutboxEvent.xid, OutboxEvent.id).where(OutboxEvent.id == event_id)
        )
    ).one_or_none()
    return None if row is None else Position(int(row.xid), int(row.id))


def write_queued(session: Session) -> None:
    """Inserts the session's queued events, in publishing order. Runs when the outermost
    transaction commits; callable directly by tests."""
    queued = _queue(session)
    if not queued:
        return
    session.flush()
    session.execute(insert(OutboxEvent).values(queued))
    queued.clear()


_COLUMNS = (
    "region_id", "type", "entity_type", "entity_id", "employee_id", "agency_id", "public",
    "payload",
)  # fmt: skip
_INSERT_ONE = insert_one("outbox_events", _COLUMNS)


async def write_queued_now(session: AsyncSession) -> None:
    """`write_queued` from a request's unit of work, just before it commits, straight to the
    driver (core.driver): one row's insert, the common case, or all rows in one round trip.
    What it leaves (nothing) the commit's own `write_queued` finds."""
    queued = _queue(session.sync_session)
    if not queued:
        return
    await session.flush()
    rows = [parameters(row, _COLUMNS, json_column="payload") for row in queued]
    connection = await driver(session)
    if len(rows) == 1:
        await connection.execute(_INSERT_ONE, *rows[0])
    else:
        await connection.executemany(_INSERT_ONE, rows)
    queued.clear()


def _queue(session: Session) -> list[dict[str, Any]]:
    queue: list[dict[str, Any]] = session.info.setdefault(_QUEUE, [])
    return queue


def _marks(session: Session) -> dict[SessionTransaction, int]:
    marks: dict[SessionTransaction, int] = session.info.setdefault(_MARKS, {})
    return marks


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    # Also fired when a savepoint is released; its events wait for the outermost commit.
    if not session.in_nested_transaction():
        write_queued(session)


@event.listens_for(Session, "after_transaction_create")
def _after_transaction_create(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        _marks(session)[transaction] = len(_queue(session))


@event.listens_for(Session, "after_soft_rollback")
def _after_soft_rollback(session: Session, transaction: SessionTransaction) -> None:
    # A savepoint rolled back takes the events published inside it along.
    mark = _marks(session).pop(transaction, None)
    if mark is not None:
        del _queue(session)[mark:]


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        # Committed events were written; a rollback discards the rest.
        _queue(session).clear()
        _marks(session).clear()
