"""Which programs a principal reads (every person and service account of the region: it is
the catalog) and manages (the region's training and region administrators)."""

import uuid
from typing import Any

from sqlalchemy import ColumnElement, Select, false, select
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import in_region
from kinerja_api.auth.principal import Principal
from kinerja_api.models.org import Role
from kinerja_api.models.training import TrainingProgram

READ_SCOPE = "training:read"
MANAGERS = (Role.TRAINING_ADMIN, Role.REGION_ADMIN)


def readable(principal: Principal) -> ColumnElement[bool]:
    if principal.kind == "service_account" and READ_SCOPE not in principal.scopes:
        return false()
    return in_region(principal, TrainingProgram.region_id)


def manageable(principal: Principal) -> ColumnElement[bool]:
    if principal.kind != "user" or principal.region_id is None:
        return false()
    if not principal.has_any(*MANAGERS):
        return false()
    return TrainingProgram.region_id == principal.region_id


def readable_programs(principal: Principal) -> Select[Any]:
    return select(TrainingProgram).where(readable(principal))


async def find(
    session: AsyncSession,
    principal: Principal,
    program_id: uuid.UUID,
    *,
    manage: bool = False,
    lock: bool = False,
) -> TrainingProgram | None:
    condition = manageable(principal) if manage else readable(principal)
    statement = select(TrainingProgram).where(TrainingProgram.id == program_id, condition)
    if lock:
        statement = statement.with_for_update()
    program: TrainingProgram | None = await session.scalar(statement)
    return program
