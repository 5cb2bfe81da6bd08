"""Asking for an export, reading it, and fetching its file. The job that writes the file is
`runner.py`."""

import uuid
from collections.abc import AsyncIterator
from dataclasses import asdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import not_found, region_of
from kinerja_api.auth.principal import Principal
from kinerja_api.auth.reading import reading_as
from kinerja_api.core import clock, exportable, jobs
from kinerja_api.core.audit import record_entity
from kinerja_api.core.csv_export import csv_filename
from kinerja_api.core.i18n import Msg, current_language
from kinerja_api.core.listing import ListOf, list_page
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.core.problems import (
    EXPORT_NOT_READY,
    FORBIDDEN,
    PROBLEM_BASE_URI,
    Problem,
    field_problem,
)
from kinerja_api.db import Database
from kinerja_api.exports import repository
from kinerja_api.exports.schemas import (
    ExportCreate,
    ExportFailure,
    ExportFilters,
    ExportOut,
    ExportSort,
)
from kinerja_api.exports.tasks import run_export
from kinerja_api.models.exports import Export, ExportStatus

ENTITY = "export"
AUDITED = ("list_name", "filters", "sort", "separator", "file_name")
COLLECTION = "/api/v1/exports"
_LIST = ListOf("exports", {ExportSort.NEWEST: Keyset((Export.created_at, Export.id), True)})
_UNKNOWN_LIST = Msg(
    "Daftar '{name}' tidak dapat diekspor; pilih salah satu dari: {names}.",
    "There is no exportable list '{name}'; choose one of: {names}.",
)
_LIST_REFUSED = Msg(
    "Peran atau cakupan Anda tidak mengizinkan membaca daftar ini.",
    "Your roles or scopes do not allow reading this list.",
)
_NOT_READY = Msg(
    "Berkas ekspor belum siap (status: {status}).",
    "The export's file is not ready (status: {status}).",
)
_GONE = Msg(
    "Berkas ekspor tidak tersedia (status: {status}); minta ekspor baru.",
    "The export's file is no longer available (status: {status}); ask for a new export.",
)


def listed_by_name(name: str) -> exportable.ExportableList[Any, Any]:
    listed = exportable.find(name)
    if listed is None:
        raise field_problem(
            "body.list", _UNKNOWN_LIST, name=name, names=", ".join(exportable.names())
        )
    return listed


async def request_export(session: AsyncSession, principal: Principal, body: ExportCreate) -> Export:
    """Checks the list as its route would for the caller (who may read it, its filters and
    sort, what the filters name), records the export and defers its job in this transaction."""
    listed = listed_by_name(body.list)
    if not listed.readers.allows(principal):
        raise Problem(FORBIDDEN, _LIST_REFUSED)
    filters = listed.parse_filters(body.filters, at="body.filters")
    sort = listed.parse_sort(body.sort, at="body.sort")
    await listed.query(session, principal, filters, sort)
    region_id = region_of(principal)
    export = Export(
        region_id=region_id,
        requested_by_kind=principal.kind,
        requested_by_id=principal.id,
        scopes=sorted(principal.scopes),
        list_name=listed.name,
        filters=listed.filters_given(filters),
        sort=sort.value,
        separator=body.separator.value,
        file_name=csv_filename(listed.name, await clock.region_today(session, region_id)),
    )
    session.add(export)
    await session.flush()
    await record_entity(session, principal, ENTITY, "requested", export, AUDITED)
    await jobs.defer_in(
        session,
        run_export,
        lock=f"export:{export.id}",
        export_id=str(export.id),
        region_id=str(region_id),
    )
    return export


async def get_export(session: AsyncSession, principal: Principal, export_id: uuid.UUID) -> Export:
    found = await repository.find(session, principal, export_id)
    if found is None:
        raise not_found("Export")
    return found


async def list_exports(
    session: AsyncSession,
    principal: Principal,
    *,
    filters: ExportFilters,
    sort: ExportSort,
    page: PageParams,
) -> tuple[list[ExportOut], str | None]:
    found, cursor = await list_page(
        session,
        repository.readable(principal),
        _LIST,
        sort,
        cursor_filters=asdict(filters),
        page=page,
        equal={Export.status: filters.status, Export.list_name: filters.list},
    )
    return [export_out(export) for export in found], cursor


async def ready_export(session: AsyncSession, principal: Principal, export_id: uuid.UUID) -> Export:
    """The export, when its file can be fetched; a 409 while it is not (yet, or any more)."""
    export = await get_export(session, principal, export_id)
    if export.status != ExportStatus.READY:
        waiting = export.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)
        raise Problem(
            EXPORT_NOT_READY,
            _NOT_READY if waiting else _GONE,
            params={"status": export.status},
            export_status=export.status,
        )
    return export


async def file_of(db: Database, principal: Principal, export: Export) -> AsyncIterator[bytes]:
    """The export's file, a chunk at a time, read as `principal` in a transaction of its own
    (the response streams after the request's unit of work has ended)."""
    async with reading_as(db, principal) as session:
        chunks = await session.stream_scalars(
            repository.chunks_of(export).execution_options(yield_per=1)
        )
        async for data in chunks:
            yield data


def export_out(export: Export) -> ExportOut:
    ready = export.status == ExportStatus.READY
    failure = export.failure
    return ExportOut(
        id=export.id,
        list=export.list_name,
        filters=export.filters,
        sort=export.sort,
        separator=export.separator,
        status=export.status,
        row_count=export.row_count,
        byte_count=export.byte_count,
        file_name=export.file_name,
        file_url=f"{COLLECTION}/{export.id}/file" if ready else None,
        failure=None
        if failure is None
        else ExportFailure(
            type=PROBLEM_BASE_URI + failure["type"],
            detail=failure["en" if current_language.get() == "en" else "id"],
        ),
        created_at=export.created_at,
        started_at=export.started_at,
        finished_at=export.finished_at,
        expires_at=export.expires_at,
    )
