"""Server-sent event streams: the signed-in progress stream and the public one."""

import uuid
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import Header, Path, Query, Request

from kinerja_api.auth.access import public_route, requires
from kinerja_api.auth.principal import Principal
from kinerja_api.config import Settings
from kinerja_api.core.broker import OutboxBroker
from kinerja_api.core.pagination import Page, PageQuery
from kinerja_api.core.problems import problem_responses
from kinerja_api.core.ratelimit import LIMITED_PER_ADDRESS
from kinerja_api.core.routing import Router
from kinerja_api.core.schemas import ClientText
from kinerja_api.core.sse import EventStreamResponse
from kinerja_api.core.uow import DbSession
from kinerja_api.plans.api import GroupQuarterOut
from kinerja_api.progress import public
from kinerja_api.progress.events import PublicStreamEvent, StaffStreamEvent
from kinerja_api.progress.repository import READ_SCOPE
from kinerja_api.progress.schemas import (
    PublicAgencyOut,
    PublicIndicatorOut,
    PublicTargetOut,
)
from kinerja_api.progress.stream import Audience, StreamFilter, audience_of, event_source

router = Router(prefix="/api/v1/progress", tags=["progress"])
public_router = Router(prefix="/api/v1/public/regions", tags=["public"])
Reader = Annotated[Principal, requires(any_role=True, scopes=[READ_SCOPE])]

EventType = Annotated[
    ClientText,
    Query(pattern=r"^(progress|plan|feedback|evaluation|training|import)(\.[a-z_]{1,40})?$"),
]
RegionCode = Annotated[ClientText, Path(description="The region's code, e.g. `bungo`.")]
LastEventId = Annotated[
    ClientText | None,
    Header(
        alias="Last-Event-ID",
        pattern=r"^[0-9]{1,18}$",
        description="The `id` of the last event received: the events after it that you may "
        "see are replayed before live ones.",
    ),
]


def _stream_response(events: Any) -> dict[int | str, dict[str, Any]]:
    """The 200 answer of a stream; `events`, the union of its frames' `data` models, becomes
    the operation's `x-events` in the contract (`core/openapi.py`)."""
    return {
        200: {
            "model": events,
            "description": "`text/event-stream`: the first line, `retry: 2000`, is sent once the "
            "server has subscribed; each event's `id` is its outbox id, `event` its type, "
            "`data` a JSON object; comment lines are heartbeats.",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        }
    }


def _response(
    request: Request, audience: Audience, stream_filter: StreamFilter, last: str | None
) -> EventStreamResponse:
    settings: Settings = request.app.state.settings
    broker: OutboxBroker = request.app.state.stream_broker
    source = event_source(
        broker,
        request.app.state.db.sessions,
        audience,
        stream_filter,
        int(last) if last is not None else None,
    )
    return EventStreamResponse(
        source,
        ping=settings.stream_ping_seconds,
        send_timeout=settings.stream_send_timeout_seconds,
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.get(
    "/stream",
    name="stream",
    summary="Stream progress, plan and comment events (SSE)",
    response_class=EventStreamResponse,
    responses={**_stream_response(StaffStreamEvent), **problem_responses(401, 403, 422)},
)
async def stream(
    request: Request,
    session: DbSession,
    principal: Reader,
    types: Annotated[
        list[EventType] | None,
        Query(
            description="Event types or families (`progress`, `plan`, `feedback`); "
            "all when omitted."
        ),
    ] = None,
    employee_id: Annotated[
        uuid.UUID | None, Query(description="Only this employee's events.")
    ] = None,
    agency_id: Annotated[uuid.UUID | None, Query(description="Only this agency's events.")] = None,
    last_event_id: LastEventId = None,
) -> EventStreamResponse:
    """Live progress, plan and feedback events the caller may see: their own, their reports'
    (transitively) for supervisors, their subtree's for agency administrators, their region's
    for region-wide roles. Heartbeats keep the connection open; after a disconnect, reconnect
    with `Last-Event-ID` to receive what was missed. A client that falls far behind is
    disconnected and should resume the same way."""
    audience = await audience_of(session, principal)
    stream_filter = StreamFilter(frozenset(types or ()), employee_id, agency_id)
    return _response(request, audience, stream_filter, last_event_id)


@public_router.get(
    "/{code}/progress",
    name="progress",
    summary="List a region's public targets and progress (public)",
    dependencies=[LIMITED_PER_ADDRESS],
    response_model=Page[PublicTargetOut],
    responses=problem_responses(400, 404, 422, 429),
)
@public_route
async def public_progress(
    code: RegionCode,
    session: DbSession,
    page: PageQuery,
    year: Annotated[
        int | None, Query(ge=2000, le=2100, description="Only this period's year.")
    ] = None,
) -> Page[PublicTargetOut]:
    """Targets the region publishes, with their agency, indicators and achievement from
    verified reports. No personal data. Limited per client address like every public endpoint
    (429 with `Retry-After`)."""
    items, cursor = await public.list_public_targets(session, code, year=year, page=page)
    return Page(items=[_public_target(item) for item in items], next_cursor=cursor)


@public_router.get(
    "/{code}/progress/stream",
    name="progress-stream",
    summary="Stream a region's verified public progress (public, SSE)",
    dependencies=[LIMITED_PER_ADDRESS],
    response_class=EventStreamResponse,
    responses={**_stream_response(PublicStreamEvent), **problem_responses(404, 422, 429)},
)
@public_route
async def public_progress_stream(
    request: Request, code: RegionCode, session: DbSession, last_event_id: LastEventId = None
) -> EventStreamResponse:
    """Verified progress on the region's public targets, as it is accepted: figures only.
    Opening a stream counts against the client address's public rate limit."""
    region = await public.enter_public_region(session, code)
    audience = Audience(region.id, public_only=True)
    return _response(request, audience, StreamFilter(), last_event_id)


def _public_target(item: public.PublicTarget) -> PublicTargetOut:
    by_indicator = {a.indicator_id: a for a in item.achievement.indicators}
    return PublicTargetOut(
        id=item.target.id,
        title=item.target.title,
        kind=item.target.kind,
        year=item.year,
        agency=PublicAgencyOut.model_validate(item.agency),
        percent=item.achievement.percent,
        quarters=[GroupQuarterOut.model_validate(asdict(q)) for q in item.achievement.quarters],
        indicators=[
            PublicIndicatorOut(
                id=indicator.id,
                description=indicator.description,
                aspect=indicator.aspect,
                unit=indicator.unit,
                target_value=indicator.target_value,
                aggregation=indicator.aggregation,
                achieved_value=by_indicator[indicator.id].achieved_value,
                percent=by_indicator[indicator.id].percent,
            )
            for indicator in item.indicators
        ],
    )
