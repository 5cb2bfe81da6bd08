"""Domain events: written to the outbox in the transaction of the change they describe, so an
event exists exactly when its change does. Streams and webhook dispatchers read the outbox."""

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.audit.service import plain
from kinerja_api.models.events import OutboxEvent


async def publish(
    session: AsyncSession,
    event_type: str,
    *,
    region_id: uuid.UUID,
    entity_type: str,
    entity_id: uuid.UUID,
    payload: Mapping[str, Any],
    employee_id: uuid.UUID | None = None,
    agency_id: uuid.UUID | None = None,
    public: bool = False,
) -> int:
    """Adds `event_type` (e.g. `plan.approved`) to the outbox and returns its id. `employee_id`
    is the employee the event concerns and `agency_id` their agency: streams decide from these
    who may see it. `public` events may appear on the citizens' transparency stream."""
    result = await session.execute(
        insert(OutboxEvent)
        .values(
            region_id=region_id,
            type=event_type,
            entity_type=entity_type,
            entity_id=entity_id,
            employee_id=employee_id,
            agency_id=agency_id,
            public=public,
            payload={key: plain(value) for key, value in payload.items()},
        )
        .returning(OutboxEvent.id)
    )
    return int(result.scalar_one())
