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
from kinerja_api.evaluations.development_plans import service
from kinerja_api.evaluations.development_plans.schemas import (
    DevelopmentPlanCreate,
    DevelopmentPlanFilters,
    DevelopmentPlanOut,
    DevelopmentPlanUpdate,
)
from kinerja_api.evaluations.readers import READ_SCOPE, READER_ROLES
from kinerja_api.models.org import Role

PATH = "/api/v1/development-plans"
router = Router(prefix=PATH, tags=["development-plans"])
Reader = Annotated[Principal, requires(*READER_ROLES, scopes=[READ_SCOPE])]
# Supervisors are employees; the service admits only the rating's rater.
Writer = Annotated[Principal, requires(Role.EMPLOYEE)]


@router.post(
    "",
    status_code=201,
    name="create",
    summary="Record a development plan",
    response_model=DevelopmentPlanOut,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_plan(
    request: Request,
    body: DevelopmentPlanCreate,
    session: DbSession,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """The rater of a Butuh Perbaikan, Kurang or Sangat Kurang rating records the rencana
    pengembangan: the weak core values it addresses, what will be done and by when. One per
    rating (409 when it exists, or when the predikat needs none); the employee is told
    (`evaluation.development_planned`)."""

    async def run() -> tuple[DevelopmentPlanOut, dict[str, str]]:
        plan = await service.create_plan(session, principal, body)
        headers = created_headers(PATH, plan.id, plan.version)
        return DevelopmentPlanOut.model_validate(plan), headers

    return await idempotent_create(
        session, request, principal_key=principal.key, key=idempotency_key, payload=body, create=run
    )


@router.get(
    "",
    name="list",
    summary="List development plans",
    response_model=Page[DevelopmentPlanOut],
    responses=problem_responses(400, 401, 403, 422),
)
async def list_plans(
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    filters: Annotated[DevelopmentPlanFilters, query_parameters(DevelopmentPlanFilters)],
) -> Page[DevelopmentPlanOut]:
    """Plans of the employees whose evaluations the caller may read, least recently changed
    first."""
    plans, cursor = await service.list_plans(session, principal, filters, page)
    return Page(items=[DevelopmentPlanOut.model_validate(p) for p in plans], next_cursor=cursor)


@router.get(
    "/{plan_id}",
    name="get",
    summary="Get a development plan",
    response_model=DevelopmentPlanOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_plan(
    plan_id: uuid.UUID, session: DbSession, principal: Reader, response: Response
) -> DevelopmentPlanOut:
    """One development plan, with its `ETag` for changes."""
    plan = await service.get_plan(session, principal, plan_id)
    set_etag(response, plan.version)
    return DevelopmentPlanOut.model_validate(plan)


@router.patch(
    "/{plan_id}",
    name="update",
    summary="Change a development plan",
    response_model=DevelopmentPlanOut,
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def update_plan(
    plan_id: uuid.UUID,
    body: DevelopmentPlanUpdate,
    session: DbSession,
    principal: Writer,
    response: Response,
    if_match: IfMatch = None,
) -> DevelopmentPlanOut:
    """The rating's rater changes the plan's values, actions or due date; send the `ETag` of
    your last read in `If-Match` (412 when stale, 428 when missing)."""
    plan = await service.update_plan(session, principal, plan_id, body, if_match)
    set_etag(response, plan.version)
    return DevelopmentPlanOut.model_validate(plan)
