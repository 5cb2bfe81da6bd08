"""Sign-in (password and client-credentials grants), refresh-token rotation and sign-out."""

import uuid
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth import throttle
from kinerja_api.auth.passwords import verify_secret
from kinerja_api.auth.principal import Principal
from kinerja_api.auth.schemas import TokenResponse
from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.auth.tokens import (
    InvalidToken,
    TokenService,
    hash_refresh_secret,
    new_refresh_token,
    parse_refresh_token,
)
from kinerja_api.core import clock
from kinerja_api.core.i18n import Msg
from kinerja_api.core.problems import INVALID_CLIENT, INVALID_GRANT, RATE_LIMITED, Problem
from kinerja_api.models.auth import RefreshToken
from kinerja_api.models.org import Employee, Region, Role, ServiceAccount, User

_BAD_LOGIN = Msg("Nama pengguna atau kata sandi salah.", "Wrong username or password.")
_BAD_CLIENT = Msg("client_id atau client_secret salah.", "Wrong client_id or client_secret.")
_BAD_REFRESH = Msg(
    "Refresh token tidak valid, kedaluwarsa, atau sudah dipakai.",
    "The refresh token is invalid, expired or already used.",
)
_BAD_SCOPE = Msg(
    "Cakupan yang diminta melebihi cakupan akun layanan.",
    "The requested scope exceeds the service account's scopes.",
)
_THROTTLED = Msg(
    "Terlalu banyak percobaan masuk yang gagal; coba lagi nanti.",
    "Too many failed sign-in attempts; try again later.",
)


def _invalid_grant(message: Msg = _BAD_LOGIN, *, keep_changes: bool = False) -> Problem:
    return Problem(INVALID_GRANT, message, keep_changes=keep_changes, error="invalid_grant")


def user_principal(user: User) -> Principal:
    return Principal(
        kind="user",
        id=user.id,
        region_id=user.region_id,
        roles=frozenset(Role(role) for role in user.roles),
        employee_id=user.employee_id,
        agency_id=user.agency_id,
    )


async def _find_user(session: AsyncSession, username: str) -> User | None:
    """By email, or by the NIP of the linked employee; only active users of active regions."""
    by_nip = select(Employee.id).where(Employee.nip == username.strip())
    user: User | None = await session.scalar(
        select(User)
        .outerjoin(Region, Region.id == User.region_id)
        .where(
            or_(
                func.lower(User.email) == username.strip().lower(),
                User.employee_id.in_(by_nip.scalar_subquery()),
            ),
            User.active.is_(True),
            or_(User.region_id.is_(None), Region.active.is_(True)),
        )
    )
    return user


async def _issue_refresh(
    session: AsyncSession, user: User, family_id: uuid.UUID, ttl_seconds: int
) -> str:
    token_id = uuid.uuid4()
    token, secret_hash = new_refresh_token(token_id)
    session.add(
        RefreshToken(
            id=token_id,
            family_id=family_id,
            user_id=user.id,
            region_id=user.region_id,
            secret_hash=secret_hash,
            expires_at=clock.utc_now() + timedelta(seconds=ttl_seconds),
        )
    )
    await session.flush()
    return token


def _token_response(
    tokens: TokenService, principal: Principal, refresh: str | None
) -> TokenResponse:
    issued = tokens.issue(principal)
    return TokenResponse(
        access_token=issued.token,
        expires_in=issued.expires_in,
        refresh_token=refresh,
        scope=" ".join(sorted(principal.scopes)),
    )


async def password_grant(
    session: AsyncSession,
    tokens: TokenService,
    *,
    username: str,
    password: str,
    client_address: str,
    refresh_ttl_seconds: int,
) -> TokenResponse:
    await enter_all_regions(session)
    keys = [throttle.account_key(username), throttle.address_key(client_address)]
    wait = await throttle.seconds_locked(session, keys)
    if wait:
        raise Problem(RATE_LIMITED, _THROTTLED, headers={"Retry-After": str(wait)})
    user = await _find_user(session, username)
    # Always verify (against a dummy hash when there is no user) so timing reveals nothing.
    if not verify_secret(password, user.password_hash if user else None) or user is None:
        await throttle.record_failure(session, keys[0], throttle.ACCOUNT_LIMIT)
        await throttle.record_failure(session, keys[1], throttle.ADDRESS_LIMIT)
        raise _invalid_grant(keep_changes=True)
    await throttle.clear(session, keys[0])
    user.last_login_at = clock.utc_now()
    refresh = await _issue_refresh(session, user, uuid.uuid4(), refresh_ttl_seconds)
    return _token_response(tokens, user_principal(user), refresh)


async def client_credentials_grant(
    session: AsyncSession,
    tokens: TokenService,
    *,
    client_id: str,
    client_secret: str,
    requested_scope: str | None,
) -> TokenResponse:
    await enter_all_regions(session)
    account: ServiceAccount | None = await session.scalar(
        select(ServiceAccount)
        .join(Region, Region.id == ServiceAccount.region_id)
        .where(
            ServiceAccount.client_id == client_id,
            ServiceAccount.active.is_(True),
            Region.active.is_(True),
        )
    )
    if not verify_secret(client_secret, account.secret_hash if account else None) or not account:
        raise Problem(INVALID_CLIENT, _BAD_CLIENT, error="invalid_client")
    granted = frozenset(account.scopes)
    if requested_scope:
        requested = frozenset(requested_scope.split())
        if not requested <= granted:
            raise Problem(INVALID_GRANT, _BAD_SCOPE, error="invalid_scope")
        granted = requested
    principal = Principal(
        kind="service_account", id=account.id, region_id=account.region_id, scopes=granted
    )
    return _token_response(tokens, principal, None)


async def _revoke_family(session: AsyncSession, family_id: uuid.UUID) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )


async def _load_refresh(session: AsyncSession, token: str) -> RefreshToken:
    try:
        token_id, secret = parse_refresh_token(token)
    except InvalidToken as exc:
        raise _invalid_grant(_BAD_REFRESH) from exc
    await enter_all_regions(session)
    stored: RefreshToken | None = await session.get(RefreshToken, token_id, with_for_update=True)
    if stored is None or stored.secret_hash != hash_refresh_secret(secret):
        raise _invalid_grant(_BAD_REFRESH)
    return stored


async def refresh(
    session: AsyncSession, tokens: TokenService, *, token: str, refresh_ttl_seconds: int
) -> TokenResponse:
    stored = await _load_refresh(session, token)
    if stored.used_at is not None or stored.revoked_at is not None:
        # A spent token presented again means it leaked: end every session of the family.
        await _revoke_family(session, stored.family_id)
        raise _invalid_grant(_BAD_REFRESH, keep_changes=True)
    if stored.expires_at <= clock.utc_now():
        raise _invalid_grant(_BAD_REFRESH)
    user = await _find_user_by_id(session, stored.user_id)
    if user is None:
        await _revoke_family(session, stored.family_id)
        raise _invalid_grant(_BAD_REFRESH, keep_changes=True)
    stored.used_at = clock.utc_now()
    rotated = await _issue_refresh(session, user, stored.family_id, refresh_ttl_seconds)
    return _token_response(tokens, user_principal(user), rotated)


async def _find_user_by_id(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    user: User | None = await session.scalar(
        select(User)
        .outerjoin(Region, Region.id == User.region_id)
        .where(
            User.id == user_id,
            User.active.is_(True),
            or_(User.region_id.is_(None), Region.active.is_(True)),
        )
    )
    return user


async def principal_now(
    session: AsyncSession, kind: str, principal_id: uuid.UUID, scopes: Iterable[str]
) -> Principal | None:
    """A principal as they stand now, for work done later on their behalf (an export job): a
    user with their current roles, a service account with the `scopes` its token had that it
    still holds; None once either (or their region) is deactivated."""
    if kind == "user":
        user = await _find_user_by_id(session, principal_id)
        return None if user is None else user_principal(user)
    account: ServiceAccount | None = await session.scalar(
        select(ServiceAccount)
        .join(Region, Region.id == ServiceAccount.region_id)
        .where(
            ServiceAccount.id == principal_id,
            ServiceAccount.active.is_(True),
            Region.active.is_(True),
        )
    )
    if account is None:
        return None
    return Principal(
        kind="service_account",
        id=account.id,
        region_id=account.region_id,
        scopes=frozenset(scopes) & frozenset(account.scopes),
    )


async def logout(session: AsyncSession, *, token: str) -> None:
    stored = await _load_refresh(session, token)
    await _revoke_family(session, stored.family_id)
