"""The audit trail: one event per mutation, written in the mutation's own transaction."""

import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.principal import Principal
from kinerja_api.core.logging import request_id_var
from kinerja_api.models.audit import AuditEvent

REDACTED = "[redacted]"
SECRET_FIELDS = frozenset({"password", "password_hash", "secret", "secret_hash", "client_secret"})


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def snapshot(entity: object, fields: Iterable[str]) -> dict[str, Any]:
    """The audited state of an entity: named fields, JSON-ready, secrets redacted."""
    return {
        name: REDACTED if name in SECRET_FIELDS else _plain(getattr(entity, name))
        for name in fields
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
