"""Sign-in accounts for people: who may hold which role, and where."""

import asyncio
import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, any_, false, func, or_, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.passwords import hash_secret
from kinerja_api.auth.policies import REGION_WIDE_READERS, agency_in_subtree, in_region, not_found
from kinerja_api.auth.principal import Principal
from kinerja_api.core.audit import record_entity, snapshot
from kinerja_api.core.etag import check_if_match
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import ListOf, list_page
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.core.problems import CONFLICT, FORBIDDEN, Problem, field_problem
from kinerja_api.core.tombstones import user_agency_changed
from kinerja_api.models.auth import RefreshToken
from kinerja_api.models.org import Agency, Employee, Region, Role, User
from kinerja_api.org.users.schemas import PasswordSet, UserCreate, UserSort, UserUpdate

# Who reads the users list (agency administrators their subtree's accounts).
READERS = (Role.SUPERADMIN, Role.REGION_ADMIN, Role.AGENCY_ADMIN, Role.AUDITOR)
AUDITED = ("region_id", "email", "full_name", "roles", "employee_id", "agency_id", "active")
_LIST = ListOf(
    "users",
    {
        UserSort.EMAIL: Keyset((User.email, User.id)),
        UserSort.UPDATED_AT: Keyset((User.updated_at, User.id)),
    },
)

_EMAIL_TAKEN = Msg("Email '{email}' sudah dipakai.", "The email '{email}' is already in use.")
_EMPLOYEE_TAKEN = Msg(
    "Pegawai ini sudah memiliki akun pengguna.", "This employee already has a user account."
)
_CANNOT_GRANT = Msg(
    "Anda tidak berwenang memberikan atau mengelola peran '{role}'.",
    "You may not grant or manage the role '{role}'.",
)
_OWN_ROLES = Msg(
    "Anda tidak dapat mengubah peran Anda sendiri.", "You cannot change your own roles."
)
_OWN_DEACTIVATION = Msg(
    "Anda tidak dapat menonaktifkan akun Anda sendiri.", "You cannot deactivate your own account."
)
_REGION_NOT_YOURS = Msg(
    "Hanya superadmin yang boleh memilih wilayah; pengguna dibuat di wilayah Anda sendiri.",
    "Only superadmins choose the region; users are created in your own region.",
)
_REGION_REQUIRED = Msg("Sebutkan wilayah pengguna ini.", "Name the region this user belongs to.")
_SUPERADMIN_NO_REGION = Msg(
    "Superadmin tidak terikat pada wilayah, unit kerja, atau pegawai.",
    "Superadmins belong to no region, agency or employee.",
)
_UNKNOWN_REGION = Msg("Wilayah tidak ditemukan.", "Region not found.")
_SUPERADMIN_FIXED = Msg(
    "Peran superadmin tidak dapat ditambahkan ke atau dicabut dari akun yang sudah ada.",
    "The superadmin role cannot be added to or removed from an existing account.",
)
_AGENCY_REQUIRED = Msg(
    "Peran agency_admin memerlukan unit kerja.", "The agency_admin role needs an agency."
)
_AGENCY_OUTSIDE_SUBTREE = Msg(
    "Pengguna yang Anda kelola harus berada di unit kerja dalam wewenang Anda.",
    "Users you manage must belong to an agency within your subtree.",
)
_UNKNOWN_AGENCY = Msg(
    "Unit kerja tidak ditemukan di wilayah ini atau di luar wewenang Anda.",
    "Agency not found in this region or outside your subtree.",
)
_UNKNOWN_EMPLOYEE = Msg(
    "Pegawai tidak ditemukan di wilayah ini atau di luar wewenang Anda.",
    "Employee not found in this region or outside your subtree.",
)


def _reach(principal: Principal, *, write: bool) -> ColumnElement[bool]:
    """Users a principal may read (or, with `write`, manage)."""
    if principal.is_superadmin:
        return true()
    region_wide = (Role.REGION_ADMIN,) if write else REGION_WIDE_READERS
    if principal.has_any(*region_wide):
        return in_region(principal, User.region_id)
    if principal.has_any(Role.AGENCY_ADMIN):
        return and_(
            in_region(principal, User.region_id), agency_in_subtree(principal, User.agency_id)
        )
    return false()


def readable(principal: Principal) -> ColumnElement[bool]:
    """The users a principal may read: the list's, a user's and sync's one condition."""
    return _reach(principal, write=False)


def _subtree_bound(principal: Principal) -> bool:
    """Agency admins manage only inside their subtree; region admins and superadmins do not."""
    return not principal.is_superadmin and not principal.has_any(Role.REGION_ADMIN)


def _contains(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def list_users(
    session: AsyncSession,
    principal: Principal,
    *,
    role: Role | None,
    active: bool | None,
    agency_id: uuid.UUID | None,
    employee_id: uuid.UUID | None,
    q: str | None,
    updated_since: datetime | None,
    sort: UserSort,
    page: PageParams,
) -> tuple[list[User], str | None]:
    filters = {
        "role": role,
        "active": active,
        "agency_id": agency_id,
        "employee_id": employee_id,
        "q": q,
        "updated_since": updated_since,
    }
    return await list_page(
        session,
        select(User).where(readable(principal)),
        _LIST,
        sort,
        cursor_filters=filters,
        page=page,
        equal={User.active: active, User.agency_id: agency_id, User.employee_id: employee_id},
        where=[
            None if role is None else any_(User.roles) == str(role),
            None if q is None else _email_or_name(q),
        ],
        updated_at=User.updated_at,
        updated_since=updated_since,
    )


def _email_or_name(q: str) -> ColumnElement[bool]:
    pattern = _contains(q)
    return or_(User.email.ilike(pattern, escape="\\"), User.full_name.ilike(pattern, escape="\\"))


async def get_user(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID, *, write: bool = False
) -> User:
    user: User | None = await session.scalar(
        select(User).where(User.id == user_id, _reach(principal, write=write))
    )
    if user is None:
        raise not_found("User")
    return user


def _check_grantable(principal: Principal, roles: Collection[str]) -> None:
    grantable = principal.grantable_roles()
    for role in sorted(roles):
        if role not in grantable:
            raise Problem(FORBIDDEN, _CANNOT_GRANT, params={"role": role})


async def _region_for_new_user(
    session: AsyncSession, principal: Principal, data: UserCreate
) -> uuid.UUID | None:
    if not principal.is_superadmin:
        if "region_id" in data.model_fields_set:
            raise field_problem("body.region_id", _REGION_NOT_YOURS, code="not_allowed")
        return principal.region_id
    if Role.SUPERADMIN in data.roles:
        if data.region_id is not None:
            raise field_problem("body.region_id", _SUPERADMIN_NO_REGION)
        return None
    if data.region_id is None:
        raise field_problem("body.region_id", _REGION_REQUIRED, code="missing")
    if await session.get(Region, data.region_id) is None:
        raise field_problem("body.region_id", _UNKNOWN_REGION)
    return data.region_id


async def _check_agency(
    session: AsyncSession, principal: Principal, region_id: uuid.UUID, agency_id: uuid.UUID
) -> None:
    statement = select(Agency.id).where(Agency.id == agency_id, Agency.region_id == region_id)
    if _subtree_bound(principal):
        statement = statement.where(agency_in_subtree(principal, Agency.id))
    if await session.scalar(statement) is None:
        raise field_problem("body.agency_id", _UNKNOWN_AGENCY)


async def _check_employee(
    session: AsyncSession, principal: Principal, region_id: uuid.UUID, employee_id: uuid.UUID
) -> None:
    statement = select(Employee.id).where(
        Employee.id == employee_id, Employee.region_id == region_id
    )
    if _subtree_bound(principal):
        statement = statement.where(agency_in_subtree(principal, Employee.agency_id))
    if await session.scalar(statement) is None:
        raise field_problem("body.employee_id", _UNKNOWN_EMPLOYEE)


async def _check_placement(
    session: AsyncSession,
    principal: Principal,
    region_id: uuid.UUID | None,
    changes: dict[str, Any],
) -> None:
    """Validates the agency and employee being set (only those in `changes`)."""
    if region_id is None:
        for field in ("agency_id", "employee_id"):
            if changes.get(field) is not None:
                raise field_problem(f"body.{field}", _SUPERADMIN_NO_REGION)
        return
    if "agency_id" in changes:
        if changes["agency_id"] is not None:
            await _check_agency(session, principal, region_id, changes["agency_id"])
        elif _subtree_bound(principal):
            raise field_problem("body.agency_id", _AGENCY_OUTSIDE_SUBTREE, code="missing")
    if changes.get("employee_id") is not None:
        await _check_employee(session, principal, region_id, changes["employee_id"])


def _check_agency_role(roles: Collection[str], agency_id: uuid.UUID | None) -> None:
    if Role.AGENCY_ADMIN in roles and agency_id is None:
        raise field_problem("body.agency_id", _AGENCY_REQUIRED, code="missing")


def _unique_violation(exc: IntegrityError, email: str) -> Problem | None:
    message = str(exc.orig)
    if "uq_users_email" in message:
        return Problem(CONFLICT, _EMAIL_TAKEN, params={"email": email})
    if "uq_users_employee_id" in message:
        return Problem(CONFLICT, _EMPLOYEE_TAKEN)
    return None


async def _flush(session: AsyncSession, user: User) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:
        problem = _unique_violation(exc, user.email)
        if problem is None:
            raise
        raise problem from exc


async def _revoke_sessions(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Signs the user out everywhere: their refresh tokens stop working."""
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )


async def create_user(session: AsyncSession, principal: Principal, data: UserCreate) -> User:
    _check_grantable(principal, data.roles)
    region_id = await _region_for_new_user(session, principal, data)
    placement = {"agency_id": data.agency_id, "employee_id": data.employee_id}
    await _check_placement(session, principal, region_id, placement)
    _check_agency_role(data.roles, data.agency_id)
    user = User(
        region_id=region_id,
        email=data.email,
        full_name=data.full_name,
        password_hash=await asyncio.to_thread(hash_secret, data.password),
        roles=[str(role) for role in data.roles],
        employee_id=data.employee_id,
        agency_id=data.agency_id,
        active=data.active,
    )
    session.add(user)
    await _flush(session, user)
    await record_entity(session, principal, "user", "created", user, (*AUDITED, "password"))
    return user


def _check_self_service(principal: Principal, user: User, changes: dict[str, Any]) -> None:
    if user.id != principal.id:
        return
    if "roles" in changes and set(changes["roles"]) != set(user.roles):
        raise Problem(FORBIDDEN, _OWN_ROLES)
    if changes.get("active") is False:
        raise Problem(FORBIDDEN, _OWN_DEACTIVATION)


def _check_role_change(principal: Principal, user: User, roles: list[Role]) -> None:
    _check_grantable(principal, roles)
    if (Role.SUPERADMIN in roles) != (Role.SUPERADMIN in user.roles):
        raise field_problem("body.roles", _SUPERADMIN_FIXED)


async def update_user(
    session: AsyncSession,
    principal: Principal,
    user_id: uuid.UUID,
    data: UserUpdate,
    if_match: str | None,
) -> User:
    user = await get_user(session, principal, user_id, write=True)
    _check_grantable(principal, user.roles)
    check_if_match(if_match, user.version)
    changes = data.changes()
    _check_self_service(principal, user, changes)
    if "roles" in changes:
        _check_role_change(principal, user, changes["roles"])
        changes["roles"] = [str(role) for role in changes["roles"]]
    await _check_placement(session, principal, user.region_id, changes)
    _check_agency_role(changes.get("roles", user.roles), changes.get("agency_id", user.agency_id))
    before = snapshot(user, AUDITED)
    former_agency_id = user.agency_id
    for field, value in changes.items():
        setattr(user, field, value)
    await _flush(session, user)
    if before["active"] and not user.active:
        await _revoke_sessions(session, user.id)
    if user.region_id is not None and user.agency_id != former_agency_id:
        await user_agency_changed(
            session, region_id=user.region_id, user_id=user.id, former_agency_id=former_agency_id
        )
    await record_entity(session, principal, "user", "updated", user, AUDITED, before=before)
    return user


async def set_password(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID, data: PasswordSet
) -> User:
    user = await get_user(session, principal, user_id, write=True)
    _check_grantable(principal, user.roles)
    user.password_hash = await asyncio.to_thread(hash_secret, data.password)
    await _flush(session, user)
    await _revoke_sessions(session, user.id)
    await record_entity(session, principal, "user", "password_set", user, ("password",))
    return user
