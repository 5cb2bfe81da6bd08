"""Recording what left a list, for clients that sync with `updated_since`: a tombstone per row
deleted, and per row hidden from its former readers, written in the removing transaction; and
rows that came into some readers' sight marked changed. Reading them, and purging those past
the retention window, is the `sync` domain's."""

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

from kinerja_api.models.feedback import Complaint, FeedbackResponse, ServiceUnit
from kinerja_api.models.org import Agency, Employee, User
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
    former_agency_path: ScalarSelect[str] | str | None = None,
    former_reader_id: uuid.UUID | None = None,
) -> None:
    """Hidden tombstones for the rows `ids` selects, readable by their former readers: the
    former supervisor's chain, the agency-bound staff of the agencies on the former agency's
    path, or the one employee who read them directly."""
    selected = ids.subquery()
    path = (
        literal(former_agency_path, Text)
        if former_agency_path is None or isinstance(former_agency_path, str)
        else former_agency_path
    )
    await session.execute(
        insert(Tombstone).from_select(
            [
                "region_id",
                "entity_type",
                "entity_id",
                "reason",
                "former_supervisor_id",
                "former_agency_path",
                "former_reader_id",
            ],
            select(
                literal(region_id),
                literal(entity_type.value),
                selected.c.id,
                literal(TombstoneReason.HIDDEN.value),
                literal(former_supervisor_id, Uuid),
                path,
                literal(former_reader_id, Uuid),
            ),
        )
    )


def _path_of(agency_id: uuid.UUID) -> ScalarSelect[str]:
    return select(Agency.path).where(Agency.id == agency_id).scalar_subquery()


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
    employee = select(Employee.id).where(
        Employee.region_id == region_id, Employee.id == employee_id
    )
    await _hide(
        session,
        region_id,
        SyncEntity.EMPLOYEE,
        employee,
        former_agency_path=_path_of(former_agency_id),
    )
    await _touch(session, ProgressReport, region_id, ProgressReport.employee_id == employee_id)


async def user_agency_changed(
    session: AsyncSession,
    *,
    region_id: uuid.UUID,
    user_id: uuid.UUID,
    former_agency_id: uuid.UUID | None,
) -> None:
    """The user account was placed in another agency (or none): it leaves the sight of the
    former agency subtree's administrators. The new one's read it by its own `updated_at`."""
    if former_agency_id is None:
        return
    user = select(User.id).where(User.region_id == region_id, User.id == user_id)
    await _hide(
        session, region_id, SyncEntity.USER, user, former_agency_path=_path_of(former_agency_id)
    )


async def service_unit_moved(
    session: AsyncSession,
    *,
    region_id: uuid.UUID,
    unit_id: uuid.UUID,
    former_agency_id: uuid.UUID,
) -> None:
    """The service unit now belongs to another agency: it leaves the sight of the former
    agency subtree's administrators and complaint officers (its staff, read through it, go with
    it). Its complaints and survey responses keep the agency they were filed under, so they
    stay where they are."""
    unit = select(ServiceUnit.id).where(
        ServiceUnit.region_id == region_id, ServiceUnit.id == unit_id
    )
    await _hide(
        session,
        region_id,
        SyncEntity.SERVICE_UNIT,
        unit,
        former_agency_path=_path_of(former_agency_id),
    )


async def complaint_reassigned(
    session: AsyncSession,
    *,
    region_id: uuid.UUID,
    complaint_id: uuid.UUID,
    former_agency_id: uuid.UUID | None,
    former_assignee_id: uuid.UUID | None,
) -> None:
    """The complaint went to another agency, another employee, or both (each given only when
    it changed): it leaves the sight of the former agency subtree's administrators and
    complaint officers, and of the employee it was assigned to. Its new readers read it by its
    own `updated_at`, which every action moves."""
    if former_agency_id is None and former_assignee_id is None:
        return
    complaint = select(Complaint.id).where(
        Complaint.region_id == region_id, Complaint.id == complaint_id
    )
    await _hide(
        session,
        region_id,
        SyncEntity.COMPLAINT,
        complaint,
        former_agency_path=None if former_agency_id is None else _path_of(former_agency_id),
        former_reader_id=former_assignee_id,
    )


async def approver_changed(
    session: AsyncSession,
    *,
    region_id: uuid.UUID,
    plan_id: uuid.UUID,
    former_approver_id: uuid.UUID,
) -> None:
    """A returned plan was submitted again to a new supervisor: the former approver, who read
    it as its approver, may no longer read it."""
    plan = select(Plan.id).where(Plan.region_id == region_id, Plan.id == plan_id)
    await _hide(session, region_id, SyncEntity.PLAN, plan, former_reader_id=former_approver_id)


def _ancestors(path: str) -> set[str]:
    """The ids above the agency whose path this is."""
    return set(path.strip("/").split("/")[:-1])


async def agency_moved(
    session: AsyncSession,
    *,
    region_id: uuid.UUID,
    old_path: str,
    new_path: str,
) -> None:
    """An agency was moved under another parent (its subtree with it; the paths already
    rewritten and flushed). Everything of the subtree (agencies, employees, plans, users,
    service units, complaints and survey responses) leaves the sight of the administrators
    (and, for feedback rows, the complaint officers) of the agencies it no longer lies under,
    and comes into the sight of those of the agencies it now lies under (touched, with the
    plans' targets and indicators and the employees' progress reports). A tombstone is read by
    the staff of any agency on `old_path` who can no longer read the row, so one path serves
    the whole subtree."""
    lost = _ancestors(old_path) - _ancestors(new_path)
    gained = _ancestors(new_path) - _ancestors(old_path)
    agencies = select(Agency.id).where(
        Agency.region_id == region_id, Agency.path.startswith(new_path, autoescape=True)
    )
    employees = select(Employee.id).where(
        Employee.region_id == region_id, Employee.agency_id.in_(agencies)
    )
    plans = select(Plan.id).where(Plan.region_id == region_id, Plan.agency_id.in_(agencies))
    rows: list[tuple[SyncEntity, Any]] = [
        (SyncEntity.AGENCY, Agency),
        (SyncEntity.EMPLOYEE, Employee),
        (SyncEntity.PLAN, Plan),
        (SyncEntity.USER, User),
        (SyncEntity.SERVICE_UNIT, ServiceUnit),
        (SyncEntity.COMPLAINT, Complaint),
        (SyncEntity.FEEDBACK, FeedbackResponse),
    ]
    if lost:
        for entity_type, model in rows:
            located = model.id if model is Agency else model.agency_id
            ids = select(model.id).where(model.region_id == region_id, located.in_(agencies))
            await _hide(session, region_id, entity_type, ids, former_agency_path=old_path)
    if gained:
        for _, model in rows[1:]:
            await _touch(session, model, region_id, model.agency_id.in_(agencies))
        await _touch(session, Target, region_id, Target.plan_id.in_(plans))
        await _touch(session, Indicator, region_id, Indicator.plan_id.in_(plans))
        await _touch(session, ProgressReport, region_id, ProgressReport.employee_id.in_(employees))
