"""Reading the audit trail (`GET /audit-events`); writers record it through `core.audit`."""

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import in_region
from kinerja_api.auth.principal import Principal
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import ListOf, list_page
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.core.problems import field_problem
from kinerja_api.models.audit import AuditEvent

_LIST = ListOf("audit-events", {"newest": Keyset((AuditEvent.id,), descending=True)})
_REGION_FILTER = Msg(
    "Hanya superadmin yang dapat menyaring menurut wilayah.",
    "Only superadmins can filter by region.",
)
_EMPTY_WINDOW = Msg(
    "occurred_to harus setelah occurred_from.", "occurred_to must be after occurred_from."
)


@dataclass(frozen=True, slots=True)
class EventFilters:
    region_id: uuid.UUID | None = None
    entity_type: str | None = None
    entity_id: str | None = None
    actor_id: uuid.UUID | None = None
    action: str | None = None
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None


def _check_filters(principal: Principal, filters: EventFilters) -> None:
    if filters.region_id is not None and not principal.is_superadmin:
        raise field_problem("query.region_id", _REGION_FILTER, code="not_allowed")
    if (
        filters.occurred_from is not None
        and filters.occurred_to is not None
        and filters.occurred_to <= filters.occurred_from
    ):
        raise field_problem("query.occurred_to", _EMPTY_WINDOW)


async def list_events(
    session: AsyncSession,
    principal: Principal,
    filters: EventFilters,
    *,
    page: PageParams,
) -> tuple[list[AuditEvent], str | None]:
    """The caller's region's trail (every region's for superadmins), newest first."""
    _check_filters(principal, filters)
    return await list_page(
        session,
        select(AuditEvent).where(in_region(principal, AuditEvent.region_id)),
        _LIST,
        "newest",
        cursor_filters=asdict(filters),
        page=page,
        equal={
            AuditEvent.region_id: filters.region_id,
            AuditEvent.entity_type: filters.entity_type,
            AuditEvent.entity_id: filters.entity_id,
            AuditEvent.actor_id: filters.actor_id,
            AuditEvent.action: filters.action,
        },
        where=[
            None
            if filters.occurred_from is None
            else AuditEvent.occurred_at >= filters.occurred_from,
            None if filters.occurred_to is None else AuditEvent.occurred_at < filters.occurred_to,
        ],
    )
