"""The import job: check every staged row (one transaction), then write the valid ones batch by
batch, then link what refers to later rows and finish. Every step is safe to run again from
wherever a killed worker left it:

- The checks commit with `validated_at` in one transaction: all of them or none.
- `per_row` (and every dry run): each batch is one transaction that locks the import's row,
  takes the next `import_batch_rows` rows after `rows_done`, writes them and moves
  `rows_done` and the counts; a batch is written once and only once, and a worker that
  resumes (or runs beside another) continues after the last committed one.
- `all_or_nothing`: every batch in one transaction, committed with the import's end; a kill
  rolls it all back and the next run starts over. Progress (`rows_done`) is told from short
  transactions of its own, while the counts appear only with the commit.

Cancelling (`service.cancel_import`) marks the import cancelled; the job stops before its
next batch. Batches of a `per_row` import already committed stay written.
"""

import asyncio
import logging
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.passwords import hash_secret
from kinerja_api.auth.principal import GRANTABLE_ROLES
from kinerja_api.auth.tenancy import enter_all_regions, enter_region
from kinerja_api.config import Settings
from kinerja_api.core.audit import plain, record
from kinerja_api.core.clock import region_today, utc_now
from kinerja_api.core.events import publish
from kinerja_api.db import Database
from kinerja_api.imports import repository, validation
from kinerja_api.imports.events import ImportFinishedEventData, ImportProgressEventData
from kinerja_api.imports.kind import Context, Kind, Written
from kinerja_api.imports.kinds import KINDS
from kinerja_api.imports.statements import statement
from kinerja_api.models.imports import (
    FINISHED,
    Import,
    ImportFailure,
    ImportKind,
    ImportMode,
    ImportStatus,
)
from kinerja_api.models.org import Role, User

logger = logging.getLogger("kinerja_api.imports")
_IMPORT_LOCK = text("select pg_advisory_xact_lock(hashtextextended(:key, 0))")
# Fresh statistics of the staged rows, the errors and the kind's table (migration 0018_imports).
_ANALYZE = text("select kinerja_analyze_import(:target)")
# The set-based statements are prepared once per connection and run for batch after batch; a
# generic plan (chosen after five runs) ignores which rows the parameters select and, once the
# statistics move, can turn a 30 ms batch into a second. Each run is planned for its values.
_CUSTOM_PLANS = text("set local plan_cache_mode = force_custom_plan")


async def _working(session: AsyncSession, region_id: uuid.UUID) -> None:
    """A transaction that runs the kind's statements: the region's, planned run by run."""
    await enter_region(session, region_id)
    await session.execute(_CUSTOM_PLANS)


_FINISHED_EVENTS = {
    ImportStatus.SUCCEEDED: "import.completed",
    ImportStatus.FAILED: "import.failed",
    ImportStatus.CANCELLED: "import.cancelled",
}


@dataclass(frozen=True)
class Importer:
    """Who uploaded the file, as the audit trail names them."""

    kind: str
    id: uuid.UUID


class _Stopped(Exception):  # noqa: N818 - control flow: the import is no longer running
    pass


def _state(found: Import) -> dict[str, Any]:
    return {
        "import_id": found.id,
        "kind": found.kind,
        "mode": found.mode,
        "dry_run": found.dry_run,
        "status": found.status,
        "created_by_kind": found.created_by_kind,
        "created_by_id": found.created_by_id,
        "rows_total": found.rows_total,
        "rows_done": found.rows_done,
        "created": found.created,
        "updated": found.updated,
        "unchanged": found.unchanged,
        "failed": found.failed,
    }


async def _publish_progress(session: AsyncSession, found: Import) -> None:
    await publish(
        session,
        "import.progress",
        region_id=found.region_id,
        entity_type="import",
        entity_id=found.id,
        payload=ImportProgressEventData(**_state(found)),
    )


async def end(
    session: AsyncSession,
    found: Import,
    status: ImportStatus,
    failure: ImportFailure | None = None,
    *,
    drop_staged: bool = True,
) -> None:
    """Marks the import ended, in the caller's transaction: one audit event and one outbox
    event with its counts (never one per row), and its staged rows deleted (unless the job,
    still to see the end, deletes them)."""
    found.status = status
    found.failure = failure
    found.finished_at = utc_now()
    await session.flush()
    state = _state(found)
    await record(
        session,
        Importer(found.created_by_kind, found.created_by_id),
        _FINISHED_EVENTS[status],
        entity_type="import",
        entity_id=found.id,
        region_id=found.region_id,
        after={key: plain(value) for key, value in {**state, "failure": failure}.items()},
    )
    await publish(
        session,
        _FINISHED_EVENTS[status],
        region_id=found.region_id,
        entity_type="import",
        entity_id=found.id,
        payload=ImportFinishedEventData(**state, failure=failure),
    )
    if drop_staged:
        await repository.delete_staged(session, found.region_id, found.id)


# --- The statements' parameters ------------------------------------------------------------


async def _grantable(session: AsyncSession, found: Import) -> list[str]:
    """The roles the importer may grant now (a service account: none)."""
    if found.created_by_kind != "user":
        return []
    roles = await session.scalar(select(User.roles).where(User.id == found.created_by_id))
    grantable: set[str] = set()
    for role in roles or ():
        grantable |= {str(granted) for granted in GRANTABLE_ROLES.get(Role(role), frozenset())}
    return sorted(grantable)


async def _values(db: Database, kind: Kind, found: Import) -> dict[str, Any]:
    async with db.transaction() as session:
        await enter_region(session, found.region_id)
        today = await region_today(session, found.region_id)
        grantable = await _grantable(session, found)
    values: dict[str, Any] = {
        "region_id": found.region_id,
        "import_id": found.id,
        "first": 1,
        "last": found.rows_total,
        "write": not found.dry_run,
        "today": today,
        "now": utc_now(),
        "principal_id": found.created_by_id,
        "grantable": grantable,
    }
    if "password_hash" in statement(kind, kind.upsert).names:
        # New accounts get the hash of a secret nobody keeps: no one signs in with them until
        # an administrator sets a password. One hash for the whole import, not one per row.
        values["password_hash"] = await asyncio.to_thread(hash_secret, secrets.token_urlsafe(32))
    return values


# --- The steps ------------------------------------------------------------------------------


async def _start(db: Database, import_id: uuid.UUID, region_id: uuid.UUID) -> Import | None:
    """The import, running, or None when there is nothing (more) to do."""
    async with db.transaction() as session:
        await enter_region(session, region_id)
        found = await repository.locked(session, import_id)
        if found is None or found.status == ImportStatus.RECEIVING:
            return None
        if found.status in FINISHED:
            # Cancelled while queued, or ended by a run that died before cleaning up.
            await repository.delete_staged(session, region_id, import_id)
            return None
        if found.rows_done < found.rows_total and not await repository.has_staged_rows(
            session, region_id, import_id
        ):
            # The staging table is unlogged: a crash of the database server empties it.
            logger.error("staged rows lost", extra={"import_id": str(import_id)})
            await end(session, found, ImportStatus.FAILED, ImportFailure.ERROR)
            return None
        if found.status == ImportStatus.QUEUED:
            found.status = ImportStatus.RUNNING
            found.started_at = utc_now()
        return found


async def _analyze(db: Database, kind: Kind) -> None:
    """In a transaction of its own: ANALYZE locks its tables against another ANALYZE until the
    transaction ends, and imports run side by side."""
    async with db.transaction() as session:
        await session.execute(_ANALYZE, {"target": kind.name.value})


async def _validate(db: Database, kind: Kind, found: Import, values: dict[str, Any]) -> bool:
    """Records the rows' problems; False when the import ended (an `all_or_nothing` import
    with failed rows) or is no longer running."""
    async with db.transaction() as session:
        # Keys unique across regions (NIPs, e-mail addresses) are looked up in every region:
        # only which of the file's own values another region holds is read, nothing else.
        await enter_all_regions(session)
        taken = await validation.taken_elsewhere(session, kind, values)
    async with db.transaction() as session:
        await _working(session, found.region_id)
        locked = await repository.locked(session, found.id)
        if locked is None or locked.status != ImportStatus.RUNNING:
            return False
        if locked.validated_at is not None:
            return True
        locked.failed = await validation.validate(session, kind, values, taken)
        locked.validated_at = utc_now()
        if locked.failed and locked.mode == ImportMode.ALL_OR_NOTHING:
            await end(session, locked, ImportStatus.FAILED, ImportFailure.ROW_ERRORS)
            return False
        return True


async def _write(
    session: AsyncSession, kind: Kind, values: dict[str, Any], context: Context
) -> Written:
    write = bool(values["write"])
    if write and kind.lock:
        lock = statement(kind, kind.lock)
        await session.execute(lock.clause, lock.parameters(values))
    if kind.draw is not None:
        values = {**values, **kind.draw(int(values["last"]) - int(values["first"]) + 1)}
    upsert = statement(kind, kind.upsert)
    row = (await session.execute(upsert.clause, upsert.parameters(values))).mappings().one()
    if write:
        await kind.after_write(session, context, row)
    return Written(int(row["created"]), int(row["updated"]), int(row["unchanged"]))


async def _finish(
    session: AsyncSession, kind: Kind, values: dict[str, Any], context: Context
) -> None:
    """Links rows to rows of later batches (supervisors, parents), over the whole file."""
    if kind.finish is None:
        return
    if kind.lock:
        lock = statement(kind, kind.lock)
        await session.execute(lock.clause, lock.parameters(values))
    finish = statement(kind, kind.finish)
    whole = {**values, "first": 1}
    row = (await session.execute(finish.clause, finish.parameters(whole))).mappings().one()
    await kind.after_finish(session, context, row)


async def _in_batches(
    db: Database, settings: Settings, kind: Kind, found: Import, values: dict[str, Any]
) -> None:
    """`per_row` imports and dry runs: a transaction per batch, resumable after any of them."""
    context = Context(found.region_id, found.id, settings)
    while True:
        async with db.transaction() as session:
            await _working(session, found.region_id)
            locked = await repository.locked(session, found.id)
            if locked is None or locked.status != ImportStatus.RUNNING:
                if locked is not None and locked.status in FINISHED:
                    await repository.delete_staged(session, found.region_id, found.id)
                return
            if locked.rows_done >= locked.rows_total:
                if values["write"]:
                    await _finish(session, kind, values, context)
                await end(session, locked, ImportStatus.SUCCEEDED)
                return
            first = locked.rows_done + 1
            last = min(locked.rows_done + settings.import_batch_rows, locked.rows_total)
            written = await _write(session, kind, {**values, "first": first, "last": last}, context)
            locked.rows_done = last
            locked.created += written.created
            locked.updated += written.updated
            locked.unchanged += written.unchanged
            await session.flush()
            await _publish_progress(session, locked)
        if last == found.rows_total and values["write"] and kind.finish is not None:
            # `finish` reads the whole file's rows as written: planned from the statistics
            # taken before the first batch, a region the import just filled counts one row and
            # its joins become nested loops over the region.
            await _analyze(db, kind)


async def _tell_progress(db: Database, found: Import, rows_done: int) -> bool:
    """Moves `rows_done` in a transaction of its own (the writing one commits only at the
    end); False when the import was cancelled meanwhile."""
    async with db.transaction() as session:
        await enter_region(session, found.region_id)
        locked = await repository.locked(session, found.id)
        if locked is None or locked.status != ImportStatus.RUNNING:
            return False
        locked.rows_done = rows_done
        await session.flush()
        await _publish_progress(session, locked)
        return True


async def _at_once(
    db: Database, settings: Settings, kind: Kind, found: Import, values: dict[str, Any]
) -> None:
    """`all_or_nothing` imports: every batch in one transaction, committed with the end."""
    context = Context(found.region_id, found.id, settings)
    if not await _tell_progress(db, found, 0):
        return
    try:
        async with db.transaction() as session:
            await _working(session, found.region_id)
            # Two workers never write one import at once (the import's row stays unlocked,
            # so that progress can be told and the import cancelled meanwhile).
            await session.execute(_IMPORT_LOCK, {"key": f"import|{found.id}"})
            totals = Written()
            for first in range(1, found.rows_total + 1, settings.import_batch_rows):
                last = min(first + settings.import_batch_rows - 1, found.rows_total)
                batch = {**values, "first": first, "last": last}
                written = await _write(session, kind, batch, context)
                totals = Written(
                    totals.created + written.created,
                    totals.updated + written.updated,
                    totals.unchanged + written.unchanged,
                )
                if not await _tell_progress(db, found, last):
                    raise _Stopped
            await _finish(session, kind, values, context)
            locked = await repository.locked(session, found.id)
            if locked is None or locked.status != ImportStatus.RUNNING:
                raise _Stopped
            locked.rows_done = locked.rows_total
            locked.created, locked.updated = totals.created, totals.updated
            locked.unchanged = totals.unchanged
            await end(session, locked, ImportStatus.SUCCEEDED)
    except _Stopped:
        # Rolled back: nothing of the import was written. Its staged rows go now.
        async with db.transaction() as session:
            await enter_region(session, found.region_id)
            await repository.delete_staged(session, found.region_id, found.id)


async def process(
    db: Database, settings: Settings, import_id: uuid.UUID, region_id: uuid.UUID
) -> None:
    """Runs (or resumes) the import to its end."""
    found = await _start(db, import_id, region_id)
    if found is None:
        return
    kind = KINDS[ImportKind(found.kind)]
    values = await _values(db, kind, found)
    if found.validated_at is None:
        await _analyze(db, kind)
        if not await _validate(db, kind, found, values):
            return
    await _analyze(db, kind)
    if found.mode == ImportMode.ALL_OR_NOTHING and not found.dry_run:
        await _at_once(db, settings, kind, found, values)
    else:
        await _in_batches(db, settings, kind, found, values)


async def fail(db: Database, import_id: uuid.UUID, region_id: uuid.UUID) -> None:
    """Ends an import its job could not complete (after its last attempt)."""
    async with db.transaction() as session:
        await enter_region(session, region_id)
        found = await repository.locked(session, import_id)
        if found is not None and found.status not in FINISHED:
            await end(session, found, ImportStatus.FAILED, ImportFailure.ERROR)
