"""Authentication and per-route access rules.

Every route declares exactly one rule: `requires(...)` (roles for people, scopes for service
accounts, both shown in OpenAPI) or `@public_route`. A test walks the mounted routes and fails on
any route without one, so no route can be left open by accident.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, Security
from fastapi.dependencies.models import Dependant
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlowPassword, OAuthFlows
from fastapi.routing import APIRoute
from fastapi.security import OAuth2

from kinerja_api.auth.principal import Principal
from kinerja_api.auth.tenancy import enter_all_regions, enter_region
from kinerja_api.auth.tokens import InvalidToken, TokenService
from kinerja_api.core.audit import record
from kinerja_api.core.i18n import Msg
from kinerja_api.core.openapi import OperationAccess
from kinerja_api.core.problems import FORBIDDEN, UNAUTHORIZED, Problem
from kinerja_api.core.uow import DbSession
from kinerja_api.models.org import Role

TOKEN_URL = "/api/v1/auth/token"  # noqa: S105 - a path
SCOPES = {
    "org:read": "Read agencies and employees",
    "org:write": "Create and update agencies and employees (bulk imports)",
    "audit:read": "Read the audit trail",
    "plans:read": "Read periods, plans, targets and indicators",
    "progress:read": "Read progress reports, achievement and the progress stream",
    "evaluations:read": (
        "Read evaluation cycles, anonymous 360° aggregates, ratings, predikat and follow-up"
    ),
    "training:read": "Read the training catalog, sessions and enrollments",
    "exchange:read": (
        "Export the national exchange formats (e-Kinerja SKP, SP4N-LAPOR! complaints), "
        "beside the read scope of their data"
    ),
    "exports:read": (
        "Ask for export jobs and fetch their CSV files (beside the exported list's own read scope)"
    ),
    "webhooks:manage": (
        "Manage the region's webhook subscriptions; receive the events the account's other "
        "scopes read"
    ),
    "imports:write": (
        "Run bulk imports (CSV or NDJSON files) of agencies, employees, users, plans (with "
        "their targets and indicators), progress reports, 360° evaluation assignments, "
        "training attendance and external training JP, and follow them"
    ),
}
ALL_ROLES = frozenset(Role)
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])

oauth2_scheme = OAuth2(
    flows=OAuthFlows(
        password=OAuthFlowPassword(tokenUrl=TOKEN_URL, scopes=SCOPES),
        clientCredentials=OAuthFlowClientCredentials(tokenUrl=TOKEN_URL, scopes=SCOPES),
    ),
    scheme_name="OAuth2",
    auto_error=False,
)

_MISSING = Msg("Token akses diperlukan.", "An access token is required.")
_INVALID = Msg(
    "Token akses tidak valid atau kedaluwarsa.", "The access token is invalid or expired."
)
_FORBIDDEN = Msg(
    "Peran atau cakupan Anda tidak mengizinkan tindakan ini.",
    "Your roles or scopes do not allow this action.",
)
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="kinerja-api"'}


def token_service(request: Request) -> TokenService:
    service: TokenService = request.app.state.token_service
    return service


def _bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(UNAUTHORIZED, _MISSING, headers=_CHALLENGE)
    return token.strip()


async def authenticate(
    request: Request,
    session: DbSession,
    authorization: Annotated[str | None, Depends(oauth2_scheme)],
) -> Principal:
    try:
        principal = token_service(request).verify(_bearer(authorization))
    except InvalidToken as exc:
        raise Problem(UNAUTHORIZED, _INVALID, headers=_CHALLENGE) from exc
    if principal.is_superadmin:
        await enter_all_regions(session)
        # Crossing tenants is allowed only on this path, and every crossing leaves a trace.
        await record(
            session,
            principal,
            "superadmin.access",
            entity_type="request",
            entity_id=None,
            region_id=None,
            after={"method": request.method, "path": request.url.path},
        )
    else:
        await enter_region(session, principal.region_id)
    request.state.principal = principal
    return principal


@dataclass(frozen=True, slots=True)
class AccessRule:
    roles: frozenset[Role]
    scopes: frozenset[str]
    every_principal: bool = False

    def allows(self, principal: Principal) -> bool:
        if self.every_principal:
            return True
        if principal.kind == "service_account":
            return bool(self.scopes) and self.scopes <= principal.scopes
        return principal.has_any(*self.roles)


def requires(
    *roles: Role,
    scopes: Iterable[str] = (),
    any_role: bool = False,
    every_principal: bool = False,
) -> Any:
    """A dependency yielding the caller when one of `roles` (or, for service accounts, every
    one of `scopes`) is held. `any_role` admits every signed-in person, leaving the decision to
    the object-level policy (e.g. supervisors, who are a relation rather than a role);
    `every_principal` admits every valid token, people and service accounts alike."""
    rule = AccessRule(
        ALL_ROLES if any_role or every_principal else frozenset(roles),
        frozenset(scopes),
        every_principal,
    )

    async def check(
        principal: Annotated[Principal, Depends(authenticate)],
    ) -> Principal:
        if not rule.allows(principal):
            raise Problem(FORBIDDEN, _FORBIDDEN)
        return principal

    check.__access_rule__ = rule  # type: ignore[attr-defined]
    return Security(check, scopes=sorted(rule.scopes))


def public_route(endpoint: Endpoint) -> Endpoint:
    """Marks a route's endpoint as deliberately open to everyone. Place it under the route
    decorator. A marker only: unlike a dependency, it costs nothing per request."""
    endpoint.__public_route__ = True  # type: ignore[attr-defined]
    return endpoint


# HTTP Basic client credentials, accepted by the token endpoint beside the form's `client_id`
# and `client_secret` (RFC 6749 §2.3.1).
CLIENT_BASIC = "ClientBasic"
SECURITY_SCHEMES = {
    CLIENT_BASIC: {
        "type": "http",
        "scheme": "basic",
        "description": "A service account's `client_id` and `client_secret` as HTTP Basic "
        "credentials, on the token endpoint only (`grant_type=client_credentials`).",
    }
}


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def access_rule_of(route: APIRoute) -> AccessRule | None:
    """The rule `requires(...)` put on the route; None on a `public_route`."""
    for call in _calls(route.dependant):
        rule = getattr(call, "__access_rule__", None)
        if isinstance(rule, AccessRule):
            return rule
    return None


def operation_access(route: APIRoute) -> OperationAccess:
    """The route's access rule as the contract states it."""
    rule = access_rule_of(route)
    if rule is None:
        return OperationAccess(public=True)
    roles = () if rule.roles == ALL_ROLES else tuple(sorted(rule.roles))
    return OperationAccess(
        scopes=tuple(sorted(rule.scopes)), roles=roles, any_token=rule.every_principal
    )


def rule_of(requirement: Any) -> AccessRule:
    """The rule of a `requires(...)` dependency, for code that checks it outside a request (a
    list's readers, checked again when an export of it runs)."""
    rule: AccessRule = requirement.dependency.__access_rule__
    return rule
