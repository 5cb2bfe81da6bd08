"""Domain events: written to the outbox in the transaction of the change they describe, so an
event exists exactly when its change does. Streams and webhook dispatchers read the outbox.

Outbox ids become visible in id order. An id is drawn when its row is inserted but seen by
others only when its transaction commits, so two transactions that drew ids independently could
commit out of order, and a reader resuming "after id 11" would never see a 10 committed later.
`publish` therefore only queues the event on the session; the session's commit inserts what is
queued while holding a transaction-level advisory lock, which the commit itself releases. Every
transaction draws its ids and commits in one critical section, so a reader that has seen an id
has seen every smaller one that will ever exist. The lock is taken after the session's last
flush, so its holder only inserts outbox rows while holding it: the one row lock that takes is
the foreign-key share lock on the event's region, which only a region's deletion conflicts
with."""

import uuid
from typing import Any, ClassVar

from sqlalchemy import event, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from kinerja_api.core.schemas import OutputModel
from kinerja_api.models.events import OutboxEvent

# pg_advisory_xact_lock key serialising outbox writers (the bytes of "kinerja_outbox"[:8]).
OUTBOX_LOCK_KEY = 0x6B696E65726A615F
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


def write_queued(session: Session) -> None:
    """Inserts the session's queued events, in publishing order, under the outbox lock. Runs
    when the outermost transaction commits; callable directly by tests."""
    queued = _queue(session)
    if not queued:
        return
    session.flush()
    session.execute(select(func.pg_advisory_xact_lock(OUTBOX_LOCK_KEY)))
    session.execute(insert(OutboxEvent).values(queued))
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
