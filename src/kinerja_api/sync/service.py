"""Which deletions a syncing client reads, and the sync point it stores."""

from dataclasses import asdict
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import forbidden
from kinerja_api.auth.principal import Principal
from kinerja_api.core.listing import ListOf, list_page
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.feedback.api import HOLIDAY_READERS
from kinerja_api.models.sync import SyncEntity, Tombstone
from kinerja_api.plans.api import READ_SCOPE as PLANS_READ_SCOPE
from kinerja_api.sync import repository
from kinerja_api.sync.schemas import DeletionFilters

# How far the sync point lies behind the server's clock. A row's `updated_at` is its writing
# transaction's start; a transaction still running when a client reads commits later with an
# earlier `updated_at`. Requests' transactions end within seconds; the margin is generous.
SYNC_MARGIN = timedelta(minutes=2)
ORG_READ_SCOPE = "org:read"
_LIST = ListOf("sync-deletions", {"occurred_at": Keyset((Tombstone.occurred_at, Tombstone.id))})


def _may_read_list(principal: Principal, entity_type: SyncEntity) -> bool:
    """The caller may read the list the tombstones belong to."""
    if entity_type == SyncEntity.HOLIDAY:
        return principal.kind != "service_account" and principal.has_any(*HOLIDAY_READERS)
    if principal.kind != "service_account":
        return True
    scope = ORG_READ_SCOPE if entity_type == SyncEntity.EMPLOYEE else PLANS_READ_SCOPE
    return scope in principal.scopes


async def sync_time(session: AsyncSession) -> datetime:
    now: datetime = await session.scalar(repository.server_now())
    return now - SYNC_MARGIN


async def list_deletions(
    session: AsyncSession,
    principal: Principal,
    filters: DeletionFilters,
    *,
    page: PageParams,
) -> tuple[list[Tombstone], str | None]:
    asked = list(SyncEntity) if filters.entity_type is None else [filters.entity_type]
    kinds = [kind for kind in asked if _may_read_list(principal, kind)]
    if not kinds:
        raise forbidden("Deletions")
    return await list_page(
        session,
        repository.readable(principal, kinds),
        _LIST,
        "occurred_at",
        cursor_filters=asdict(filters),
        page=page,
        updated_at=Tombstone.occurred_at,
        updated_since=filters.since,
    )
