"""Integrations that sign in with the client-credentials grant; their secrets are stored hashed
and shown exactly once."""

import asyncio
import secrets
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.passwords import hash_secret
from kinerja_api.auth.policies import in_region, not_found, region_of
from kinerja_api.auth.principal import Principal
from kinerja_api.core.audit import record_entity, snapshot
from kinerja_api.core.etag import check_if_match
from kinerja_api.core.listing import ListOf, list_page
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.models.org import ServiceAccount
from kinerja_api.org.service_accounts.schemas import (
    ServiceAccountCreate,
    ServiceAccountSort,
    ServiceAccountUpdate,
)

AUDITED = ("name", "client_id", "scopes", "active")
CLIENT_ID_PREFIX = "svc_"
_LIST = ListOf(
    "service-accounts",
    {
        ServiceAccountSort.NAME: Keyset((ServiceAccount.name, ServiceAccount.id)),
        ServiceAccountSort.UPDATED_AT: Keyset((ServiceAccount.updated_at, ServiceAccount.id)),
    },
)


def new_client_id() -> str:
    return CLIENT_ID_PREFIX + secrets.token_hex(12)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


async def list_service_accounts(
    session: AsyncSession,
    principal: Principal,
    *,
    active: bool | None,
    updated_since: datetime | None,
    sort: ServiceAccountSort,
    page: PageParams,
) -> tuple[list[ServiceAccount], str | None]:
    return await list_page(
        session,
        select(ServiceAccount).where(in_region(principal, ServiceAccount.region_id)),
        _LIST,
        sort,
        cursor_filters={"active": active, "updated_since": updated_since},
        page=page,
        equal={ServiceAccount.active: active},
        updated_at=ServiceAccount.updated_at,
        updated_since=updated_since,
    )


async def get_service_account(
    session: AsyncSession, principal: Principal, account_id: uuid.UUID
) -> ServiceAccount:
    account: ServiceAccount | None = await session.scalar(
        select(ServiceAccount).where(
            ServiceAccount.id == account_id, in_region(principal, ServiceAccount.region_id)
        )
    )
    if account is None:
        raise not_found("Service account")
    return account


async def create_service_account(
    session: AsyncSession, principal: Principal, data: ServiceAccountCreate
) -> tuple[ServiceAccount, str]:
    """The new account and its secret, which only this call ever sees in clear."""
    secret = new_secret()
    account = ServiceAccount(
        region_id=region_of(principal),
        name=data.name,
        client_id=new_client_id(),
        secret_hash=await asyncio.to_thread(hash_secret, secret),
        scopes=list(data.scopes),
        active=data.active,
    )
    session.add(account)
    await session.flush()
    await record_entity(
        session, principal, "service_account", "created", account, (*AUDITED, "secret_hash")
    )
    return account, secret


async def update_service_account(
    session: AsyncSession,
    principal: Principal,
    account_id: uuid.UUID,
    data: ServiceAccountUpdate,
    if_match: str | None,
) -> ServiceAccount:
    account = await get_service_account(session, principal, account_id)
    check_if_match(if_match, account.version)
    before = snapshot(account, AUDITED)
    for field, value in data.changes().items():
        setattr(account, field, value)
    await session.flush()
    await record_entity(
        session, principal, "service_account", "updated", account, AUDITED, before=before
    )
    return account


async def rotate_secret(
    session: AsyncSession, principal: Principal, account_id: uuid.UUID
) -> tuple[ServiceAccount, str]:
    """Replaces the secret: the old one stops working as this transaction commits."""
    account = await get_service_account(session, principal, account_id)
    secret = new_secret()
    account.secret_hash = await asyncio.to_thread(hash_secret, secret)
    await session.flush()
    await record_entity(
        session, principal, "service_account", "secret_rotated", account, ("secret_hash",)
    )
    return account, secret
