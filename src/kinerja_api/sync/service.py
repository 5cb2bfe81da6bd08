"""Which deletions a syncing client reads, the sync point it stores, and how long tombstones
are kept."""

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import forbidden
from kinerja_api.auth.principal import Principal
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import ListOf, list_page
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.core.problems import SYNC_WINDOW_EXPIRED, Problem
from kinerja_api.feedback.api import COMPLAINT_READERS, HOLIDAY_READERS, STAFF_READERS
from kinerja_api.models.org import Role
from kinerja_api.models.sync import SyncEntity, Tombstone
from kinerja_api.org.users.service import READERS as USER_READERS
from kinerja_api.plans.api import READ_SCOPE as PLANS_READ_SCOPE
from kinerja_api.sync import repository
from kinerja_api.sync.schemas import DeletionFilters

# How far the sync point lies behind the server's clock. A row's `updated_at` is its writing
# transaction's start; a transaction still running when a client reads commits later with an
# earlier `updated_at`. Requests' transactions end within seconds; the margin is generous.
SYNC_MARGIN = timedelta(minutes=2)
ORG_READ_SCOPE = "org:read"
# Tombstones the purge deletes per transaction, so that none holds the streams back for long.
PURGE_BATCH = 5_000
_LIST = ListOf("sync-deletions", {"occurred_at": Keyset((Tombstone.occurred_at, Tombstone.id))})
EXPIRED = Msg(
    "Batu nisan hanya disimpan {days} hari dan `since` lebih lama dari itu: baca ulang semua "
    "daftar tanpa `updated_since`, lalu simpan `sync_time` dari jawaban ini.",
    "Tombstones are kept for {days} days and `since` is older: read every list again without "
    "`updated_since`, then store this answer's `sync_time`.",
)


@dataclass(frozen=True, slots=True)
class Readers:
    """Who reads a list: people with one of `roles` (None: any signed-in person), and service
    accounts holding `scope` (None: people only)."""

    roles: tuple[Role, ...] | None
    scope: str | None


_PLANS = Readers(None, PLANS_READ_SCOPE)
_STAFF = Readers(STAFF_READERS, None)
READERS = {
    SyncEntity.PLAN: _PLANS,
    SyncEntity.TARGET: _PLANS,
    SyncEntity.INDICATOR: _PLANS,
    SyncEntity.HOLIDAY: Readers(HOLIDAY_READERS, None),
    SyncEntity.EMPLOYEE: Readers(None, ORG_READ_SCOPE),
    SyncEntity.AGENCY: Readers(None, ORG_READ_SCOPE),
    SyncEntity.USER: Readers(USER_READERS, None),
    SyncEntity.SERVICE_UNIT: _STAFF,
    SyncEntity.COMPLAINT: Readers(COMPLAINT_READERS, None),
    SyncEntity.FEEDBACK: _STAFF,
}


def _may_read_list(principal: Principal, entity_type: SyncEntity) -> bool:
    """The caller may read the list the tombstones belong to."""
    readers = READERS[entity_type]
    if principal.kind == "service_account":
        return readers.scope is not None and readers.scope in principal.scopes
    return readers.roles is None or principal.has_any(*readers.roles)


async def sync_time(session: AsyncSession, since: datetime, retention: timedelta) -> datetime:
    """The sync point to store; 410 when `since` lies before the tombstones still kept."""
    now: datetime = await session.scalar(repository.server_now())
    point = now - SYNC_MARGIN
    if since < now - retention:
        raise Problem(
            SYNC_WINDOW_EXPIRED,
            EXPIRED,
            params={"days": retention.days},
            sync_time=point.isoformat(),
        )
    return point


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


async def purge_expired(session: AsyncSession, retention_days: int) -> int:
    """Deletes one batch of tombstones past the window (the caller commits and repeats while a
    batch comes back full); returns how many."""
    result = await session.execute(repository.expired(retention_days, PURGE_BATCH))
    return int(getattr(result, "rowcount", 0) or 0)
