"""Which imports a principal reads (superadmins all; the region's administrators and auditors
the region's; a service account its own) and manages (the region's administrators; a service
account its own); the import row's lock, which every batch of its job takes first; and the
staged rows' and errors' SQL."""

import uuid
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, and_, delete, false, insert, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import in_region
from kinerja_api.auth.principal import Principal
from kinerja_api.models.imports import Import, ImportRow, ImportRowError
from kinerja_api.models.org import Role

WRITE_SCOPE = "imports:write"
READERS = (Role.REGION_ADMIN, Role.AUDITOR)
IMPORTS = cast(Table, Import.__table__)
STAGED = cast(Table, ImportRow.__table__)


def _own(principal: Principal) -> ColumnElement[bool]:
    return and_(Import.region_id == principal.region_id, Import.created_by_id == principal.id)


def readable(principal: Principal) -> ColumnElement[bool]:
    if principal.kind == "service_account":
        return _own(principal) if WRITE_SCOPE in principal.scopes else false()
    if principal.is_superadmin:
        return true()
    return in_region(principal, Import.region_id) if principal.has_any(*READERS) else false()


def manageable(principal: Principal) -> ColumnElement[bool]:
    if principal.kind == "service_account":
        return _own(principal) if WRITE_SCOPE in principal.scopes else false()
    if principal.region_id is None or not principal.has_any(Role.REGION_ADMIN):
        return false()
    return Import.region_id == principal.region_id


def readable_imports(principal: Principal) -> Select[Any]:
    return select(Import).where(readable(principal))


async def find(
    session: AsyncSession,
    principal: Principal,
    import_id: uuid.UUID,
    *,
    manage: bool = False,
    lock: bool = False,
) -> Import | None:
    condition = manageable(principal) if manage else readable(principal)
    statement = select(Import).where(Import.id == import_id, condition)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    found: Import | None = await session.scalar(statement)
    return found


def errors_of(import_id: uuid.UUID, region_id: uuid.UUID) -> Select[Any]:
    return select(ImportRowError).where(
        ImportRowError.region_id == region_id, ImportRowError.import_id == import_id
    )


async def insert_import(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(insert(IMPORTS).values(**values))


async def locked(session: AsyncSession, import_id: uuid.UUID) -> Import | None:
    """The import, its row locked until the transaction ends (batches, cancel, finishing)."""
    found: Import | None = await session.scalar(
        select(Import)
        .where(Import.id == import_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return found


async def current(session: AsyncSession, import_id: uuid.UUID) -> Import | None:
    """The import as last committed, without a lock."""
    found: Import | None = await session.scalar(
        select(Import).where(Import.id == import_id).execution_options(populate_existing=True)
    )
    return found


async def has_staged_rows(
    session: AsyncSession, region_id: uuid.UUID, import_id: uuid.UUID
) -> bool:
    found = await session.scalar(
        select(STAGED.c.row_number)
        .where(STAGED.c.region_id == region_id, STAGED.c.import_id == import_id)
        .limit(1)
    )
    return found is not None


async def delete_staged(session: AsyncSession, region_id: uuid.UUID, import_id: uuid.UUID) -> None:
    """The staged rows, once the import no longer needs them."""
    await session.execute(
        delete(STAGED).where(STAGED.c.region_id == region_id, STAGED.c.import_id == import_id)
    )


async def delete_import(session: AsyncSession, region_id: uuid.UUID, import_id: uuid.UUID) -> None:
    """An upload that did not become an import: its staged rows and its row."""
    await delete_staged(session, region_id, import_id)
    await session.execute(
        delete(IMPORTS).where(IMPORTS.c.region_id == region_id, IMPORTS.c.id == import_id)
    )
