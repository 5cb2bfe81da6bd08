import uuid
from typing import Annotated

from fastapi import Query, Request, Response
from fastapi.responses import JSONResponse

from kinerja_api.auth.access import requires
from kinerja_api.auth.principal import Principal
from kinerja_api.core.etag import IfMatch, created_headers, set_etag
from kinerja_api.core.idempotency import IdempotencyKey, idempotent_create, shown_once
from kinerja_api.core.pagination import Page, PageQuery
from kinerja_api.core.problems import problem_responses
from kinerja_api.core.routing import Router
from kinerja_api.core.schemas import UpdatedSince
from kinerja_api.core.uow import DbSession
from kinerja_api.models.org import Role
from kinerja_api.org.service_accounts import service
from kinerja_api.org.service_accounts.schemas import (
    ServiceAccountCreate,
    ServiceAccountCreated,
    ServiceAccountOut,
    ServiceAccountSort,
    ServiceAccountUpdate,
    ServiceAccountWithSecret,
)

router = Router(prefix="/api/v1/service-accounts", tags=["service-accounts"])
Reader = Annotated[Principal, requires(Role.SUPERADMIN, Role.REGION_ADMIN)]
RegionAdmin = Annotated[Principal, requires(Role.REGION_ADMIN)]


@router.get(
    "",
    name="list",
    summary="List service accounts",
    response_model=Page[ServiceAccountOut],
    responses=problem_responses(400, 401, 403, 422),
)
async def list_service_accounts(
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    active: bool | None = None,
    updated_since: UpdatedSince = None,
    sort: Annotated[ServiceAccountSort, Query()] = ServiceAccountSort.NAME,
) -> Page[ServiceAccountOut]:
    """Service accounts of the caller's region (all regions for superadmins)."""
    accounts, cursor = await service.list_service_accounts(
        session,
        principal,
        active=active,
        updated_since=updated_since,
        sort=sort,
        page=page,
    )
    return Page(items=[ServiceAccountOut.model_validate(a) for a in accounts], next_cursor=cursor)


@router.post(
    "",
    status_code=201,
    response_model=ServiceAccountCreated,
    name="create",
    summary="Create a service account",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_service_account(
    request: Request,
    body: ServiceAccountCreate,
    session: DbSession,
    principal: RegionAdmin,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Register an integration in the caller's region. The response carries the generated
    `client_secret` once; store it now."""
    issued: list[str] = []

    async def run() -> tuple[ServiceAccountCreated, dict[str, str]]:
        account, secret = await service.create_service_account(session, principal, body)
        issued.append(secret)
        headers = created_headers(router.prefix, account.id, account.version)
        out = ServiceAccountOut.model_validate(account)
        return ServiceAccountCreated(**out.model_dump(), client_secret=None), headers

    # The secret is added after the idempotency record is stored, so it is never kept in clear.
    response = await idempotent_create(
        session, request, principal_key=principal.key, key=idempotency_key, payload=body, create=run
    )
    return shown_once(response, "client_secret", issued[0] if issued else None)


@router.get(
    "/{account_id}",
    name="get",
    summary="Get a service account",
    description="One service account of the caller's region, without its secret.",
    response_model=ServiceAccountOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_service_account(
    account_id: uuid.UUID, session: DbSession, principal: Reader, response: Response
) -> ServiceAccountOut:
    account = await service.get_service_account(session, principal, account_id)
    set_etag(response, account.version)
    return ServiceAccountOut.model_validate(account)


@router.patch(
    "/{account_id}",
    response_model=ServiceAccountOut,
    name="update",
    summary="Update a service account",
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def update_service_account(
    account_id: uuid.UUID,
    body: ServiceAccountUpdate,
    session: DbSession,
    principal: RegionAdmin,
    response: Response,
    if_match: IfMatch = None,
) -> ServiceAccountOut:
    """Rename, change scopes, or set `active: false` to stop it obtaining new tokens."""
    account = await service.update_service_account(session, principal, account_id, body, if_match)
    set_etag(response, account.version)
    return ServiceAccountOut.model_validate(account)


@router.post(
    "/{account_id}/rotate-secret",
    name="rotate-secret",
    summary="Rotate a service account's secret",
    response_model=ServiceAccountWithSecret,
    responses=problem_responses(401, 403, 404, 422),
)
async def rotate_secret(
    account_id: uuid.UUID, session: DbSession, principal: RegionAdmin, response: Response
) -> ServiceAccountWithSecret:
    """Issue a new `client_secret`, returned once; the old secret stops working."""
    account, secret = await service.rotate_secret(session, principal, account_id)
    set_etag(response, account.version)
    out = ServiceAccountOut.model_validate(account)
    return ServiceAccountWithSecret(**out.model_dump(), client_secret=secret)
