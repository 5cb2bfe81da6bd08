"""Which sessions a principal reads (everyone of the region, like the catalog) and manages
(the region's training and region administrators); the session row's lock, which every change
of its seats and waitlist takes first."""

import uuid
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, false, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import in_region
from kinerja_api.auth.principal import Principal
from kinerja_api.models.org import Agency, Employee
from kinerja_api.models.training import TrainingProgram, TrainingSession
from kinerja_api.training.programs.repository import MANAGERS, READ_SCOPE

SESSIONS = cast(Table, TrainingSession.__table__)


def readable(principal: Principal) -> ColumnElement[bool]:
    if principal.kind == "service_account" and READ_SCOPE not in principal.scopes:
        return false()
    return in_region(principal, TrainingSession.region_id)


def manageable(principal: Principal) -> ColumnElement[bool]:
    if principal.kind != "user" or principal.region_id is None:
        return false()
    if not principal.has_any(*MANAGERS):
        return false()
    return TrainingSession.region_id == principal.region_id


def readable_sessions(principal: Principal) -> Select[Any]:
    return select(TrainingSession).where(readable(principal))


async def find(
    session: AsyncSession,
    principal: Principal,
    session_id: uuid.UUID,
    *,
    manage: bool = False,
    lock: bool = False,
) -> TrainingSession | None:
    condition = manageable(principal) if manage else readable(principal)
    statement = select(TrainingSession).where(TrainingSession.id == session_id, condition)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    found: TrainingSession | None = await session.scalar(statement)
    return found


async def program_for_session(
    session: AsyncSession, region_id: uuid.UUID, program_id: uuid.UUID
) -> TrainingProgram | None:
    program: TrainingProgram | None = await session.scalar(
        select(TrainingProgram).where(
            TrainingProgram.id == program_id, TrainingProgram.region_id == region_id
        )
    )
    return program


async def unknown_agencies(
    session: AsyncSession, region_id: uuid.UUID, agency_ids: list[uuid.UUID]
) -> set[uuid.UUID]:
    if not agency_ids:
        return set()
    found = await session.scalars(
        select(Agency.id).where(Agency.id.in_(agency_ids), Agency.region_id == region_id)
    )
    return set(agency_ids) - set(found)


async def is_active_employee(
    session: AsyncSession, region_id: uuid.UUID, employee_id: uuid.UUID
) -> bool:
    found = await session.scalar(
        select(Employee.id).where(
            Employee.id == employee_id, Employee.region_id == region_id, Employee.active
        )
    )
    return found is not None


async def set_counters(session: AsyncSession, session_id: uuid.UUID, **values: Any) -> None:
    """Changes the seats and waitlist counters (under the row's lock), leaving the session's
    version and `updated_at` alone: an enrollment does not change the session."""
    # Naming updated_at keeps it: the column's onupdate would otherwise move it.
    await session.execute(
        update(SESSIONS)
        .where(SESSIONS.c.id == session_id)
        .values(**values, updated_at=SESSIONS.c.updated_at)
    )
