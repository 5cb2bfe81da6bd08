import uuid
from typing import Annotated

from fastapi import Path, Query, Request, Response
from fastapi.responses import JSONResponse

from kinerja_api.auth.access import public_route, requires
from kinerja_api.auth.principal import Principal
from kinerja_api.core.etag import IfMatch, created_headers, set_etag
from kinerja_api.core.idempotency import IdempotencyKey, idempotent_create
from kinerja_api.core.pagination import Page, PageQuery
from kinerja_api.core.problems import problem_responses
from kinerja_api.core.ratelimit import LIMITED_PER_ADDRESS
from kinerja_api.core.routing import Router
from kinerja_api.core.schemas import query_parameters
from kinerja_api.core.uow import DbSession
from kinerja_api.feedback.scope import STAFF_READERS
from kinerja_api.feedback.service_units import service
from kinerja_api.feedback.service_units.schemas import (
    PublicCode,
    PublicServiceUnitOut,
    ServiceUnitCreate,
    ServiceUnitFilters,
    ServiceUnitOut,
    ServiceUnitSort,
    ServiceUnitUpdate,
    StaffCreate,
    StaffOut,
)
from kinerja_api.models.org import Role

router = Router(prefix="/api/v1/service-units", tags=["service-units"])
public_router = Router(prefix="/api/v1/public/service-units", tags=["public"])
Reader = Annotated[Principal, requires(*STAFF_READERS)]
Writer = Annotated[Principal, requires(Role.REGION_ADMIN, Role.AGENCY_ADMIN)]


@router.get(
    "",
    name="list",
    summary="List service units",
    response_model=Page[ServiceUnitOut],
    responses=problem_responses(400, 401, 403, 422),
)
async def list_service_units(
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    filters: Annotated[ServiceUnitFilters, query_parameters(ServiceUnitFilters)],
    sort: Annotated[ServiceUnitSort, Query()] = ServiceUnitSort.NAME,
) -> Page[ServiceUnitOut]:
    """Service units (unit layanan) the caller oversees, by name unless `sort` says otherwise."""
    units, cursor = await service.list_units(
        session, principal, filters=filters, sort=sort, page=page
    )
    return Page(items=[ServiceUnitOut.model_validate(u) for u in units], next_cursor=cursor)


@router.post(
    "",
    status_code=201,
    response_model=ServiceUnitOut,
    name="create",
    summary="Create a service unit",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_service_unit(
    request: Request,
    body: ServiceUnitCreate,
    session: DbSession,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Open a service unit in an agency the caller manages; it gets a random public `code`
    for posters and QR codes."""

    async def run() -> tuple[ServiceUnitOut, dict[str, str]]:
        unit = await service.create_unit(session, principal, body)
        headers = created_headers(router.prefix, unit.id, unit.version)
        return ServiceUnitOut.model_validate(unit), headers

    return await idempotent_create(
        session, request, principal_key=principal.key, key=idempotency_key, payload=body, create=run
    )


@router.get(
    "/{unit_id}",
    name="get",
    summary="Get a service unit",
    description="One service unit the caller may see, with its public code.",
    response_model=ServiceUnitOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_service_unit(
    unit_id: uuid.UUID, session: DbSession, principal: Reader, response: Response
) -> ServiceUnitOut:
    unit = await service.get_unit(session, principal, unit_id)
    set_etag(response, unit.version)
    return ServiceUnitOut.model_validate(unit)


@router.patch(
    "/{unit_id}",
    name="update",
    summary="Update a service unit",
    response_model=ServiceUnitOut,
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def update_service_unit(
    unit_id: uuid.UUID,
    body: ServiceUnitUpdate,
    session: DbSession,
    principal: Writer,
    response: Response,
    if_match: IfMatch = None,
) -> ServiceUnitOut:
    """Rename, move to another agency, or deactivate (`active: false`) a unit. The code stays."""
    unit = await service.update_unit(session, principal, unit_id, body, if_match)
    set_etag(response, unit.version)
    return ServiceUnitOut.model_validate(unit)


@router.get(
    "/{unit_id}/staff",
    name="list-staff",
    summary="List a service unit's staff",
    response_model=Page[StaffOut],
    responses=problem_responses(400, 401, 403, 404, 422),
)
async def list_staff(
    unit_id: uuid.UUID, session: DbSession, principal: Reader, page: PageQuery
) -> Page[StaffOut]:
    """Employees serving at the unit with their public staff codes."""
    staff, cursor = await service.list_staff(session, principal, unit_id, page=page)
    return Page(items=[StaffOut.model_validate(s) for s in staff], next_cursor=cursor)


@router.post(
    "/{unit_id}/staff",
    status_code=201,
    name="add-staff",
    summary="Add staff to a service unit",
    response_model=StaffOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def add_staff(
    request: Request,
    unit_id: uuid.UUID,
    body: StaffCreate,
    session: DbSession,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Register an employee serving at the unit. Citizens see only the generated `code` and
    the `label`, never the employee's name or NIP."""

    async def run() -> tuple[StaffOut, dict[str, str]]:
        staff = await service.add_staff(session, principal, unit_id, body)
        headers = {"Location": f"{router.prefix}/{unit_id}/staff/{staff.id}"}
        return StaffOut.model_validate(staff), headers

    return await idempotent_create(
        session, request, principal_key=principal.key, key=idempotency_key, payload=body, create=run
    )


@router.delete(
    "/{unit_id}/staff/{staff_id}",
    status_code=204,
    name="remove-staff",
    summary="Remove staff from a service unit",
    response_class=Response,
    responses=problem_responses(401, 403, 404, 422),
)
async def remove_staff(
    unit_id: uuid.UUID, staff_id: uuid.UUID, session: DbSession, principal: Writer
) -> Response:
    """The employee no longer serves here: the code is withdrawn; past feedback keeps it."""
    await service.deactivate_staff(session, principal, unit_id, staff_id)
    return Response(status_code=204)


@public_router.get(
    "/{code}",
    name="service-unit",
    summary="Get a service unit's page (public)",
    response_model=PublicServiceUnitOut,
    dependencies=[LIMITED_PER_ADDRESS],
    responses=problem_responses(404, 422, 429),
)
@public_route
async def public_service_unit(
    code: Annotated[PublicCode, Path()], session: DbSession
) -> PublicServiceUnitOut:
    """The unit behind a poster's code, with the codes and labels of its staff, for the survey
    and complaint forms. No token needed."""
    return await service.public_unit(session, code)
