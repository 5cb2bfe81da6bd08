import uuid
from typing import Annotated

from fastapi import Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from kinerja_api.auth.access import requires, rule_of
from kinerja_api.auth.principal import Principal
from kinerja_api.auth.reading import csv_list
from kinerja_api.core.csv_export import CsvWanted, csv_content
from kinerja_api.core.etag import IfMatch, created_headers, set_etag
from kinerja_api.core.exportable import ExportableList, exportable
from kinerja_api.core.idempotency import IdempotencyKey, idempotent_create
from kinerja_api.core.pagination import Page, PageQuery
from kinerja_api.core.problems import problem_responses
from kinerja_api.core.routing import Router
from kinerja_api.core.schemas import query_parameters
from kinerja_api.core.uow import DbSession
from kinerja_api.models.org import Role
from kinerja_api.org.employees import service
from kinerja_api.org.employees.schemas import (
    EMPLOYEE_COLUMNS,
    MAX_SUBORDINATE_DEPTH,
    EmployeeCreate,
    EmployeeFilters,
    EmployeeOut,
    EmployeeSort,
    EmployeeUpdate,
    SubordinateOut,
)

router = Router(prefix="/api/v1/employees", tags=["employees"])
READ = requires(any_role=True, scopes=["org:read"])
Reader = Annotated[Principal, READ]
Writer = Annotated[Principal, requires(Role.REGION_ADMIN, Role.AGENCY_ADMIN, scopes=["org:write"])]

EMPLOYEES = exportable(
    ExportableList(
        name="employees",
        columns=EMPLOYEE_COLUMNS,
        filters=EmployeeFilters,
        sorts=EmployeeSort,
        default_sort=EmployeeSort.NAME,
        readers=rule_of(READ),
        query=service.employees_query,
        views=service.employee_views,
    )
)


@router.get(
    "",
    name="list",
    summary="List employees",
    response_model=Page[EmployeeOut],
    responses={**problem_responses(400, 401, 403, 422), **csv_content("Every employee listed.")},
)
async def list_employees(
    request: Request,
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    filters: Annotated[EmployeeFilters, query_parameters(EmployeeFilters)],
    csv: CsvWanted,
    sort: Annotated[EmployeeSort, Query()] = EmployeeSort.NAME,
) -> Page[EmployeeOut] | StreamingResponse:
    """Employees the caller may see: region administrators and auditors their whole region,
    agency administrators their subtree, everyone else themselves and their reports."""
    if csv is not None:
        return await csv_list(request, session, principal, EMPLOYEES, filters, sort, csv)
    employees, cursor = await service.list_employees(
        session, principal, filters=filters, sort=sort, page=page
    )
    return Page(items=employees, next_cursor=cursor)


@router.post(
    "",
    status_code=201,
    response_model=EmployeeOut,
    name="create",
    summary="Create an employee",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_employee(
    request: Request,
    body: EmployeeCreate,
    session: DbSession,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Register an employee in an agency the caller manages. A NIP is registered once."""

    async def run() -> tuple[EmployeeOut, dict[str, str]]:
        employee = await service.create_employee(session, principal, body)
        headers = created_headers(router.prefix, employee.id, employee.version)
        return EmployeeOut.model_validate(employee), headers

    return await idempotent_create(
        session, request, principal_key=principal.key, key=idempotency_key, payload=body, create=run
    )


@router.get(
    "/{employee_id}",
    name="get",
    summary="Get an employee",
    description="One employee the caller may see.",
    response_model=EmployeeOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_employee(
    employee_id: uuid.UUID, session: DbSession, principal: Reader, response: Response
) -> EmployeeOut:
    employee = await service.get_employee(session, principal, employee_id)
    set_etag(response, employee.version)
    return EmployeeOut.model_validate(employee)


@router.patch(
    "/{employee_id}",
    response_model=EmployeeOut,
    name="update",
    summary="Update an employee",
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def update_employee(
    employee_id: uuid.UUID,
    body: EmployeeUpdate,
    session: DbSession,
    principal: Writer,
    response: Response,
    if_match: IfMatch = None,
) -> EmployeeOut:
    """Change an employee; `active: false` deactivates them. `nip` and `employment_type`
    cannot be changed."""
    employee = await service.update_employee(session, principal, employee_id, body, if_match)
    set_etag(response, employee.version)
    return EmployeeOut.model_validate(employee)


@router.get(
    "/{employee_id}/subordinates",
    name="subordinates",
    summary="List an employee's subordinates",
    response_model=Page[SubordinateOut],
    responses=problem_responses(400, 401, 403, 404, 422),
)
async def list_subordinates(
    employee_id: uuid.UUID,
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    depth: Annotated[
        int,
        Query(
            ge=1,
            le=MAX_SUBORDINATE_DEPTH,
            description="How many levels down the supervisor chain: 1 lists direct reports "
            f"only, {MAX_SUBORDINATE_DEPTH} is the maximum.",
        ),
    ] = 1,
) -> Page[SubordinateOut]:
    """The employee's reports, nearest level first, each with its `depth` below the
    employee. Anyone who can see the employee may ask, so supervisors can list their team."""
    rows, cursor = await service.list_subordinates(
        session, principal, employee_id, depth=depth, page=page
    )
    items = [
        SubordinateOut.model_validate({**EmployeeOut.model_validate(e).model_dump(), "depth": d})
        for e, d in rows
    ]
    return Page(items=items, next_cursor=cursor)
