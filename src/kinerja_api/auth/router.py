import base64
import binascii
from typing import Annotated, Literal

from fastapi import Form, Header, Request, Response
from sqlalchemy import exists, select

from kinerja_api.auth import service
from kinerja_api.auth.access import CLIENT_BASIC, public_route, requires, token_service
from kinerja_api.auth.principal import Principal
from kinerja_api.auth.schemas import MeOut, RefreshRequest, TokenResponse
from kinerja_api.core.i18n import Msg
from kinerja_api.core.problems import field_problem, problem_responses
from kinerja_api.core.routing import Router
from kinerja_api.core.schemas import ClientText
from kinerja_api.core.uow import DbSession
from kinerja_api.models.org import Employee, User

router = Router(prefix="/api/v1", tags=["auth"])
_MISSING = Msg("Kolom ini wajib untuk grant_type ini.", "Required for this grant_type.")
Str200 = Annotated[ClientText | None, Form(max_length=200)]


def _settings_ttl(request: Request) -> int:
    ttl: int = request.app.state.settings.refresh_token_ttl_seconds
    return ttl


def _basic_credentials(authorization: str | None) -> tuple[str | None, str | None]:
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return None, None
    try:
        client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    if "\x00" in client_id or "\x00" in secret:
        return None, None
    return client_id, secret


def _required(value: str | None, field: str) -> str:
    if not value:
        raise field_problem(f"body.{field}", _MISSING, code="missing")
    return value


@router.post(
    "/auth/token",
    name="token",
    summary="Get an access token (OAuth2)",
    response_model=TokenResponse,
    responses=problem_responses(400, 401, 422, 429),
    # The `authorization` header below is how the route reads Basic credentials; the contract
    # states them as a security scheme (OpenAPI ignores an Authorization header parameter).
    openapi_extra={"security": [{CLIENT_BASIC: []}]},
)
@public_route
async def token(
    request: Request,
    session: DbSession,
    grant_type: Annotated[Literal["password", "client_credentials", "refresh_token"], Form()],
    username: Str200 = None,
    password: Str200 = None,
    client_id: Str200 = None,
    client_secret: Str200 = None,
    refresh_token: Str200 = None,
    scope: Str200 = None,
    authorization: Annotated[ClientText | None, Header()] = None,
) -> TokenResponse:
    """OAuth2 token endpoint (form encoded): `password` for people (username is the email or
    the NIP), `client_credentials` for service accounts (in the form or HTTP Basic),
    `refresh_token` to rotate. Failed sign-ins are throttled per account and address (429)."""
    tokens = token_service(request)
    if grant_type == "password":
        return await service.password_grant(
            session,
            tokens,
            username=_required(username, "username"),
            password=_required(password, "password"),
            client_address=request.client.host if request.client else "unknown",
            refresh_ttl_seconds=_settings_ttl(request),
        )
    if grant_type == "client_credentials":
        basic_id, basic_secret = _basic_credentials(authorization)
        return await service.client_credentials_grant(
            session,
            tokens,
            client_id=_required(client_id or basic_id, "client_id"),
            client_secret=_required(client_secret or basic_secret, "client_secret"),
            requested_scope=scope,
        )
    return await service.refresh(
        session,
        tokens,
        token=_required(refresh_token, "refresh_token"),
        refresh_ttl_seconds=_settings_ttl(request),
    )


@router.post(
    "/auth/refresh",
    name="refresh",
    summary="Refresh tokens",
    response_model=TokenResponse,
    responses=problem_responses(400, 422),
)
@public_route
async def refresh(request: Request, body: RefreshRequest, session: DbSession) -> TokenResponse:
    """Exchange a refresh token for new tokens. Each refresh token works once; presenting a
    spent one revokes every token of its family."""
    return await service.refresh(
        session,
        token_service(request),
        token=body.refresh_token,
        refresh_ttl_seconds=_settings_ttl(request),
    )


@router.post(
    "/auth/logout",
    name="logout",
    summary="Sign out (revoke a refresh token's family)",
    status_code=204,
    response_class=Response,
    responses=problem_responses(400, 422),
)
@public_route
async def logout(body: RefreshRequest, session: DbSession) -> Response:
    """End a session: the refresh token's whole family stops working."""
    await service.logout(session, token=body.refresh_token)
    return Response(status_code=204)


@router.get(
    "/me",
    name="me",
    summary="Get the caller",
    response_model=MeOut,
    responses=problem_responses(401),
)
async def me(
    session: DbSession, principal: Annotated[Principal, requires(every_principal=True)]
) -> MeOut:
    """The caller: for a person, roles, region, linked employee and whether they supervise
    anyone; for a service account (`kind: service_account`), its region and granted scopes."""
    user = await session.get(User, principal.id)
    is_supervisor = False
    if principal.employee_id is not None:
        is_supervisor = bool(
            await session.scalar(
                select(exists().where(Employee.supervisor_id == principal.employee_id))
            )
        )
    return MeOut(
        kind=principal.kind,
        id=principal.id,
        region_id=principal.region_id,
        roles=sorted(principal.roles),
        scopes=sorted(principal.scopes),
        employee_id=principal.employee_id,
        agency_id=principal.agency_id,
        email=user.email if user else None,
        full_name=user.full_name if user else None,
        is_supervisor=is_supervisor,
    )
