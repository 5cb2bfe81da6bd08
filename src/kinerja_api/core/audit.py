"""Recording the audit trail: one event per mutation, written in the mutation's own
transaction. Every writer (base and domains alike) records through here; reading the trail is
the `audit` domain's."""

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.core.driver import driver, insert_one, parameters
from kinerja_api.core.logging import request_id_var
from kinerja_api.core.schemas import UNSTORABLE_TEXT

REDACTED = "[redacted]"
_COLUMNS = (
    "region_id", "actor_type", "actor_id", "action", "entity_type", "entity_id", "changes",
    "request_id",
)  # fmt: skip
# The statement of every audited write, straight to the driver (core.driver).
_INSERT_ONE = insert_one("audit_events", _COLUMNS)
SECRET_FIELDS = frozenset({"password", "password_hash", "secret", "secret_hash", "client_secret"})


class Actor(Protocol):
    """Who acts, as the trail names them (an authenticated principal)."""

    @property
    def kind(self) -> str: ...

    @property
    def id(self) -> uuid.UUID: ...


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


def storable(value: Any) -> Any:
    """`value` with every string, at any depth, fit for a JSONB column. The trail records what
    was asked even when it is unstorable as given (a superadmin's request path with %00 in it,
    which the route then refuses): NUL and lone surrogates are kept as U+FFFD."""
    if isinstance(value, str):
        return UNSTORABLE_TEXT.sub("\ufffd", value)
    if isinstance(value, Mapping):
        return {storable(key): storable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [storable(item) for item in value]
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


@dataclass(frozen=True)
class Change:
    """One audit event: `before` given, only what changed is kept; else `after` whole."""

    action: str
    entity_type: str
    entity_id: object
    region_id: uuid.UUID | None
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None


def _row(actor: Actor | None, change: Change) -> dict[str, Any]:
    before, after = change.before, change.after
    changes = diff(before, after or {}) if before is not None else {"after": after or {}}
    return {
        "region_id": change.region_id,
        "actor_type": actor.kind if actor else "system",
        "actor_id": actor.id if actor else None,
        "action": change.action,
        "entity_type": change.entity_type,
        "entity_id": str(change.entity_id) if change.entity_id is not None else None,
        "changes": storable(changes),
        "request_id": request_id_var.get(),
    }


async def record(
    session: AsyncSession,
    actor: Actor | None,
    action: str,
    *,
    entity_type: str,
    entity_id: object,
    region_id: uuid.UUID | None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    await record_all(
        session, actor, [Change(action, entity_type, entity_id, region_id, before, after)]
    )


async def record_all(session: AsyncSession, actor: Actor | None, changes: Iterable[Change]) -> None:
    """The events of a bulk change (a lock, a session's attendance) in one statement rather
    than one round trip each."""
    rows = [parameters(_row(actor, change), _COLUMNS, json_column="changes") for change in changes]
    if not rows:
        return
    connection = await driver(session)
    if len(rows) == 1:
        await connection.execute(_INSERT_ONE, *rows[0])
    else:
        await connection.executemany(_INSERT_ONE, rows)


async def record_entity(
    session: AsyncSession,
    actor: Actor | None,
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
