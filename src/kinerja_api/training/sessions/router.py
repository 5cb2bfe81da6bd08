import uuid
from typing import Annotated

from fastapi import Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from kinerja_api.auth.access import requires, rule_of
from kinerja_api.auth.principal import Principal
from kinerja_api.auth.reading import csv_list
from kinerja_api.core.csv_export import CsvWanted, csv_content
from kinerja_api.core.etag import IfMatch, created_headers, set_etag
from kinerja_api.core.exportable import ExportableList, exportable
from kinerja_api.core.idempotency import IdempotencyKey, idempotent_create
from kinerja_api.core.pagination import Page, PageQuery
from kinerja_api.core.problems import problem_responses
from kinerja_api.core.routing import Router
from kinerja_api.core.schemas import query_parameters
from kinerja_api.core.uow import DbSession
from kinerja_api.models.org import Role
from kinerja_api.training.programs.repository import READ_SCOPE
from kinerja_api.training.sessions import service
from kinerja_api.training.sessions.schemas import (
    SESSION_COLUMNS,
    SessionCreate,
    SessionFilters,
    SessionOut,
    SessionSort,
    SessionUpdate,
)

router = Router(prefix="/api/v1/training-sessions", tags=["training-sessions"])
READ = requires(any_role=True, scopes=[READ_SCOPE])
Reader = Annotated[Principal, READ]
Manager = Annotated[Principal, requires(Role.TRAINING_ADMIN, Role.REGION_ADMIN)]


SESSIONS = exportable(
    ExportableList(
        name="training-sessions",
        columns=SESSION_COLUMNS,
        filters=SessionFilters,
        sorts=SessionSort,
        default_sort=SessionSort.STARTS_AT,
        readers=rule_of(READ),
        query=service.sessions_query,
        views=service.session_views,
    )
)


@router.get(
    "",
    name="list",
    summary="List training sessions",
    response_model=Page[SessionOut],
    responses={
        **problem_responses(400, 401, 403, 422),
        **csv_content("Every session listed; a list of values is one cell, space-separated."),
    },
)
async def list_sessions(
    request: Request,
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    filters: Annotated[SessionFilters, query_parameters(SessionFilters)],
    csv: CsvWanted,
    sort: Annotated[SessionSort, Query()] = SessionSort.STARTS_AT,
) -> Page[SessionOut] | StreamingResponse:
    """The region's sessions, readable by everyone of the region; `from` and `to` bound their
    start. Times are RFC 3339 in the region's offset."""
    if csv is not None:
        return await csv_list(request, session, principal, SESSIONS, filters, sort, csv)
    found, cursor = await service.list_sessions(
        session, principal, filters=filters, sort=sort, page=page
    )
    return Page(items=found, next_cursor=cursor)


@router.post(
    "",
    status_code=201,
    name="create",
    summary="Schedule a training session",
    response_model=SessionOut,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_session(
    request: Request,
    body: SessionCreate,
    session: DbSession,
    principal: Manager,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """A session of an active program. Times without an offset are local times of the
    region's zone (WIB, WITA); enrollment must close by the start. Training and region
    administrators only."""

    async def run() -> tuple[SessionOut, dict[str, str]]:
        created = await service.create_session(session, principal, body)
        headers = created_headers(router.prefix, created.id, created.version)
        return await service.view(session, created), headers

    return await idempotent_create(
        session, request, principal_key=principal.key, key=idempotency_key, payload=body, create=run
    )


@router.get(
    "/{session_id}",
    name="get",
    summary="Get a training session",
    response_model=SessionOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_session(
    session_id: uuid.UUID, session: DbSession, principal: Reader, response: Response
) -> SessionOut:
    """One session of the caller's region with its seats left, and its `ETag`."""
    found = await service.get_session(session, principal, session_id)
    set_etag(response, found.version)
    return await service.view(session, found)


@router.patch(
    "/{session_id}",
    name="update",
    summary="Change a training session",
    response_model=SessionOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_session(
    session_id: uuid.UUID,
    body: SessionUpdate,
    session: DbSession,
    principal: Manager,
    response: Response,
    if_match: IfMatch = None,
) -> SessionOut:
    """Change a scheduled session (`If-Match` required); a cancelled one answers 409. Seats
    added go to the waitlist in its order, each promoted participant told."""
    found = await service.update_session(session, principal, session_id, body, if_match)
    set_etag(response, found.version)
    return await service.view(session, found)


@router.post(
    "/{session_id}/cancel",
    name="cancel",
    summary="Cancel a training session",
    response_model=SessionOut,
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def cancel_session(
    session_id: uuid.UUID,
    session: DbSession,
    principal: Manager,
    response: Response,
    if_match: IfMatch = None,
) -> SessionOut:
    """Cancel the session and every enrollment holding a seat or a waitlist place; each of
    those participants receives `training.session_cancelled`. Cancelling a cancelled session
    answers it as it is."""
    found = await service.cancel_session(session, principal, session_id, if_match)
    set_etag(response, found.version)
    return await service.view(session, found)
