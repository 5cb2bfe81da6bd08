import uuid
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from kinerja_api.auth.access import requires
from kinerja_api.auth.principal import Principal
from kinerja_api.core.csv_export import CSV_MEDIA_TYPE, csv_response
from kinerja_api.core.idempotency import IdempotencyKey, idempotent_create
from kinerja_api.core.pagination import Page, PageQuery
from kinerja_api.core.problems import problem_responses
from kinerja_api.core.routing import Router
from kinerja_api.core.schemas import query_parameters
from kinerja_api.core.uow import DbSession, database
from kinerja_api.exports import service
from kinerja_api.exports.runner import SCOPE
from kinerja_api.exports.schemas import ExportCreate, ExportFilters, ExportOut, ExportSort
from kinerja_api.models.org import Role

router = Router(prefix=service.COLLECTION, tags=["exports"])
# Every person of a region (what they may export is decided by the list they name), and
# service accounts holding `exports:read` beside the list's own read scope. Superadmins,
# who belong to no region, read lists across regions with `Accept: text/csv` instead.
Exporter = Annotated[
    Principal, requires(*(role for role in Role if role is not Role.SUPERADMIN), scopes=[SCOPE])
]


@router.post(
    "",
    status_code=202,
    response_model=ExportOut,
    name="create",
    summary="Ask for an export of a list as a CSV file",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_export(
    request: Request,
    body: ExportCreate,
    session: DbSession,
    principal: Exporter,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """For a large list: the list (`list`, with `filters` and `sort` as its query string takes
    them) is checked as its route would check it for the caller, then a worker writes its CSV
    (as `Accept: text/csv` on the list would answer it) with the rights the caller holds when
    it runs. Answered `202` with the export at `Location`; follow it until `status` is `ready`,
    then fetch `file_url`. Send an `Idempotency-Key`: a retry never asks twice."""

    async def run() -> tuple[ExportOut, dict[str, str]]:
        export = await service.request_export(session, principal, body)
        return service.export_out(export), {"Location": f"{router.prefix}/{export.id}"}

    return await idempotent_create(
        session,
        request,
        principal_key=principal.key,
        key=idempotency_key,
        payload=body,
        create=run,
        status_code=202,
    )


@router.get(
    "",
    name="list",
    summary="List the caller's exports",
    response_model=Page[ExportOut],
    responses=problem_responses(400, 401, 403, 422),
)
async def list_exports(
    session: DbSession,
    principal: Exporter,
    page: PageQuery,
    filters: Annotated[ExportFilters, query_parameters(ExportFilters)],
    sort: Annotated[ExportSort, Query()] = ExportSort.NEWEST,
) -> Page[ExportOut]:
    """The exports the caller asked for, the latest first. Nobody else's: a file holds what its
    asker may read."""
    items, cursor = await service.list_exports(
        session, principal, filters=filters, sort=sort, page=page
    )
    return Page(items=items, next_cursor=cursor)


@router.get(
    "/{export_id}",
    name="get",
    summary="Get an export",
    response_model=ExportOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_export(export_id: uuid.UUID, session: DbSession, principal: Exporter) -> ExportOut:
    """One of the caller's exports: its status, row count and, once ready, its file's URL."""
    return service.export_out(await service.get_export(session, principal, export_id))


@router.get(
    "/{export_id}/file",
    name="get-file",
    summary="Get an export's CSV file",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The CSV file, exactly as `Accept: text/csv` on the list answers.",
            "content": {CSV_MEDIA_TYPE: {"schema": {"type": "string"}}},
        },
        **problem_responses(401, 403, 404, 409, 422),
    },
)
async def get_export_file(
    request: Request, export_id: uuid.UUID, session: DbSession, principal: Exporter
) -> StreamingResponse:
    """The file of a `ready` export, streamed; `409 export-not-ready` while it is queued or
    running, and once it failed or expired (its `export_status` says which)."""
    export = await service.ready_export(session, principal, export_id)
    body = service.file_of(database(request), principal, export)
    return csv_response(body, export.file_name, size=export.byte_count)
