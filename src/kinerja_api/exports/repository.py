"""SQL of export jobs: the one statement of what a principal may read (their own exports, in
their region), the job's steps on its row, and the file's chunks."""

import json
import uuid
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, and_, bindparam, delete, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Interval, Uuid

from kinerja_api.auth.policies import in_region
from kinerja_api.auth.principal import Principal
from kinerja_api.models.exports import Export, ExportChunk, ExportStatus

_CHUNKS = cast(Table, ExportChunk.__table__)
_ADD_CHUNK = insert(_CHUNKS)
PURGE_BATCH = 100


def mine(principal: Principal) -> ColumnElement[bool]:
    """An export is read by the principal who asked for it alone: its file holds what they
    may read, which another reader's rights need not cover."""
    return and_(
        in_region(principal, Export.region_id),
        Export.requested_by_kind == principal.kind,
        Export.requested_by_id == principal.id,
    )


def readable(principal: Principal) -> Select[Export]:
    return select(Export).where(mine(principal))


async def find(session: AsyncSession, principal: Principal, export_id: uuid.UUID) -> Export | None:
    found: Export | None = await session.scalar(readable(principal).where(Export.id == export_id))
    return found


# The job takes the export (queued, or running when a worker died and the job is run again),
# and a run that starts over drops what an earlier one wrote.
_CLAIM = text(
    """
update exports
   set status = 'running', attempts = attempts + 1, started_at = now(), updated_at = now(),
       finished_at = null, row_count = null, byte_count = null, failure = null
 where id = :id and region_id = :region_id and status in ('queued', 'running')
returning id, region_id, requested_by_kind, requested_by_id, scopes, list_name, filters, sort,
          separator
"""
).bindparams(bindparam("id", type_=Uuid), bindparam("region_id", type_=Uuid))


async def claim(session: AsyncSession, export_id: uuid.UUID, region_id: uuid.UUID) -> Any:
    """The export's row as the job needs it, now `running` with no chunks; None when it is
    not waiting (already ready, failed or expired)."""
    row = (await session.execute(_CLAIM, {"id": export_id, "region_id": region_id})).first()
    if row is not None:
        await clear_chunks(session, export_id, region_id)
    return row


async def clear_chunks(session: AsyncSession, export_id: uuid.UUID, region_id: uuid.UUID) -> None:
    await session.execute(
        delete(ExportChunk).where(
            ExportChunk.region_id == region_id, ExportChunk.export_id == export_id
        )
    )


async def add_chunk(
    session: AsyncSession, export_id: uuid.UUID, region_id: uuid.UUID, seq: int, data: bytes
) -> None:
    await session.execute(
        _ADD_CHUNK, {"region_id": region_id, "export_id": export_id, "seq": seq, "data": data}
    )


_FINISH = text(
    """
update exports
   set status = 'ready', row_count = :rows, byte_count = :bytes, finished_at = now(),
       expires_at = now() + :retention, updated_at = now()
 where id = :id and region_id = :region_id and status = 'running'
"""
).bindparams(
    bindparam("id", type_=Uuid),
    bindparam("region_id", type_=Uuid),
    bindparam("retention", type_=Interval),
)


async def finish(
    session: AsyncSession,
    export_id: uuid.UUID,
    region_id: uuid.UUID,
    *,
    rows: int,
    size: int,
    retention: timedelta,
) -> None:
    await session.execute(
        _FINISH,
        {
            "id": export_id,
            "region_id": region_id,
            "rows": rows,
            "bytes": size,
            "retention": retention,
        },
    )


async def fail(
    session: AsyncSession, export_id: uuid.UUID, region_id: uuid.UUID, failure: dict[str, str]
) -> None:
    await clear_chunks(session, export_id, region_id)
    await session.execute(
        text(
            "update exports set status = 'failed', failure = cast(:failure as jsonb), "
            "finished_at = now(), updated_at = now() "
            "where id = :id and region_id = :region_id and status = 'running'"
        ).bindparams(bindparam("id", type_=Uuid), bindparam("region_id", type_=Uuid)),
        {"id": export_id, "region_id": region_id, "failure": json.dumps(failure)},
    )


def chunks_of(export: Export) -> Select[bytes]:
    return (
        select(ExportChunk.data)
        .where(ExportChunk.region_id == export.region_id, ExportChunk.export_id == export.id)
        .order_by(ExportChunk.seq)
    )


# Ready files past their time lose their chunks, a batch of exports at a time.
_EXPIRE = text(
    """
with due as (
    select id from exports
     where status = :ready and expires_at <= now()
     order by expires_at
     limit :batch
     for update skip locked
), expired as (
    update exports e set status = :expired, updated_at = now()
      from due where e.id = due.id
    returning e.id, e.region_id
), dropped as (
    delete from export_chunks c using expired
     where c.region_id = expired.region_id and c.export_id = expired.id
)
select count(*) from expired
"""
)


async def expire_batch(session: AsyncSession) -> int:
    """Expires up to `PURGE_BATCH` ready exports past `expires_at`; answers how many."""
    expired = await session.scalar(
        _EXPIRE,
        {"ready": ExportStatus.READY, "expired": ExportStatus.EXPIRED, "batch": PURGE_BATCH},
    )
    return int(expired or 0)
