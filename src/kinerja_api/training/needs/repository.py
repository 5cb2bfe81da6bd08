"""Whose recommendations a principal reads; the programs to suggest and their next open
sessions, two statements whatever the number of areas."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import agency_in_subtree, subordinates_of
from kinerja_api.auth.principal import Principal
from kinerja_api.models.org import Employee, Role
from kinerja_api.models.training import SessionStatus, TrainingProgram, TrainingSession

SESSIONS_SHOWN = 3


async def active_programs(
    session: AsyncSession, region_id: uuid.UUID, areas: Sequence[str]
) -> list[TrainingProgram]:
    found = await session.scalars(
        select(TrainingProgram)
        .where(
            TrainingProgram.region_id == region_id,
            TrainingProgram.active,
            TrainingProgram.competency_area.in_(list(areas)),
        )
        .order_by(TrainingProgram.name, TrainingProgram.id)
    )
    return list(found)


async def open_sessions(
    session: AsyncSession, region_id: uuid.UUID, program_ids: Sequence[uuid.UUID], now: datetime
) -> list[Any]:
    """Each program's next sessions whose enrollment is open now, earliest first."""
    if not program_ids:
        return []
    rank = (
        func.row_number()
        .over(
            partition_by=TrainingSession.program_id,
            order_by=(TrainingSession.starts_at, TrainingSession.id),
        )
        .label("rank")
    )
    ranked = (
        select(
            TrainingSession.id,
            TrainingSession.program_id,
            TrainingSession.starts_at,
            TrainingSession.ends_at,
            TrainingSession.place,
            TrainingSession.meeting_link,
            TrainingSession.capacity,
            TrainingSession.seats_taken,
            TrainingSession.enrollment_closes_at,
            rank,
        )
        .where(
            TrainingSession.region_id == region_id,
            TrainingSession.program_id.in_(list(program_ids)),
            TrainingSession.status == SessionStatus.SCHEDULED,
            TrainingSession.enrollment_opens_at <= now,
            TrainingSession.enrollment_closes_at > now,
        )
        .subquery()
    )
    rows = await session.execute(
        select(ranked)
        .where(ranked.c.rank <= SESSIONS_SHOWN)
        .order_by(ranked.c.program_id, ranked.c.starts_at, ranked.c.id)
    )
    return list(rows)


def readable(principal: Principal) -> ColumnElement[bool]:
    """Employees whose recommendations the principal reads: the region's training and region
    administrators (and superadmins) everyone's; agency administrators their subtree's; an
    employee their own and their reports' (transitively). Auditors and service accounts do not:
    the recommendations are drawn from evaluation results."""
    if principal.is_superadmin:
        return true()
    if principal.region_id is None or principal.kind != "user":
        return false()
    region = Employee.region_id == principal.region_id
    if principal.has_any(Role.TRAINING_ADMIN, Role.REGION_ADMIN):
        return region
    conditions: list[ColumnElement[bool]] = []
    if principal.has_any(Role.AGENCY_ADMIN):
        conditions.append(agency_in_subtree(principal, Employee.agency_id))
    if principal.employee_id is not None:
        conditions.append(Employee.id == principal.employee_id)
        conditions.append(Employee.id.in_(subordinates_of(principal.employee_id)))
    if not conditions:
        return false()
    return and_(region, or_(*conditions))
