"""Reading as a principal outside the request's unit of work.

The request's unit of work commits before the response is sent (`core.uow`), so a response
streamed after it (a list as CSV) cannot read through it: the stream opens a session of its
own whose transaction carries the principal's tenancy, as authentication gave the request's,
and closes it when the last row is sent or the client goes away. Export jobs read the same way
for the principal who asked.
"""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.principal import Principal
from kinerja_api.auth.tenancy import enter_all_regions, enter_region
from kinerja_api.core import clock
from kinerja_api.core.csv_export import CsvFormat, csv_filename, csv_lines, csv_response
from kinerja_api.core.exportable import ExportableList
from kinerja_api.core.listing import ListQuery, every_view
from kinerja_api.core.uow import database
from kinerja_api.db import Database


async def enter_as(session: AsyncSession, principal: Principal) -> None:
    """The tenancy `principal`'s requests read in (authentication's, without its audit row)."""
    if principal.is_superadmin:
        await enter_all_regions(session)
    else:
        await enter_region(session, principal.region_id)


@asynccontextmanager
async def reading_as(db: Database, principal: Principal) -> AsyncIterator[AsyncSession]:
    """A session of its own reading as `principal`; its transaction ends with the block."""
    async with db.sessions() as session:
        await enter_as(session, principal)
        yield session


async def items_as(
    db: Database, principal: Principal, listed: ExportableList[Any, Any], query: ListQuery
) -> AsyncIterator[Sequence[BaseModel]]:
    """Every item of `query` (built for `principal`), a batch at a time, as its pages show
    them, read in a transaction of its own."""
    async with reading_as(db, principal) as session:
        async for items in every_view(session, principal, query, listed.views):
            yield items


async def csv_list(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    listed: ExportableList[Any, Any],
    filters: Any,
    sort: Any,
    wanted: CsvFormat,
) -> StreamingResponse:
    """The whole list as CSV, streamed. Its statement is built in the request's session, so
    what the list refuses (an agency out of reach, a filter only some may use) is answered as
    the JSON list answers it, before the first byte; the rows are read while they are sent."""
    query = await listed.query(session, principal, filters, sort)
    day = (
        clock.utc_now().date()
        if principal.region_id is None
        else await clock.region_today(session, principal.region_id)
    )
    items = items_as(database(request), principal, listed, query)
    return csv_response(
        csv_lines(listed.columns, items, wanted.separator), csv_filename(listed.name, day)
    )
