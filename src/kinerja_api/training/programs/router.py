import uuid
from typing import Annotated

from fastapi import Query, Request, Response
from fastapi.responses import JSONResponse

from kinerja_api.auth.access import requires
from kinerja_api.auth.principal import Principal
from kinerja_api.core.etag import IfMatch, created_headers, set_etag
from kinerja_api.core.idempotency import IdempotencyKey, idempotent_create
from kinerja_api.core.pagination import Page, PageQuery
from kinerja_api.core.problems import problem_responses
from kinerja_api.core.routing import Router
from kinerja_api.core.schemas import query_parameters
from kinerja_api.core.uow import DbSession
from kinerja_api.models.org import Role
from kinerja_api.training.programs import service
from kinerja_api.training.programs.repository import READ_SCOPE
from kinerja_api.training.programs.schemas import (
    ProgramCreate,
    ProgramFilters,
    ProgramOut,
    ProgramSort,
    ProgramUpdate,
)

router = Router(prefix="/api/v1/training-programs", tags=["training-programs"])
Reader = Annotated[Principal, requires(any_role=True, scopes=[READ_SCOPE])]
Manager = Annotated[Principal, requires(Role.TRAINING_ADMIN, Role.REGION_ADMIN)]


@router.get(
    "",
    name="list",
    summary="List the training catalog",
    response_model=Page[ProgramOut],
    responses=problem_responses(400, 401, 403, 422),
)
async def list_programs(
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    filters: Annotated[ProgramFilters, query_parameters(ProgramFilters)],
    sort: Annotated[ProgramSort, Query()] = ProgramSort.NAME,
) -> Page[ProgramOut]:
    """The region's training programs, readable by everyone of the region."""
    programs, cursor = await service.list_programs(
        session, principal, filters=filters, sort=sort, page=page
    )
    return Page(items=programs, next_cursor=cursor)


@router.post(
    "",
    status_code=201,
    name="create",
    summary="Add a training program to the catalog",
    response_model=ProgramOut,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_program(
    request: Request,
    body: ProgramCreate,
    session: DbSession,
    principal: Manager,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """A program: its form, the competency it develops, the provider and the JP a completion
    credits. Training and region administrators only."""

    async def run() -> tuple[ProgramOut, dict[str, str]]:
        program = await service.create_program(session, principal, body)
        headers = created_headers(router.prefix, program.id, program.version)
        return service.program_out(program), headers

    return await idempotent_create(
        session, request, principal_key=principal.key, key=idempotency_key, payload=body, create=run
    )


@router.get(
    "/{program_id}",
    name="get",
    summary="Get a training program",
    response_model=ProgramOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_program(
    program_id: uuid.UUID, session: DbSession, principal: Reader, response: Response
) -> ProgramOut:
    """One program of the caller's region, with its `ETag`."""
    program = await service.get_program(session, principal, program_id)
    set_etag(response, program.version)
    return service.program_out(program)


@router.patch(
    "/{program_id}",
    name="update",
    summary="Change a training program",
    response_model=ProgramOut,
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def update_program(
    program_id: uuid.UUID,
    body: ProgramUpdate,
    session: DbSession,
    principal: Manager,
    response: Response,
    if_match: IfMatch = None,
) -> ProgramOut:
    """Change a program (`If-Match` required). A program made inactive keeps its sessions;
    no new session may be scheduled for it."""
    program = await service.update_program(session, principal, program_id, body, if_match)
    set_etag(response, program.version)
    return service.program_out(program)
