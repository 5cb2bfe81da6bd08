"""The first administrator of a fresh installation (`kinerja create-admin`): a superadmin, or a
region_admin of one region, created before anyone can sign in to create users through the API."""

from enum import StrEnum

from pydantic import EmailStr, TypeAdapter, ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.passwords import hash_secret
from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.core.audit import record_entity
from kinerja_api.models.org import Region, User
from kinerja_api.org.users.service import AUDITED

MIN_PASSWORD_LENGTH = 12

_EMAIL = TypeAdapter(EmailStr)


class BootstrapError(Exception):
    """The administrator cannot be created as asked; the message is meant for the operator."""


class AdminRole(StrEnum):
    SUPERADMIN = "superadmin"
    REGION_ADMIN = "region_admin"


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BootstrapError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")


def check_email(email: str) -> str:
    try:
        return str(_EMAIL.validate_python(email.strip()))
    except ValidationError:
        raise BootstrapError(f"{email!r} is not a valid e-mail address") from None


def check_admin_scope(role: AdminRole, region_code: str | None) -> None:
    if role is AdminRole.REGION_ADMIN and not region_code:
        raise BootstrapError("a region_admin needs --region")
    if role is AdminRole.SUPERADMIN and region_code:
        raise BootstrapError(
            "a superadmin belongs to no region; use --role region_admin with --region"
        )


async def create_admin(
    session: AsyncSession,
    *,
    email: str,
    full_name: str,
    password: str,
    role: AdminRole = AdminRole.SUPERADMIN,
    region_code: str | None = None,
) -> User:
    """A superadmin, or a region_admin of `region_code`; flushes, never commits."""
    email = check_email(email)
    check_password(password)
    check_admin_scope(role, region_code)
    if not full_name.strip():
        raise BootstrapError("the full name must not be empty")
    await enter_all_regions(session)
    taken = await session.scalar(select(User.id).where(func.lower(User.email) == email.lower()))
    if taken is not None:
        raise BootstrapError(f"a user with e-mail {email} already exists")
    region_id = None
    if region_code:
        region_id = await session.scalar(select(Region.id).where(Region.code == region_code))
        if region_id is None:
            raise BootstrapError(f"there is no region with code {region_code!r}")
    user = User(
        region_id=region_id,
        email=email,
        full_name=full_name.strip(),
        password_hash=hash_secret(password),
        roles=[role.value],
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise BootstrapError(f"a user with e-mail {email} already exists") from exc
    await record_entity(session, None, "user", "created", user, AUDITED)
    return user
