"""Recording what left a list, for clients that sync with `updated_since`: a tombstone per row
deleted, and per row hidden from its former readers, written in the removing transaction.
Reading them is the `sync` domain's."""

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Select,
    Text,
    Uuid,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from kinerja_api.models.org import Agency, Employee
from kinerja_api.models.plans import Indicator, Plan, Target
from kinerja_api.models.progress import ProgressReport
from kinerja_api.models.sync import SyncEntity, Tombstone, TombstoneReason


async def record_deleted(
    session: AsyncSession,
    *,
    region_id: uuid.UUID,
    entity_type: SyncEntity,
    entity_ids: Iterable[uuid.UUID],
    plan_id: uuid.UUID | None = None,
) -> None:
    """Tombstones for rows deleted in this transaction; `plan_id` for rows below a plan, whose
    tombstones the plan's readers read."""
    rows = [
        {
            "region_id": region_id,
            "entity_type": entity_type.value,
            "entity_id": entity_id,
            "reason": TombstoneReason.DELETED.value,
            "plan_id": plan_id,
        }
        for entity_id in entity_ids
    ]
    if rows:
        await session.execute(insert(Tombstone), rows)


def _chain_below(region_id: uuid.UUID, employee_id: uuid.UUID) -> Select[tuple[uuid.UUID]]:
    """`employee_id` and everyone below them in the supervisor chain, transitively."""
    chain = (
        select(Employee.id)
        .where(Employee.region_id == region_id, Employee.id == employee_id)
        .cte("moved", recursive=True)
    )
    below = aliased(Employee)
    chain = chain.union(
        select(below.id).where(below.region_id == region_id, below.supervisor_id == chain.c.id)
    )
    return select(chain.c.id)


async def _hide(
    session: AsyncSession,
    region_id: uuid.UUID,
    entity_type: SyncEntity,
    ids: Select[Any],
    *,
    former_supervisor_id: uuid.UUID | None = None,
    former_agency_path: ScalarSelect[str] | None = None,
) -> None:
    """Hidden tombstones for the rows `ids` selects, readable by their former readers: the
    former supervisor's chain, or the administrators of the former agency's subtree."""
    selected = ids.subquery()
    await session.execute(
        insert(Tombstone).from_select(
            [
                "region_id",
                "entity_type",
                "entity_id",
                "reason",
                "former_supervisor_id",
                "former_agency_path",
            ],
            select(
                literal(region_id),
                literal(entity_type.value),
                selected.c.id,
                literal(TombstoneReason.HIDDEN.value),
                literal(former_supervisor_id, Uuid),
                former_agency_path if former_agency_path is not None else literal(None, Text),
            ),
        )
    )


async def _touch(
    session: AsyncSession, model: Any, region_id: uuid.UUID, condition: ColumnElement[bool]
) -> None:
    """Marks rows changed without a new version (their ETag stays): they came into some
    readers' sight, and those readers' next `updated_since` must bring them."""
    await session.execute(
        update(model)
        .where(model.region_id == region_id, condition)
        .values(updated_at=func.now())
        .execution_options(synchronize_session=False)
    )


async def supervisor_changed(
    session: AsyncSession,
    *,
    region_id: uuid.UUID,
    employee_id: uuid.UUID,
    former_supervisor_id: uuid.UUID | None,
) -> None:
    """The employee now reports to someone else: they, everyone below them and their plans
    leave the sight of the former supervisor's chain (hidden tombstones, which a reader of that
    chain gets only while the row stays out of their sight) and come into the new chain's
    (touched, with their plans' targets, indicators and progress reports)."""
    moved = _chain_below(region_id, employee_id)
    plans = select(Plan.id).where(Plan.region_id == region_id, Plan.employee_id.in_(moved))
    if former_supervisor_id is not None:
        for entity_type, ids in ((SyncEntity.EMPLOYEE, moved), (SyncEntity.PLAN, plans)):
            await _hide(
                session, region_id, entity_type, ids, former_supervisor_id=former_supervisor_id
            )
    await _touch(session, Employee, region_id, Employee.id.in_(moved))
    await _touch(session, Plan, region_id, Plan.id.in_(plans))
    await _touch(session, Target, region_id, Target.plan_id.in_(plans))
    await _touch(session, Indicator, region_id, Indicator.plan_id.in_(plans))
    await _touch(session, ProgressReport, region_id, ProgressReport.plan_id.in_(plans))


async def agency_changed(
    session: AsyncSession,
    *,
    region_id: uuid.UUID,
    employee_id: uuid.UUID,
    former_agency_id: uuid.UUID,
) -> None:
    """The employee moved to another agency: they leave the sight of the former agency
    subtree's administrators, with their progress reports, and come into the new one's. Their
    plans stay where they are: a plan keeps the agency it was made in."""
    former_path = select(Agency.path).where(Agency.id == former_agency_id).scalar_subquery()
    employee = select(Employee.id).where(
        Employee.region_id == region_id, Employee.id == employee_id
    )
    await _hide(session, region_id, SyncEntity.EMPLOYEE, employee, former_agency_path=former_path)
    await _touch(session, ProgressReport, region_id, ProgressReport.employee_id == employee_id)
