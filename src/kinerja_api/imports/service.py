"""Receiving an import and answering about it. The upload is read as it arrives: its header
checked against the kind's columns before anything is stored, then its rows staged with COPY on
the raw connection (through a temporary table) in transactions of `UPLOAD_CHUNK_ROWS` rows
each (a long one would hold back every stream). Until the last row is in, the import is
`receiving`; a failed upload is deleted at once, one whose server died is purged by
`tasks.purge_abandoned`. The request's own unit of work then marks it `queued` and defers its
job, in one transaction."""

import uuid
from collections.abc import AsyncIterator
from dataclasses import asdict

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import not_found, region_of
from kinerja_api.auth.principal import Principal
from kinerja_api.auth.tenancy import enter_region
from kinerja_api.core.etag import created_headers
from kinerja_api.core.i18n import Msg
from kinerja_api.core.idempotency import idempotent_create
from kinerja_api.core.jobs import defer_in
from kinerja_api.core.listing import ListOf, list_page
from kinerja_api.core.pagination import Keyset, PageParams, fetch_entity_page, list_scope
from kinerja_api.core.problems import (
    IMPORT_COLUMNS,
    IMPORT_ENCODING,
    IMPORT_FILE_INVALID,
    INVALID_TRANSITION,
    Problem,
)
from kinerja_api.core.uow import database
from kinerja_api.db import Database, driver_connection
from kinerja_api.imports import processing, reading, repository
from kinerja_api.imports.kinds import KINDS
from kinerja_api.imports.reading import STAGED_COLUMNS, FileProblem, FileReason, Layout, Record
from kinerja_api.imports.schemas import (
    ImportErrorOut,
    ImportFilters,
    ImportOptions,
    ImportOut,
    ImportSort,
)
from kinerja_api.imports.tasks import run_import
from kinerja_api.imports.upload import Received, Upload, open_upload
from kinerja_api.models.imports import Import, ImportRowError, ImportStatus

UPLOAD_CHUNK_ROWS = 20_000
# PostgreSQL refuses COPY FROM into a table under row-level security: the rows are copied into
# a temporary table of the transaction, then inserted into `import_rows` in one statement,
# where the region's policy checks every one.
_UPLOAD_TABLE = text("create temporary table import_upload (like import_rows) on commit drop")
_FROM_UPLOAD = text("insert into import_rows select * from import_upload")
_DROP_UPLOAD = text("drop table import_upload")
COLLECTION = "/api/v1/imports"
_LIST = ListOf("imports", {ImportSort.CREATED_AT: Keyset((Import.created_at, Import.id), True)})
_ERRORS = Keyset((ImportRowError.row_number, ImportRowError.id))
_FILE_PROBLEMS = {
    FileReason.ENCODING: IMPORT_ENCODING,
    FileReason.COLUMNS: IMPORT_COLUMNS,
    FileReason.EMPTY: IMPORT_FILE_INVALID,
    FileReason.UNREADABLE: IMPORT_FILE_INVALID,
}
_NOT_CANCELLABLE = Msg(
    "Impor yang sudah selesai (atau masih diunggah) tidak dapat dibatalkan.",
    "An import that has ended (or is still being uploaded) cannot be cancelled.",
)


def _file_problem(problem: FileProblem) -> Problem:
    return Problem(
        _FILE_PROBLEMS[problem.reason],
        problem.message,
        params=problem.params,
        reason=problem.reason.value,
        **problem.details,
    )


async def _create(
    db: Database,
    principal: Principal,
    import_id: uuid.UUID,
    region_id: uuid.UUID,
    options: ImportOptions,
    upload: Upload,
) -> None:
    async with db.transaction() as session:
        await enter_region(session, region_id)
        await repository.insert_import(
            session,
            {
                "id": import_id,
                "region_id": region_id,
                "kind": options.kind.value,
                "format": upload.format.value,
                "mode": options.mode.value,
                "dry_run": options.dry_run,
                "filename": upload.filename,
                "created_by_kind": principal.kind,
                "created_by_id": principal.id,
            },
        )


async def _stage(
    db: Database, region_id: uuid.UUID, records: AsyncIterator[Record], first: Record
) -> int:
    """COPYs the records into `import_rows`, a transaction per `UPLOAD_CHUNK_ROWS`; answers
    how many."""
    staged = 0
    waiting: Record | None = first
    exhausted = False

    async def chunk() -> AsyncIterator[Record]:
        nonlocal waiting, staged, exhausted
        taken = 0
        if waiting is not None:
            record, waiting = waiting, None
            taken, staged = 1, staged + 1
            yield record
        while taken < UPLOAD_CHUNK_ROWS:
            try:
                record = await anext(records)
            except StopAsyncIteration:
                exhausted = True
                return
            taken, staged = taken + 1, staged + 1
            yield record

    while not exhausted:
        async with db.transaction() as session:
            await enter_region(session, region_id)
            await session.execute(_UPLOAD_TABLE)
            driver = await driver_connection(session)
            await driver.copy_records_to_table(
                "import_upload", records=chunk(), columns=STAGED_COLUMNS
            )
            await session.execute(_FROM_UPLOAD)
            await session.execute(_DROP_UPLOAD)
    return staged


async def _discard(db: Database, region_id: uuid.UUID, import_id: uuid.UUID) -> None:
    async with db.transaction() as session:
        await enter_region(session, region_id)
        await repository.delete_import(session, region_id, import_id)


async def create_import(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    options: ImportOptions,
    idempotency_key: str | None,
) -> JSONResponse:
    kind = KINDS[options.kind]
    region_id = region_of(principal)
    upload = await open_upload(request.headers.get("content-type"), request.stream())
    received = Received(upload.chunks)
    import_id = uuid.uuid4()
    layout = Layout(kind.column_names, kind.required, (region_id, import_id), ignored=kind.ignored)
    records = reading.records(received, upload.format, layout)
    try:
        first = await anext(records)
    except FileProblem as problem:
        raise _file_problem(problem) from problem
    db = database(request)
    await _create(db, principal, import_id, region_id, options, upload)
    queued = False
    try:
        total = await _stage(db, region_id, records, first)

        async def queue() -> tuple[ImportOut, dict[str, str]]:
            nonlocal queued
            found = await repository.find(session, principal, import_id, lock=True)
            if found is None:
                raise not_found("Import")
            found.status = ImportStatus.QUEUED
            found.rows_total = total
            found.size_bytes = received.size
            await session.flush()
            key = f"import|{import_id}"
            await defer_in(
                session,
                run_import,
                lock=key,
                queueing_lock=key,
                import_id=str(import_id),
                region_id=str(region_id),
            )
            queued = True
            return ImportOut.of(found), created_headers(COLLECTION, import_id, found.version)

        fingerprint = {
            **asdict(options),
            "format": upload.format,
            "sha256": received.digest.hexdigest(),
        }
        return await idempotent_create(
            session,
            request,
            principal_key=principal.key,
            key=idempotency_key,
            payload=fingerprint,
            create=queue,
            status_code=202,
        )
    except FileProblem as problem:
        raise _file_problem(problem) from problem
    finally:
        # Refused, failed, or answered by replaying an earlier upload under the same key.
        if not queued:
            await _discard(db, region_id, import_id)


async def get_import(session: AsyncSession, principal: Principal, import_id: uuid.UUID) -> Import:
    found = await repository.find(session, principal, import_id)
    if found is None:
        raise not_found("Import")
    return found


async def list_imports(
    session: AsyncSession,
    principal: Principal,
    *,
    filters: ImportFilters,
    sort: ImportSort,
    page: PageParams,
) -> tuple[list[Import], str | None]:
    return await list_page(
        session,
        repository.readable_imports(principal),
        _LIST,
        sort,
        cursor_filters=asdict(filters),
        page=page,
        equal={Import.status: filters.status, Import.kind: filters.kind},
    )


async def list_errors(
    session: AsyncSession, principal: Principal, import_id: uuid.UUID, page: PageParams
) -> tuple[list[ImportErrorOut], str | None]:
    found = await get_import(session, principal, import_id)
    errors, cursor = await fetch_entity_page(
        session,
        repository.errors_of(found.id, found.region_id),
        keyset=_ERRORS,
        params=page,
        scope=list_scope("import-errors", "row", {"import_id": import_id}),
    )
    return [ImportErrorOut.of(error) for error in errors], cursor


async def cancel_import(
    session: AsyncSession, principal: Principal, import_id: uuid.UUID
) -> Import:
    """Queued or running: cancelled now; a running job stops before its next batch (what a
    `per_row` import has written stays). Its staged rows go when the job sees it."""
    found = await repository.find(session, principal, import_id, manage=True, lock=True)
    if found is None:
        raise not_found("Import")
    if found.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        raise Problem(INVALID_TRANSITION, _NOT_CANCELLABLE)
    await processing.end(session, found, ImportStatus.CANCELLED, drop_staged=False)
    return found
