import uuid
from typing import Annotated

from fastapi import Request, Response
from fastapi.responses import JSONResponse

from kinerja_api.auth.access import requires
from kinerja_api.auth.principal import Principal
from kinerja_api.core.etag import IfMatch, created_headers, set_etag
from kinerja_api.core.idempotency import IdempotencyKey, idempotent_create
from kinerja_api.core.pagination import Page, PageQuery
from kinerja_api.core.problems import problem_responses
from kinerja_api.core.routing import Router
from kinerja_api.core.schemas import query_parameters
from kinerja_api.core.uow import DbSession
from kinerja_api.plans.repository import READ_SCOPE
from kinerja_api.plans.targets import service
from kinerja_api.plans.targets.schemas import (
    IndicatorCreate,
    IndicatorFilters,
    IndicatorOut,
    IndicatorUpdate,
    TargetCreate,
    TargetFilters,
    TargetOut,
    TargetUpdate,
)

router = Router(prefix="/api/v1", tags=["targets"])
indicators_router = Router(prefix="/api/v1", tags=["indicators"])
Reader = Annotated[Principal, requires(any_role=True, scopes=[READ_SCOPE])]
# The plan's own employee is the only writer; the service decides per plan.
Actor = Annotated[Principal, requires(any_role=True)]
TARGETS = "/api/v1/targets"
INDICATORS = "/api/v1/indicators"
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422, 428)


# --- targets ---------------------------------------------------------------------------------


@router.get(
    "/targets",
    name="list-readable",
    response_model=Page[TargetOut],
    responses=problem_responses(400, 401, 403, 422),
)
async def list_readable_targets(
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    filters: Annotated[TargetFilters, query_parameters(TargetFilters)],
) -> Page[TargetOut]:
    """Targets of every plan the caller may read, least recently changed first: with
    `updated_since`, what a syncing client fetches (deletions: `GET /api/v1/sync/deletions`)."""
    targets, cursor = await service.list_readable_targets(session, principal, filters, page=page)
    return Page(items=await service.target_views(session, targets), next_cursor=cursor)


@router.get(
    "/plans/{plan_id}/targets",
    name="list",
    summary="List a plan's targets",
    response_model=Page[TargetOut],
    responses=problem_responses(400, 401, 403, 404, 422),
)
async def list_targets(
    plan_id: uuid.UUID, session: DbSession, principal: Reader, page: PageQuery
) -> Page[TargetOut]:
    """The plan's targets (RHK) in display order."""
    targets, cursor = await service.list_targets(session, principal, plan_id, page=page)
    return Page(items=await service.target_views(session, targets), next_cursor=cursor)


@router.post(
    "/plans/{plan_id}/targets",
    status_code=201,
    response_model=TargetOut,
    name="create",
    summary="Add a target to a plan",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_target(
    plan_id: uuid.UUID,
    request: Request,
    body: TargetCreate,
    session: DbSession,
    principal: Actor,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Add a target to the caller's own draft or returned plan. A cascading target names a
    target of the direct supervisor's plan in the same period (422 otherwise)."""

    async def run() -> tuple[TargetOut, dict[str, str]]:
        target = await service.create_target(session, principal, plan_id, body)
        view = await service.target_view(session, target)
        return view, created_headers(TARGETS, target.id, target.version)

    return await idempotent_create(
        session, request, principal_key=principal.key, key=idempotency_key, payload=body, create=run
    )


@router.get(
    "/targets/{target_id}",
    name="get",
    summary="Get a target",
    description="One target (RHK) the caller may see.",
    response_model=TargetOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_target(
    target_id: uuid.UUID, session: DbSession, principal: Reader, response: Response
) -> TargetOut:
    target, _plan = await service.find_target(session, principal, target_id)
    set_etag(response, target.version)
    return await service.target_view(session, target)


@router.patch(
    "/targets/{target_id}",
    name="update",
    summary="Update a target",
    description=(
        "Change a target; send the `ETag` of your last read in `If-Match` (412 when it is "
        "stale, 428 when it is missing)."
    ),
    response_model=TargetOut,
    responses=WRITE_ERRORS,
)
async def update_target(
    target_id: uuid.UUID,
    body: TargetUpdate,
    session: DbSession,
    principal: Actor,
    response: Response,
    if_match: IfMatch = None,
) -> TargetOut:
    target = await service.update_target(session, principal, target_id, body, if_match)
    set_etag(response, target.version)
    return await service.target_view(session, target)


@router.delete(
    "/targets/{target_id}",
    name="delete",
    summary="Delete a target",
    status_code=204,
    responses=WRITE_ERRORS,
)
async def delete_target(
    target_id: uuid.UUID, session: DbSession, principal: Actor, if_match: IfMatch = None
) -> Response:
    """Remove a target with its indicators; refused (409) while subordinates' targets cascade
    from it."""
    await service.delete_target(session, principal, target_id, if_match)
    return Response(status_code=204)


# --- indicators ------------------------------------------------------------------------------


@indicators_router.get(
    "/indicators",
    name="list-readable",
    response_model=Page[IndicatorOut],
    responses=problem_responses(400, 401, 403, 422),
)
async def list_readable_indicators(
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    filters: Annotated[IndicatorFilters, query_parameters(IndicatorFilters)],
) -> Page[IndicatorOut]:
    """Indicators of every plan the caller may read, least recently changed first: with
    `updated_since`, what a syncing client fetches (deletions: `GET /api/v1/sync/deletions`)."""
    indicators, cursor = await service.list_readable_indicators(
        session, principal, filters, page=page
    )
    return Page(items=[IndicatorOut.model_validate(i) for i in indicators], next_cursor=cursor)


@indicators_router.get(
    "/targets/{target_id}/indicators",
    name="list",
    summary="List a target's indicators",
    description="The indicators (IKI) of a target the caller may see, in position order.",
    response_model=Page[IndicatorOut],
    responses=problem_responses(400, 401, 403, 404, 422),
)
async def list_indicators(
    target_id: uuid.UUID, session: DbSession, principal: Reader, page: PageQuery
) -> Page[IndicatorOut]:
    indicators, cursor = await service.list_indicators(session, principal, target_id, page=page)
    return Page(items=[IndicatorOut.model_validate(i) for i in indicators], next_cursor=cursor)


@indicators_router.post(
    "/targets/{target_id}/indicators",
    status_code=201,
    response_model=IndicatorOut,
    name="create",
    summary="Add an indicator to a target",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_indicator(
    target_id: uuid.UUID,
    request: Request,
    body: IndicatorCreate,
    session: DbSession,
    principal: Actor,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Add an indicator (IKI) to a target of the caller's own draft or returned plan."""

    async def run() -> tuple[IndicatorOut, dict[str, str]]:
        indicator = await service.create_indicator(session, principal, target_id, body)
        headers = created_headers(INDICATORS, indicator.id, indicator.version)
        return IndicatorOut.model_validate(indicator), headers

    return await idempotent_create(
        session, request, principal_key=principal.key, key=idempotency_key, payload=body, create=run
    )


@indicators_router.get(
    "/indicators/{indicator_id}",
    name="get",
    summary="Get an indicator",
    description="One indicator (IKI) of a target the caller may see.",
    response_model=IndicatorOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_indicator(
    indicator_id: uuid.UUID, session: DbSession, principal: Reader, response: Response
) -> IndicatorOut:
    indicator, _plan = await service.find_indicator(session, principal, indicator_id)
    set_etag(response, indicator.version)
    return IndicatorOut.model_validate(indicator)


@indicators_router.patch(
    "/indicators/{indicator_id}",
    name="update",
    summary="Update an indicator",
    description=(
        "Change an indicator; send the `ETag` of your last read in `If-Match` (412 when it is "
        "stale, 428 when it is missing)."
    ),
    response_model=IndicatorOut,
    responses=WRITE_ERRORS,
)
async def update_indicator(
    indicator_id: uuid.UUID,
    body: IndicatorUpdate,
    session: DbSession,
    principal: Actor,
    response: Response,
    if_match: IfMatch = None,
) -> IndicatorOut:
    indicator = await service.update_indicator(session, principal, indicator_id, body, if_match)
    set_etag(response, indicator.version)
    return IndicatorOut.model_validate(indicator)


@indicators_router.delete(
    "/indicators/{indicator_id}",
    name="delete",
    summary="Delete an indicator",
    status_code=204,
    responses=WRITE_ERRORS,
)
async def delete_indicator(
    indicator_id: uuid.UUID, session: DbSession, principal: Actor, if_match: IfMatch = None
) -> Response:
    """Remove an indicator; refused (409) while subordinates' indicators share it."""
    await service.delete_indicator(session, principal, indicator_id, if_match)
    return Response(status_code=204)
