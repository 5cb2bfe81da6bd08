"""The training catalog: programs managed by the region's training and region administrators
and read by everyone of the region."""

import uuid
from dataclasses import asdict

from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import not_found, region_of
from kinerja_api.auth.principal import Principal
from kinerja_api.core.audit import record_entity, snapshot
from kinerja_api.core.etag import check_if_match
from kinerja_api.core.listing import ListOf, list_page
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.models.training import TrainingProgram
from kinerja_api.training.programs import repository
from kinerja_api.training.programs.schemas import (
    ProgramCreate,
    ProgramFilters,
    ProgramOut,
    ProgramSort,
    ProgramUpdate,
)

ENTITY = "training_program"
AUDITED = ("name", "kind", "competency_area", "provider", "jp", "description", "active")
_LIST = ListOf(
    "training-programs",
    {
        ProgramSort.NAME: Keyset((TrainingProgram.name, TrainingProgram.id)),
        ProgramSort.UPDATED_AT: Keyset((TrainingProgram.updated_at, TrainingProgram.id)),
    },
)


def program_out(program: TrainingProgram) -> ProgramOut:
    return ProgramOut.model_validate(program)


async def list_programs(
    session: AsyncSession,
    principal: Principal,
    *,
    filters: ProgramFilters,
    sort: ProgramSort,
    page: PageParams,
) -> tuple[list[ProgramOut], str | None]:
    programs, cursor = await list_page(
        session,
        repository.readable_programs(principal),
        _LIST,
        sort,
        cursor_filters=asdict(filters),
        page=page,
        equal={
            TrainingProgram.kind: filters.kind,
            TrainingProgram.competency_area: filters.competency_area,
            TrainingProgram.active: filters.active,
        },
        updated_at=TrainingProgram.updated_at,
        updated_since=filters.updated_since,
    )
    return [program_out(p) for p in programs], cursor


async def get_program(
    session: AsyncSession, principal: Principal, program_id: uuid.UUID
) -> TrainingProgram:
    program = await repository.find(session, principal, program_id)
    if program is None:
        raise not_found("Training program")
    return program


async def create_program(
    session: AsyncSession, principal: Principal, data: ProgramCreate
) -> TrainingProgram:
    program = TrainingProgram(region_id=region_of(principal), **data.model_dump())
    session.add(program)
    await session.flush()
    await record_entity(session, principal, ENTITY, "created", program, AUDITED)
    return program


async def update_program(
    session: AsyncSession,
    principal: Principal,
    program_id: uuid.UUID,
    data: ProgramUpdate,
    if_match: str | None,
) -> TrainingProgram:
    program = await repository.find(session, principal, program_id, manage=True, lock=True)
    if program is None:
        raise not_found("Training program")
    check_if_match(if_match, program.version)
    before = snapshot(program, AUDITED)
    for name, value in data.changes().items():
        setattr(program, name, value)
    await session.flush()
    await record_entity(session, principal, ENTITY, "updated", program, AUDITED, before=before)
    return program
