"""The export job: the list run again as the principal who asked (with the rights they hold
now), written as CSV into PostgreSQL a chunk at a time.

The list is read in a read-only transaction of its own, from a server-side cursor; each chunk
is written and committed in a short transaction of its own, so the job holds no write
transaction open while it reads (a long one would hold back every event stream). A job run
again (a worker died, the queue delivered twice) starts over from nothing."""

import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import BaseModel

from kinerja_api.auth.principal import Principal
from kinerja_api.auth.reading import reading_as
from kinerja_api.auth.service import principal_now
from kinerja_api.auth.tenancy import enter_region
from kinerja_api.config import Settings
from kinerja_api.core import exportable
from kinerja_api.core.csv_export import Separator, csv_lines
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import every_view
from kinerja_api.core.problems import FORBIDDEN, INTERNAL, NOT_FOUND, Problem
from kinerja_api.db import Database
from kinerja_api.exports import repository

logger = logging.getLogger("kinerja_api.exports")

SCOPE = "exports:read"
# The file is stored in pieces of about this size: one insert each.
CHUNK_BYTES = 1024 * 1024
_NO_LONGER_ALLOWED = Msg(
    "Akun yang meminta ekspor ini tidak aktif lagi atau tidak lagi boleh membaca daftarnya.",
    "The account that asked for this export is no longer active or may no longer read the list.",
)
_UNKNOWN_LIST = Msg("Daftar ini tidak dapat diekspor lagi.", "This list can no longer be exported.")
_FAILED = Msg(
    "Ekspor gagal karena kesalahan pada server; coba lagi.",
    "The export failed on an error of the server; try again.",
)


@dataclass(frozen=True)
class Asked:
    """The export as its job reads it (its row, claimed)."""

    id: uuid.UUID
    region_id: uuid.UUID
    requested_by_kind: str
    requested_by_id: uuid.UUID
    scopes: list[str]
    list_name: str
    filters: dict[str, Any]
    sort: str
    separator: str


async def run(db: Database, settings: Settings, export_id: uuid.UUID, region_id: uuid.UUID) -> None:
    """Writes the export's file and marks it ready, or failed with the reason; an export that
    is not waiting (ready, failed, expired) is left as it is."""
    async with db.transaction() as session:
        await enter_region(session, region_id)
        row = await repository.claim(session, export_id, region_id)
    if row is None:
        return
    asked = Asked(**row._asdict())
    try:
        rows, size = await _write(db, asked)
    except Problem as problem:
        await _fail(db, asked, problem.kind.slug, problem.detail or _FAILED, problem.params)
        return
    except Exception:
        logger.exception("export failed", extra={"export_id": str(asked.id)})
        await _fail(db, asked, INTERNAL.slug, _FAILED, {})
        raise
    async with db.transaction() as session:
        await enter_region(session, region_id)
        await repository.finish(
            session,
            asked.id,
            region_id,
            rows=rows,
            size=size,
            retention=timedelta(hours=settings.export_retention_hours),
        )
    logger.info("export ready", extra={"export_id": str(asked.id), "rows": rows, "bytes": size})


async def _principal(db: Database, asked: Asked) -> Principal:
    async with db.transaction() as session:
        await enter_region(session, asked.region_id)
        principal = await principal_now(
            session, asked.requested_by_kind, asked.requested_by_id, asked.scopes
        )
    if principal is None or (principal.kind == "service_account" and SCOPE not in principal.scopes):
        raise Problem(FORBIDDEN, _NO_LONGER_ALLOWED)
    return principal


async def _write(db: Database, asked: Asked) -> tuple[int, int]:
    listed = exportable.find(asked.list_name)
    if listed is None:
        raise Problem(NOT_FOUND, _UNKNOWN_LIST)
    principal = await _principal(db, asked)
    if not listed.readers.allows(principal):
        raise Problem(FORBIDDEN, _NO_LONGER_ALLOWED)
    filters = listed.parse_filters(asked.filters)
    sort = listed.parse_sort(asked.sort)
    file = _ChunkedFile(db, asked)
    async with reading_as(db, principal) as session:
        query = await listed.query(session, principal, filters, sort)
        items = _Counted(every_view(session, principal, query, listed.views))
        async for piece in csv_lines(listed.columns, items, Separator(asked.separator)):
            await file.write(piece)
    await file.close()
    return items.count, file.size


class _Counted:
    """The list's batches, passed on, with the items counted."""

    def __init__(self, batches: AsyncIterator[Sequence[BaseModel]]) -> None:
        self._batches = batches
        self.count = 0

    def __aiter__(self) -> AsyncIterator[Sequence[BaseModel]]:
        return self._each()

    async def _each(self) -> AsyncIterator[Sequence[BaseModel]]:
        async for batch in self._batches:
            self.count += len(batch)
            yield batch


class _ChunkedFile:
    """The export's file, written to `export_chunks` in pieces of `CHUNK_BYTES`."""

    def __init__(self, db: Database, asked: Asked) -> None:
        self._db = db
        self._asked = asked
        self._buffer = bytearray()
        self._seq = 0
        self.size = 0

    async def write(self, data: bytes) -> None:
        self._buffer += data
        self.size += len(data)
        if len(self._buffer) >= CHUNK_BYTES:
            await self._flush()

    async def close(self) -> None:
        if self._buffer:
            await self._flush()

    async def _flush(self) -> None:
        async with self._db.transaction() as session:
            await enter_region(session, self._asked.region_id)
            await repository.add_chunk(
                session, self._asked.id, self._asked.region_id, self._seq, bytes(self._buffer)
            )
        self._seq += 1
        self._buffer.clear()


async def _fail(
    db: Database, asked: Asked, kind: str, message: Msg, params: dict[str, object]
) -> None:
    failure = {
        "type": kind,
        "id": message.render("id", **params),
        "en": message.render("en", **params),
    }
    async with db.transaction() as session:
        await enter_region(session, asked.region_id)
        await repository.fail(session, asked.id, asked.region_id, failure)
