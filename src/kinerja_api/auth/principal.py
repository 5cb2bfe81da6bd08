import uuid
from collections.abc import Hashable
from dataclasses import dataclass, field, replace
from typing import Literal

from sqlalchemy import Uuid

from kinerja_api.core.shapes import Bindings
from kinerja_api.models.org import Role

PrincipalKind = Literal["user", "service_account"]
_UUID = Uuid()

# Roles an administrator of each level may grant (nobody may grant above their own level).
GRANTABLE_ROLES: dict[Role, frozenset[Role]] = {
    Role.SUPERADMIN: frozenset(Role),
    Role.REGION_ADMIN: frozenset(Role) - {Role.SUPERADMIN},
    Role.AGENCY_ADMIN: frozenset({Role.AGENCY_ADMIN, Role.EMPLOYEE, Role.COMPLAINT_OFFICER}),
}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling, as established by a verified access token."""

    kind: PrincipalKind
    id: uuid.UUID
    region_id: uuid.UUID | None
    roles: frozenset[Role] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)
    employee_id: uuid.UUID | None = None
    agency_id: uuid.UUID | None = None

    @property
    def key(self) -> str:
        """Scopes per-caller state such as idempotency keys."""
        return f"{self.kind}:{self.id}"

    @property
    def is_superadmin(self) -> bool:
        return Role.SUPERADMIN in self.roles

    def has_any(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    def grantable_roles(self) -> frozenset[Role]:
        granted: frozenset[Role] = frozenset()
        for role in self.roles:
            granted |= GRANTABLE_ROLES.get(role, frozenset())
        return granted


def bound_caller(principal: Principal, bindings: Bindings) -> tuple[Principal, Hashable]:
    """The caller with its ids as symbols, for a statement built once (core.shapes), and the
    caller's part of that statement's shape: its kind, roles and scopes (which ids it has is
    in the bindings' names). The read rules take it as they take the caller."""
    bindings.inputs += [
        principal.id,
        principal.region_id,
        principal.employee_id,
        principal.agency_id,
    ]
    caller = replace(
        principal,
        id=bindings.bind("caller_id", principal.id, _UUID),
        region_id=bindings.bind("caller_region_id", principal.region_id, _UUID),
        employee_id=bindings.bind("caller_employee_id", principal.employee_id, _UUID),
        agency_id=bindings.bind("caller_agency_id", principal.agency_id, _UUID),
    )
    return caller, (principal.kind, principal.roles, principal.scopes)
