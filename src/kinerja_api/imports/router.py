import uuid
from typing import Annotated

from fastapi import Query, Request, Response
from fastapi.responses import JSONResponse

from kinerja_api.auth.access import requires
from kinerja_api.auth.principal import Principal
from kinerja_api.core.etag import set_etag
from kinerja_api.core.idempotency import IdempotencyKey
from kinerja_api.core.pagination import Page, PageQuery
from kinerja_api.core.problems import problem_responses
from kinerja_api.core.routing import Router
from kinerja_api.core.schemas import query_parameters
from kinerja_api.core.uow import DbSession
from kinerja_api.imports import service
from kinerja_api.imports.kinds import KINDS
from kinerja_api.imports.repository import WRITE_SCOPE
from kinerja_api.imports.schemas import (
    ImportErrorOut,
    ImportFilters,
    ImportOptions,
    ImportOut,
    ImportSort,
)
from kinerja_api.models.org import Role

router = Router(prefix=service.COLLECTION, tags=["imports"])
Reader = Annotated[
    Principal, requires(Role.SUPERADMIN, Role.REGION_ADMIN, Role.AUDITOR, scopes=[WRITE_SCOPE])
]
Importer = Annotated[Principal, requires(Role.REGION_ADMIN, scopes=[WRITE_SCOPE])]


def _columns() -> str:
    """Each kind's columns, required ones marked, each with what it holds."""
    return "\n".join(
        f"- `{kind.name}`:\n"
        + "\n".join(
            f"  - `{column.name}`{' (required)' if column.required else ''}: {column.description}"
            for column in kind.columns
        )
        for kind in KINDS.values()
    )


# Declared as files (`format: binary`): generated clients send them as bytes.
_FILE = {
    "type": "string",
    "format": "binary",
    "description": "The file: a header row, then one row per line.",
}
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "description": "The file, as the raw body or as the `file` part of a form.",
        "content": {
            "text/csv": {"schema": _FILE},
            "application/x-ndjson": {
                "schema": {
                    "type": "string",
                    "format": "binary",
                    "description": "One JSON object per line.",
                }
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "A `.csv`, `.ndjson` or `.jsonl` file.",
                        }
                    },
                }
            },
        },
    }
}


@router.post(
    "",
    status_code=202,
    name="create",
    summary="Import a file of agencies, employees, users, plans or progress reports",
    response_model=ImportOut,
    responses=problem_responses(401, 403, 409, 413, 415, 422),
    openapi_extra=UPLOAD_BODY,
    description=f"""Upload a CSV file (header row; `;` or `,` between cells; UTF-8, with or
without BOM) or NDJSON (one object per line), as the raw body or the `file` part of a
`multipart/form-data` form. The answer, 202, is the import (`Location`); a worker checks every
row and writes the good ones: follow it with `GET /imports/{{id}}` (or the `import.*` events on
`/progress/stream`) and read refused rows from `GET /imports/{{id}}/errors`.

Rows are matched by their natural key (agency `code`, employee `nip`, user `email`; a plan's
indicator by `nip`, `period`, `target_no` and `indicator_no`; a progress report by its
indicator and `reported_for`): a recorded row is updated, a new one created, and importing the
same file twice changes nothing the second time. An empty optional cell clears the value. A
file that cannot be read at all is answered at once: not UTF-8 (`import-encoding`), columns
unknown or missing (`import-columns`), no rows (`import-file-invalid`), larger than the upload
limit (413).

Columns by kind:

{_columns()}

`users` are granted only roles the importer may grant through the users API (never
`superadmin`; a service account grants none, so its rows are refused); new accounts have no
password until one is set. `agencies` are created and renamed, never moved
(`PATCH /agencies/{{id}}` moves a subtree). `plans` hold one row per indicator, its target's
cells repeated on each of the target's rows: plans are created as drafts, and a recorded plan
changes only while draft or returned in an open period (rows of submitted or approved plans
are refused); targets and indicators the file does not name, and cascade links, are left as
they are. `progress_reports` land on approved plans in open periods, dated in the period's
year and not after today; they are created pending, and a report already verified is never
changed.""",
)
async def create_import(
    request: Request,
    session: DbSession,
    principal: Importer,
    options: Annotated[ImportOptions, query_parameters(ImportOptions)],
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return await service.create_import(request, session, principal, options, idempotency_key)


@router.get(
    "",
    name="list",
    summary="List imports",
    response_model=Page[ImportOut],
    responses=problem_responses(400, 401, 403, 422),
)
async def list_imports(
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    filters: Annotated[ImportFilters, query_parameters(ImportFilters)],
    sort: Annotated[ImportSort, Query()] = ImportSort.CREATED_AT,
) -> Page[ImportOut]:
    """The region's imports, newest first (a service account: its own)."""
    found, cursor = await service.list_imports(
        session, principal, filters=filters, sort=sort, page=page
    )
    return Page(items=[ImportOut.of(item) for item in found], next_cursor=cursor)


@router.get(
    "/{import_id}",
    name="get",
    summary="Get an import: status, counts and progress",
    response_model=ImportOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_import(
    import_id: uuid.UUID, session: DbSession, principal: Reader, response: Response
) -> ImportOut:
    """Poll it while it is `queued` or `running`: `rows_done` and `progress` move batch by
    batch."""
    found = await service.get_import(session, principal, import_id)
    set_etag(response, found.version)
    return ImportOut.of(found)


@router.get(
    "/{import_id}/errors",
    name="errors",
    summary="List the refused rows of an import",
    response_model=Page[ImportErrorOut],
    responses=problem_responses(400, 401, 403, 404, 422),
)
async def list_errors(
    import_id: uuid.UUID, session: DbSession, principal: Reader, page: PageQuery
) -> Page[ImportErrorOut]:
    """Each problem of each refused row, by row: the row's number and line, the column, the
    problem and a message in the request's language. A row may have several."""
    found, cursor = await service.list_errors(session, principal, import_id, page)
    return Page(items=found, next_cursor=cursor)


@router.post(
    "/{import_id}/cancel",
    name="cancel",
    summary="Cancel an import",
    response_model=ImportOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def cancel_import(
    import_id: uuid.UUID, session: DbSession, principal: Importer, response: Response
) -> ImportOut:
    """A queued import does not start; a running one stops before its next batch. What a
    `per_row` import already wrote stays written (its counts say what); an
    `all_or_nothing` import writes nothing. An ended import answers 409."""
    found = await service.cancel_import(session, principal, import_id)
    set_etag(response, found.version)
    return ImportOut.of(found)
