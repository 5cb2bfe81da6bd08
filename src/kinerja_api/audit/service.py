"""The audit trail: one event per mutation, written in the mutation's own transaction."""

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import in_region
from kinerja_api.auth.principal import Principal
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import ListOf, list_page
from kinerja_api.core.logging import request_id_var
from kinerja_api.core.pagination import CursorCodec, Keyset, PageParams
from kinerja_api.core.problems import field_problem
from kinerja_api.models.audit import AuditEvent

REDACTED = "[redacted]"
SECRET_FIELDS = frozenset({"password", "password_hash", "secret", "secret_hash", "client_secret"})
_LIST = ListOf("audit-events", {"newest": Keyset((AuditEvent.id,), descending=True)})
_REGION_FILTER = Msg(
    "Hanya superadmin yang dapat menyaring menurut wilayah.",
    "Only superadmins can filter by region.",
)
_EMPTY_WINDOW = Msg(
    "occurred_to harus setelah occurred_from.", "occurred_to must be after occurred_from."
)


def plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return value


def snapshot(entity: object, fields: Iterable[str]) -> dict[str, Any]:
    """The audited state of an entity: named fields, JSON-ready, secrets redacted."""
    return {
        name: REDACTED if name in SECRET_FIELDS else plain(getattr(entity, name)) for name in fields
    }


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """Only the fields that changed, as {"before": {...}, "after": {...}}."""
    changed = [key for key in after if before.get(key) != after.get(key)]
    return {
        "before": {key: before.get(key) for key in changed},
        "after": {key: after[key] for key in changed},
    }


async def record(
    session: AsyncSession,
    actor: Principal | None,
    action: str,
    *,
    entity_type: str,
    entity_id: object,
    region_id: uuid.UUID | None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    changes = diff(before or {}, after or {}) if before is not None else {"after": after or {}}
    await session.execute(
        insert(AuditEvent).values(
            region_id=region_id,
            actor_type=actor.kind if actor else "system",
            actor_id=actor.id if actor else None,
            action=action,
            entity_type=entity_type,
            entity_id=str(entity_id) if entity_id is not None else None,
            changes=changes,
            request_id=request_id_var.get(),
        )
    )


async def record_entity(
    session: AsyncSession,
    actor: Principal | None,
    entity_type: str,
    event: str,
    entity: Any,
    fields: Iterable[str],
    *,
    before: Mapping[str, Any] | None = None,
) -> None:
    """`{entity_type}.{event}` for an ORM entity: its id, its region (a region is its own),
    and the named fields after the change (only those that changed when `before` is given)."""
    await record(
        session,
        actor,
        f"{entity_type}.{event}",
        entity_type=entity_type,
        entity_id=entity.id,
        region_id=getattr(entity, "region_id", entity.id),
        before=before,
        after=snapshot(entity, fields),
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
    codec: CursorCodec,
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
        codec=codec,
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
