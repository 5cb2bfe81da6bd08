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
from kinerja_api.core.schemas import ClientText, UpdatedSince
from kinerja_api.core.uow import DbSession
from kinerja_api.models.org import Role
from kinerja_api.org.users import service
from kinerja_api.org.users.schemas import PasswordSet, UserCreate, UserOut, UserSort, UserUpdate

router = Router(prefix="/api/v1/users", tags=["users"])
Reader = Annotated[Principal, requires(*service.READERS)]
Manager = Annotated[Principal, requires(Role.SUPERADMIN, Role.REGION_ADMIN, Role.AGENCY_ADMIN)]


@router.get(
    "",
    name="list",
    summary="List users",
    response_model=Page[UserOut],
    responses=problem_responses(400, 401, 403, 422),
)
async def list_users(
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    role: Role | None = None,
    active: bool | None = None,
    agency_id: uuid.UUID | None = None,
    employee_id: uuid.UUID | None = None,
    q: Annotated[
        ClientText | None,
        Query(min_length=1, max_length=200, description="Part of the email or full name."),
    ] = None,
    updated_since: UpdatedSince = None,
    sort: Annotated[UserSort, Query()] = UserSort.EMAIL,
) -> Page[UserOut]:
    """Users the caller administers or audits: superadmins all, region admins and auditors
    their region, agency admins their agency subtree."""
    users, cursor = await service.list_users(
        session,
        principal,
        role=role,
        active=active,
        agency_id=agency_id,
        employee_id=employee_id,
        q=q,
        updated_since=updated_since,
        sort=sort,
        page=page,
    )
    return Page(items=[UserOut.model_validate(u) for u in users], next_cursor=cursor)


@router.post(
    "",
    status_code=201,
    response_model=UserOut,
    name="create",
    summary="Create a user",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_user(
    request: Request,
    body: UserCreate,
    session: DbSession,
    principal: Manager,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Create a login. Nobody grants a role above their own (403 naming the role); agency
    admins create users only inside their subtree; the email must be unused (409)."""

    async def run() -> tuple[UserOut, dict[str, str]]:
        user = await service.create_user(session, principal, body)
        headers = created_headers(router.prefix, user.id, user.version)
        return UserOut.model_validate(user), headers

    # The password stays out of the stored request fingerprint.
    payload = body.model_dump(mode="json", exclude={"password"})
    return await idempotent_create(
        session,
        request,
        principal_key=principal.key,
        key=idempotency_key,
        payload=payload,
        create=run,
    )


@router.get(
    "/{user_id}",
    name="get",
    summary="Get a user",
    description=(
        "One login of the caller's region (any region for superadmins), without its password."
    ),
    response_model=UserOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_user(
    user_id: uuid.UUID, session: DbSession, principal: Reader, response: Response
) -> UserOut:
    user = await service.get_user(session, principal, user_id)
    set_etag(response, user.version)
    return UserOut.model_validate(user)


@router.patch(
    "/{user_id}",
    response_model=UserOut,
    name="update",
    summary="Update a user",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_user(
    user_id: uuid.UUID,
    body: UserUpdate,
    session: DbSession,
    principal: Manager,
    response: Response,
    if_match: IfMatch = None,
) -> UserOut:
    """Change roles, name, agency, employee link or `active` (users are never deleted).
    Nobody changes their own roles or deactivates themselves; deactivating signs the user out."""
    user = await service.update_user(session, principal, user_id, body, if_match)
    set_etag(response, user.version)
    return UserOut.model_validate(user)


@router.post(
    "/{user_id}/password",
    name="set-password",
    summary="Set a user's password",
    response_model=UserOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def set_password(
    user_id: uuid.UUID,
    body: PasswordSet,
    session: DbSession,
    principal: Manager,
    response: Response,
) -> UserOut:
    """Set a new password for a user (no If-Match needed); their refresh tokens are revoked."""
    user = await service.set_password(session, principal, user_id, body)
    set_etag(response, user.version)
    return UserOut.model_validate(user)
