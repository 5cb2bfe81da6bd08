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
from kinerja_api.evaluations.cycles import service
from kinerja_api.evaluations.cycles.repository import READ_SCOPE
from kinerja_api.evaluations.cycles.schemas import (
    AddEmployeeIn,
    AssignmentsAddedOut,
    CycleCreate,
    CycleFilters,
    CycleOut,
    CycleSort,
    CycleUpdate,
)
from kinerja_api.models.org import Role

router = Router(prefix="/api/v1/evaluation-cycles", tags=["evaluation-cycles"])
Reader = Annotated[
    Principal,
    requires(
        Role.SUPERADMIN,
        Role.REGION_ADMIN,
        Role.AGENCY_ADMIN,
        Role.AUDITOR,
        scopes=[READ_SCOPE],
    ),
]
Manager = Annotated[Principal, requires(Role.REGION_ADMIN, Role.AGENCY_ADMIN)]
TRANSITION_ERRORS = problem_responses(401, 403, 404, 409, 412, 422, 428)


@router.get(
    "",
    name="list",
    summary="List 360° evaluation cycles",
    response_model=Page[CycleOut],
    responses=problem_responses(400, 401, 403, 422),
)
async def list_cycles(
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    filters: Annotated[CycleFilters, query_parameters(CycleFilters)],
    sort: Annotated[CycleSort, Query()] = CycleSort.OPENS_ON,
) -> Page[CycleOut]:
    """The cycles the caller administers or audits: the region's, or an agency administrator's
    subtree's. The latest opening first unless `sort` says otherwise."""
    cycles, cursor = await service.list_cycles(
        session, principal, filters=filters, sort=sort, page=page
    )
    return Page(items=cycles, next_cursor=cursor)


@router.post(
    "",
    status_code=201,
    name="create",
    summary="Draft a 360° evaluation cycle",
    response_model=CycleOut,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_cycle(
    request: Request,
    body: CycleCreate,
    session: DbSession,
    principal: Manager,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Draft a cycle for the region or an agency subtree and a period (its year, or one
    quarter): which rater groups take part, how many peers, the anonymity threshold, and the
    days it opens and closes in the region's time zone. Nothing is assigned until the launch."""

    async def run() -> tuple[CycleOut, dict[str, str]]:
        cycle = await service.create_cycle(session, principal, body)
        headers = created_headers(router.prefix, cycle.id, cycle.version)
        return await service.view(session, cycle), headers

    return await idempotent_create(
        session, request, principal_key=principal.key, key=idempotency_key, payload=body, create=run
    )


@router.get(
    "/{cycle_id}",
    name="get",
    summary="Get a 360° evaluation cycle",
    response_model=CycleOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_cycle(
    cycle_id: uuid.UUID, session: DbSession, principal: Reader, response: Response
) -> CycleOut:
    """One cycle the caller administers or audits, with its `ETag`."""
    cycle = await service.get_cycle(session, principal, cycle_id)
    set_etag(response, cycle.version)
    return await service.view(session, cycle)


@router.patch(
    "/{cycle_id}",
    name="update",
    summary="Change a draft cycle",
    response_model=CycleOut,
    responses=TRANSITION_ERRORS,
)
async def update_cycle(
    cycle_id: uuid.UUID,
    body: CycleUpdate,
    session: DbSession,
    principal: Manager,
    response: Response,
    if_match: IfMatch = None,
) -> CycleOut:
    """Change a cycle while it is a draft; a launched or closed cycle answers 409."""
    cycle = await service.update_cycle(session, principal, cycle_id, body, if_match)
    set_etag(response, cycle.version)
    return await service.view(session, cycle)


@router.post(
    "/{cycle_id}/launch",
    name="launch",
    summary="Launch a cycle: create its assignments",
    response_model=CycleOut,
    responses=TRANSITION_ERRORS,
)
async def launch_cycle(
    cycle_id: uuid.UUID,
    session: DbSession,
    principal: Manager,
    response: Response,
    if_match: IfMatch = None,
) -> CycleOut:
    """Create every assignment in one transaction, from the supervisor chain as it stands:
    each employee rates themselves, their atasan langsung rates them, their direct
    subordinates and up to `peers_per_employee` peers (same agency, same supervisor) rate them.
    Each rater receives one `evaluation.assigned` event. Launching a launched cycle changes
    nothing and answers it as it is."""
    cycle = await service.launch(session, principal, cycle_id, if_match)
    set_etag(response, cycle.version)
    return await service.view(session, cycle)


@router.post(
    "/{cycle_id}/close",
    name="close",
    summary="Close a cycle",
    response_model=CycleOut,
    responses=TRANSITION_ERRORS,
)
async def close_cycle(
    cycle_id: uuid.UUID,
    session: DbSession,
    principal: Manager,
    response: Response,
    if_match: IfMatch = None,
) -> CycleOut:
    """Stop taking answers. Assignments still pending after the close date become overdue."""
    cycle = await service.close(session, principal, cycle_id, if_match)
    set_etag(response, cycle.version)
    return await service.view(session, cycle)


@router.post(
    "/{cycle_id}/assignments",
    name="add-employee",
    summary="Add an employee to a launched cycle",
    response_model=AssignmentsAddedOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def add_employee(
    cycle_id: uuid.UUID, body: AddEmployeeIn, session: DbSession, principal: Manager
) -> AssignmentsAddedOut:
    """Create the assignments of an employee who joined after the launch, as ratee and as
    rater, from the supervisor chain as it stands now. Adding them again creates nothing."""
    return await service.add_employee(session, principal, cycle_id, body)
