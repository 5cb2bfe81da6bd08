"""Who may see which outbox event on a stream, the replay of missed events, and the SSE event
source itself. The same rule is written twice, once for the live fan-out (`Audience.sees`, in
Python, on each loaded event) and once for the replay (`Audience.condition`, in SQL)."""

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, and_, false, not_, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sse_starlette import ServerSentEvent

from kinerja_api.auth.policies import REGION_WIDE_READERS, subordinates_of
from kinerja_api.auth.principal import Principal
from kinerja_api.auth.tenancy import enter_all_regions, enter_region
from kinerja_api.core.broker import OutboxBroker, StreamEvent
from kinerja_api.core.events import Position, after, position_of, settled
from kinerja_api.evaluations.api import RATER_ONLY_EVENT_TYPES
from kinerja_api.imports.api import IMPORT_EVENT_TYPES
from kinerja_api.models.events import OutboxEvent
from kinerja_api.models.org import Agency, Role
from kinerja_api.progress.events import PublicProgressEventData
from kinerja_api.progress.repository import READ_SCOPE

STREAM_FAMILIES = ("progress", "plan", "feedback", "evaluation", "training", "import")
# What a public event may reveal: figures about public targets, never people.
PUBLIC_FIELDS = tuple(PublicProgressEventData.model_fields)
_REPLAY_PAGE = 500
# How long a disconnected client waits before reconnecting (the SSE `retry` field).
RECONNECT_MILLISECONDS = 2000
_SUBSCRIBED = ServerSentEvent(retry=RECONNECT_MILLISECONDS).encode()


@dataclass(frozen=True, slots=True)
class Audience:
    """The events a subscriber may see. `region_id` None means every region (superadmins).
    A rater's own evaluation events (`RATER_ONLY_EVENT_TYPES`) go to `own_employee_id` alone,
    whatever else the subscriber may see. An import's events (`IMPORT_EVENT_TYPES`) go to the
    principal who uploaded it (`principal_id`, named in the event's `created_by_id`) and to
    the region's administrators (`imports_admin`)."""

    region_id: uuid.UUID | None
    region_wide: bool = False
    employee_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)
    agency_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)
    public_only: bool = False
    own_employee_id: uuid.UUID | None = None
    principal_id: uuid.UUID | None = None
    imports_admin: bool = False

    def sees(self, event: StreamEvent) -> bool:
        if self.region_id is not None and event.region_id != self.region_id:
            return False
        if self.public_only:
            return event.public
        if event.type in RATER_ONLY_EVENT_TYPES:
            return self.own_employee_id is not None and event.employee_id == self.own_employee_id
        if event.type in IMPORT_EVENT_TYPES:
            return self.imports_admin or (
                self.principal_id is not None
                and event.payload.get("created_by_id") == str(self.principal_id)
            )
        if self.region_wide:
            return True
        return event.employee_id in self.employee_ids or event.agency_id in self.agency_ids

    def condition(self) -> ColumnElement[bool]:
        region = true() if self.region_id is None else OutboxEvent.region_id == self.region_id
        if self.public_only:
            return and_(region, OutboxEvent.public.is_(True))
        rater_only = OutboxEvent.type.in_(RATER_ONLY_EVENT_TYPES)
        imports = OutboxEvent.type.in_(IMPORT_EVENT_TYPES)
        own = (
            false()
            if self.own_employee_id is None
            else OutboxEvent.employee_id == self.own_employee_id
        )
        return and_(
            region,
            or_(
                and_(not_(rater_only), not_(imports), self._others()),
                and_(rater_only, own),
                and_(imports, self._importer()),
            ),
        )

    def _importer(self) -> ColumnElement[bool]:
        if self.imports_admin:
            return true()
        if self.principal_id is None:
            return false()
        importer: ColumnElement[bool] = OutboxEvent.payload["created_by_id"].astext == str(
            self.principal_id
        )
        return importer

    def _others(self) -> ColumnElement[bool]:
        if self.region_wide:
            return true()
        parts: list[ColumnElement[bool]] = []
        if self.employee_ids:
            parts.append(OutboxEvent.employee_id.in_(self.employee_ids))
        if self.agency_ids:
            parts.append(OutboxEvent.agency_id.in_(self.agency_ids))
        return or_(*parts) if parts else false()


@dataclass(frozen=True, slots=True)
class StreamFilter:
    """The caller's optional narrowing: event types (exact, or a family such as `progress`),
    one employee, one agency."""

    types: frozenset[str] = frozenset()
    employee_id: uuid.UUID | None = None
    agency_id: uuid.UUID | None = None

    def matches(self, event: StreamEvent) -> bool:
        family = event.type.split(".", 1)[0]
        if family not in STREAM_FAMILIES:
            return False
        if self.types and event.type not in self.types and family not in self.types:
            return False
        if self.employee_id is not None and event.employee_id != self.employee_id:
            return False
        return self.agency_id is None or event.agency_id == self.agency_id

    def condition(self) -> ColumnElement[bool]:
        families = or_(*(OutboxEvent.type.startswith(f"{f}.") for f in STREAM_FAMILIES))
        parts = [families]
        if self.types:
            parts.append(
                or_(
                    OutboxEvent.type.in_(self.types),
                    *(OutboxEvent.type.startswith(f"{t}.") for t in self.types if "." not in t),
                )
            )
        if self.employee_id is not None:
            parts.append(OutboxEvent.employee_id == self.employee_id)
        if self.agency_id is not None:
            parts.append(OutboxEvent.agency_id == self.agency_id)
        return and_(*parts)


async def audience_of(session: AsyncSession, principal: Principal) -> Audience:
    """Own events; the supervisor chain below; the agency subtree for agency administrators;
    the region for region-wide roles and `progress:read` service accounts; every region for
    superadmins. Imports' events: the importer's own, and all of the region's for its
    administrators. Computed when the stream opens: a reconnect picks up changes to the chain."""
    own = principal.employee_id
    if principal.is_superadmin:
        return Audience(region_id=None, region_wide=True, own_employee_id=own)
    if principal.region_id is None:
        return Audience(region_id=uuid.UUID(int=0))
    if principal.kind == "service_account":
        return Audience(
            principal.region_id,
            region_wide=READ_SCOPE in principal.scopes,
            principal_id=principal.id,
        )
    if principal.has_any(*REGION_WIDE_READERS):
        return Audience(
            principal.region_id,
            region_wide=True,
            own_employee_id=own,
            principal_id=principal.id,
            imports_admin=principal.has_any(Role.REGION_ADMIN),
        )
    employees: set[uuid.UUID] = set()
    if principal.employee_id is not None:
        employees.add(principal.employee_id)
        employees.update(await session.scalars(subordinates_of(principal.employee_id)))
    agencies: set[uuid.UUID] = set()
    if principal.has_any(Role.AGENCY_ADMIN) and principal.agency_id is not None:
        root = select(Agency.path).where(Agency.id == principal.agency_id).scalar_subquery()
        agencies.update(
            await session.scalars(
                select(Agency.id).where(
                    Agency.region_id == principal.region_id, Agency.path.startswith(root)
                )
            )
        )
    return Audience(
        principal.region_id,
        employee_ids=frozenset(employees),
        agency_ids=frozenset(agencies),
        own_employee_id=own,
        principal_id=principal.id,
    )


def _to_stream_event(row: OutboxEvent) -> StreamEvent:
    return StreamEvent(
        id=row.id,
        region_id=row.region_id,
        type=row.type,
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        employee_id=row.employee_id,
        agency_id=row.agency_id,
        public=row.public,
        payload=row.payload,
        occurred_at=row.occurred_at,
        xid=row.xid,
    )


@dataclass(frozen=True, slots=True)
class Resume:
    """Where a resuming client's stream goes on: the events after `position` in delivery order
    (`core/events.py`) whose ids exceed `floor`. The floor is 0 unless the client sent an id
    it was never delivered (one this reader cannot find): then "every event with a larger id"."""

    position: Position
    floor: int = 0

    def precedes(self, event: StreamEvent) -> bool:
        return event.position > self.position and event.id > self.floor

    def past(self, event: StreamEvent) -> "Resume":
        return Resume(event.position, self.floor)

    def condition(self) -> ColumnElement[bool]:
        return and_(after(self.position), OutboxEvent.id > self.floor)


async def _enter(session: AsyncSession, audience: Audience) -> None:
    if audience.region_id is None:
        await enter_all_regions(session)
    else:
        await enter_region(session, audience.region_id)


async def resume_after(
    sessions: async_sessionmaker[AsyncSession], audience: Audience, last_event_id: int
) -> Resume:
    async with sessions() as session:
        await _enter(session, audience)
        position = await position_of(session, last_event_id)
        await session.rollback()
    return Resume(Position(0, 0), last_event_id) if position is None else Resume(position)


async def replay(
    sessions: async_sessionmaker[AsyncSession],
    audience: Audience,
    stream_filter: StreamFilter,
    after_id: int,
) -> AsyncIterator[StreamEvent]:
    """Events after the event `after_id` the audience may see, in delivery order."""
    resume = await resume_after(sessions, audience, after_id)
    async for event in replay_from(sessions, audience, stream_filter, resume):
        yield event


async def replay_from(
    sessions: async_sessionmaker[AsyncSession],
    audience: Audience,
    stream_filter: StreamFilter,
    resume: Resume,
) -> AsyncIterator[StreamEvent]:
    """Events after `resume` the audience may see and may be delivered yet, in delivery order,
    a page per short-lived session, so that no connection is held while the client reads."""
    while True:
        async with sessions() as session:
            await _enter(session, audience)
            events = [
                _to_stream_event(row)
                for row in await session.scalars(
                    select(OutboxEvent)
                    .where(
                        resume.condition(),
                        settled(),
                        audience.condition(),
                        stream_filter.condition(),
                    )
                    .order_by(OutboxEvent.xid, OutboxEvent.id)
                    .limit(_REPLAY_PAGE)
                )
            ]
            await session.rollback()
        for event in events:
            yield event
            resume = resume.past(event)
        if len(events) < _REPLAY_PAGE:
            return


def event_data(event: StreamEvent, *, public: bool) -> dict[str, Any]:
    """The JSON object of the event's frame: a `PublicStreamEvent` on the public stream, a
    `StaffStreamEvent` on the signed-in one (`progress/events.py`)."""
    if public:
        return {
            "id": event.id,
            "type": event.type,
            "occurred_at": event.occurred_at.isoformat(),
            "data": {k: event.payload[k] for k in PUBLIC_FIELDS if k in event.payload},
        }
    return {
        "id": event.id,
        "type": event.type,
        "region_id": str(event.region_id),
        "entity_type": event.entity_type,
        "entity_id": str(event.entity_id),
        "employee_id": str(event.employee_id) if event.employee_id else None,
        "agency_id": str(event.agency_id) if event.agency_id else None,
        "occurred_at": event.occurred_at.isoformat(),
        "data": event.payload,
    }


@dataclass(frozen=True, slots=True)
class _Admits:
    """A stream's predicate, equal for equal audiences and filters (`OutboxBroker.subscribe`)."""

    audience: Audience
    stream_filter: StreamFilter

    def __call__(self, event: StreamEvent) -> bool:
        return self.audience.sees(event) and self.stream_filter.matches(event)


@lru_cache(maxsize=4096)
def _encoded(event: StreamEvent, public: bool) -> bytes:
    """The event on the wire, encoded once however many subscribers receive it."""
    data = json.dumps(event_data(event, public=public), separators=(",", ":"))
    return ServerSentEvent(data=data, event=event.type, id=str(event.id)).encode()


async def event_source(
    broker: OutboxBroker,
    sessions: async_sessionmaker[AsyncSession],
    audience: Audience,
    stream_filter: StreamFilter,
    last_event_id: int | None,
) -> AsyncIterator[bytes]:
    """Subscribes first, says so with a `retry:` line (from then on nothing committed is
    missed), then replays what was missed, then streams live events, skipping the live ones the
    replay already sent; the live events queued when the stream wakes go out in one write.
    Ends when the subscription overflows or the broker stops;
    the client reconnects with `Last-Event-ID`. Events are delivered in position order and a
    position only once every smaller one exists (`core/events.py`), so "after the position of
    the last id received" is exactly what the client missed."""
    public = audience.public_only
    subscription = broker.subscribe(_Admits(audience, stream_filter))
    try:
        yield _SUBSCRIBED
        resume: Resume | None = None
        if last_event_id is not None:
            resume = await resume_after(sessions, audience, last_event_id)
            async for event in replay_from(sessions, audience, stream_filter, resume):
                yield _encoded(event, public)
                resume = resume.past(event)
        while True:
            live = [await subscription.next(), *subscription.pending()]
            frames = [
                _encoded(event, public)
                for event in live
                if event is not None and (resume is None or resume.precedes(event))
            ]
            if frames:
                yield frames[0] if len(frames) == 1 else b"".join(frames)
            if live[-1] is None:
                return
    finally:
        broker.unsubscribe(subscription)
