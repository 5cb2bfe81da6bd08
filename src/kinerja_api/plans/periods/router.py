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
from kinerja_api.models.org import Role
from kinerja_api.models.plans import PeriodStatus
from kinerja_api.plans.periods import service
from kinerja_api.plans.periods.schemas import PeriodCreate, PeriodFilters, PeriodOut

router = Router(prefix="/api/v1/periods", tags=["periods"])
Reader = Annotated[Principal, requires(any_role=True, scopes=["plans:read"])]
Admin = Annotated[Principal, requires(Role.REGION_ADMIN)]


@router.get(
    "",
    name="list",
    summary="List performance periods",
    response_model=Page[PeriodOut],
    responses=problem_responses(400, 401, 403, 422),
)
async def list_periods(
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    filters: Annotated[PeriodFilters, query_parameters(PeriodFilters)],
) -> Page[PeriodOut]:
    """The region's performance periods, newest year first."""
    periods, cursor = await service.list_periods(session, principal, filters, page=page)
    return Page(items=periods, next_cursor=cursor)


@router.post(
    "",
    status_code=201,
    response_model=PeriodOut,
    name="create",
    summary="Open a performance period",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_period(
    request: Request,
    body: PeriodCreate,
    session: DbSession,
    principal: Admin,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Open the performance year of the caller's region; its quarters (Triwulan I-IV) start at
    midnight in the region's time zone. One period per year."""

    async def run() -> tuple[PeriodOut, dict[str, str]]:
        period = await service.create_period(session, principal, body)
        return period, created_headers(router.prefix, period.id, period.version)

    return await idempotent_create(
        session, request, principal_key=principal.key, key=idempotency_key, payload=body, create=run
    )


@router.get(
    "/{period_id}",
    name="get",
    summary="Get a performance period",
    description=(
        "One performance period of the caller's region, with its quarters in the region's time "
        "zone."
    ),
    response_model=PeriodOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_period(
    period_id: uuid.UUID, session: DbSession, principal: Reader, response: Response
) -> PeriodOut:
    period = await service.get_period(session, principal, period_id)
    set_etag(response, period.version)
    return period


async def _transition(
    session: DbSession,
    principal: Principal,
    period_id: uuid.UUID,
    status: PeriodStatus,
    response: Response,
    if_match: str | None,
) -> PeriodOut:
    period = await service.change_status(session, principal, period_id, status, if_match)
    set_etag(response, period.version)
    return period


@router.post(
    "/{period_id}/close",
    name="close",
    summary="Close a performance period",
    response_model=PeriodOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def close_period(
    period_id: uuid.UUID,
    session: DbSession,
    principal: Admin,
    response: Response,
    if_match: IfMatch = None,
) -> PeriodOut:
    """Close the period: from now on its plans, targets and indicators cannot change."""
    return await _transition(session, principal, period_id, PeriodStatus.CLOSED, response, if_match)


@router.post(
    "/{period_id}/reopen",
    name="reopen",
    summary="Reopen a performance period",
    response_model=PeriodOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def reopen_period(
    period_id: uuid.UUID,
    session: DbSession,
    principal: Admin,
    response: Response,
    if_match: IfMatch = None,
) -> PeriodOut:
    """Reopen a closed period."""
    return await _transition(session, principal, period_id, PeriodStatus.OPEN, response, if_match)
