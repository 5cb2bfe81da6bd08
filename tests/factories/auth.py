"""Access tokens, and the Authorization header, for any user or service account."""

from typing import Any

from kinerja_api.auth.principal import Principal
from kinerja_api.auth.tokens import TokenService
from kinerja_api.models.org import Role
from tests.factories.base import Factories


class AuthFactories(Factories):
    def token(self, user: Any) -> str:
        roles = frozenset(Role(role) for role in user.roles)
        principal = Principal(
            kind="user",
            id=user.id,
            region_id=user.region_id,
            roles=roles,
            employee_id=user.employee_id,
            agency_id=user.agency_id,
        )
        service: TokenService = self.app.state.token_service
        return service.issue(principal).token

    def service_token(self, account: Any) -> str:
        principal = Principal(
            kind="service_account",
            id=account.id,
            region_id=account.region_id,
            scopes=frozenset(account.scopes),
        )
        service: TokenService = self.app.state.token_service
        return service.issue(principal).token

    def auth(self, user_or_account: Any) -> dict[str, str]:
        token = (
            self.service_token(user_or_account)
            if hasattr(user_or_account, "client_id")
            else self.token(user_or_account)
        )
        return {"Authorization": f"Bearer {token}"}
