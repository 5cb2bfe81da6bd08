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
from kinerja_api.core.schemas import UpdatedSince
from kinerja_api.core.uow import DbSession
from kinerja_api.models.org import Role
from kinerja_api.org.regions import service
from kinerja_api.org.regions.schemas import RegionCreate, RegionOut, RegionSort, RegionUpdate

router = Router(prefix="/api/v1/regions", tags=["regions"])
Reader = Annotated[Principal, requires(any_role=True, scopes=["org:read"])]
Superadmin = Annotated[Principal, requires(Role.SUPERADMIN)]


@router.get(
    "",
    name="list",
    summary="List regions",
    response_model=Page[RegionOut],
    responses=problem_responses(400, 401, 403, 422),
)
async def list_regions(
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    active: bool | None = None,
    updated_since: UpdatedSince = None,
    sort: Annotated[RegionSort, Query()] = RegionSort.CODE,
) -> Page[RegionOut]:
    """Regions the caller may see: all for superadmins, otherwise their own."""
    regions, cursor = await service.list_regions(
        session,
        principal,
        active=active,
        updated_since=updated_since,
        sort=sort,
        page=page,
    )
    return Page(items=[RegionOut.model_validate(r) for r in regions], next_cursor=cursor)


@router.post(
    "",
    status_code=201,
    response_model=RegionOut,
    name="create",
    summary="Create a region",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_region(
    request: Request,
    body: RegionCreate,
    session: DbSession,
    principal: Superadmin,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Register a new region (tenant). Superadmin only."""

    async def run() -> tuple[RegionOut, dict[str, str]]:
        region = await service.create_region(session, principal, body)
        headers = created_headers(router.prefix, region.id, region.version)
        return RegionOut.model_validate(region), headers

    return await idempotent_create(
        session, request, principal_key=principal.key, key=idempotency_key, payload=body, create=run
    )


@router.get(
    "/{region_id}",
    name="get",
    summary="Get a region",
    description="One region the caller may see.",
    response_model=RegionOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_region(
    region_id: uuid.UUID, session: DbSession, principal: Reader, response: Response
) -> RegionOut:
    region = await service.get_region(session, principal, region_id)
    set_etag(response, region.version)
    return RegionOut.model_validate(region)


@router.patch(
    "/{region_id}",
    response_model=RegionOut,
    name="update",
    summary="Update a region",
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def update_region(
    region_id: uuid.UUID,
    body: RegionUpdate,
    session: DbSession,
    principal: Superadmin,
    response: Response,
    if_match: IfMatch = None,
) -> RegionOut:
    """Change a region; `active: false` deactivates it (regions are never deleted)."""
    region = await service.update_region(session, principal, region_id, body, if_match)
    set_etag(response, region.version)
    return RegionOut.model_validate(region)
