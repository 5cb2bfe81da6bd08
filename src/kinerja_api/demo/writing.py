"""What every domain's demo module writes with: the run's report, the seeded region it adds to,
and the one idempotent insert (rows whose natural keys are taken are skipped), audited as the
system."""

import functools
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.passwords import hash_secret
from kinerja_api.core.audit import record_entity
from kinerja_api.demo.data import RegionSpec
from kinerja_api.demo.people import RegionPlan


@dataclass
class SeedReport:
    """How many rows of each kind this run created (all zero when the demo data was complete)."""

    created: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.created.values())


@dataclass(frozen=True)
class DemoRegion:
    """A region as the organisation's demo wrote it, for the domains that build on it."""

    spec: RegionSpec
    plan: RegionPlan
    id: uuid.UUID
    # Agency code → (id, path); employee key → id.
    agencies: dict[str, tuple[uuid.UUID, str]]
    employees: dict[str, uuid.UUID]


@functools.cache
def demo_hash(secret: str) -> str:
    """Argon2 is slow by design: each published demo secret is hashed once per process, and
    only when a row needs it."""
    return hash_secret(secret)


async def create(
    session: AsyncSession,
    report: SeedReport,
    model: Any,
    entity_type: str,
    fields: Sequence[str],
    rows: Sequence[dict[str, Any]],
    event: str = "created",
) -> list[Any]:
    """Insert the rows whose unique keys are free, count and audit them; they come back."""
    if not rows:
        return []
    statement = insert(model).on_conflict_do_nothing().returning(model)
    created = list((await session.scalars(statement, list(rows))).all())
    report.created[entity_type] += len(created)
    for row in created:
        await record_entity(session, None, entity_type, event, row, fields)
    return created
