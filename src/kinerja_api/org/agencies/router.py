import uuid
from typing import Annotated

from fastapi import Query, Request, Response
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
from kinerja_api.org.agencies import service
from kinerja_api.org.agencies.schemas import (
    AgencyCreate,
    AgencyFilters,
    AgencyOut,
    AgencySort,
    AgencyUpdate,
)

router = Router(prefix="/api/v1/agencies", tags=["agencies"])
Reader = Annotated[Principal, requires(any_role=True, scopes=["org:read"])]
Writer = Annotated[Principal, requires(Role.REGION_ADMIN, Role.AGENCY_ADMIN, scopes=["org:write"])]


@router.get(
    "",
    name="list",
    summary="List agencies",
    response_model=Page[AgencyOut],
    responses=problem_responses(400, 401, 403, 422),
)
async def list_agencies(
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    filters: Annotated[AgencyFilters, query_parameters(AgencyFilters)],
    sort: Annotated[AgencySort, Query()] = AgencySort.NAME,
) -> Page[AgencyOut]:
    """Agencies of the caller's region (every region for superadmins); agency administrators
    see their own subtree only."""
    agencies, cursor = await service.list_agencies(
        session, principal, filters=filters, sort=sort, page=page
    )
    return Page(items=[AgencyOut.model_validate(a) for a in agencies], next_cursor=cursor)


@router.post(
    "",
    status_code=201,
    response_model=AgencyOut,
    name="create",
    summary="Create an agency",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_agency(
    request: Request,
    body: AgencyCreate,
    session: DbSession,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Add an agency to the caller's region. Agency administrators can only add agencies
    inside their own subtree."""

    async def run() -> tuple[AgencyOut, dict[str, str]]:
        agency = await service.create_agency(session, principal, body)
        headers = created_headers(router.prefix, agency.id, agency.version)
        return AgencyOut.model_validate(agency), headers

    return await idempotent_create(
        session, request, principal_key=principal.key, key=idempotency_key, payload=body, create=run
    )


@router.get(
    "/{agency_id}",
    name="get",
    summary="Get an agency",
    description="One agency the caller may see: of their region, of any region for superadmins.",
    response_model=AgencyOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_agency(
    agency_id: uuid.UUID, session: DbSession, principal: Reader, response: Response
) -> AgencyOut:
    agency = await service.get_agency(session, principal, agency_id)
    set_etag(response, agency.version)
    return AgencyOut.model_validate(agency)


@router.patch(
    "/{agency_id}",
    response_model=AgencyOut,
    name="update",
    summary="Update an agency",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_agency(
    agency_id: uuid.UUID,
    body: AgencyUpdate,
    session: DbSession,
    principal: Writer,
    response: Response,
    if_match: IfMatch = None,
) -> AgencyOut:
    """Change an agency; `parent_id` moves it with its subtree, `active: false` deactivates
    it (agencies are never deleted)."""
    agency = await service.update_agency(session, principal, agency_id, body, if_match)
    set_etag(response, agency.version)
    return AgencyOut.model_validate(agency)
