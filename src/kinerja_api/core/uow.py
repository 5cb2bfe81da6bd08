"""The request's unit of work: one session, committed once, before the response is sent."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from kinerja_api.core.etag import stale_write_problem
from kinerja_api.core.events import write_queued_now
from kinerja_api.core.problems import Problem
from kinerja_api.db import Database


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def unit_of_work(request: Request) -> AsyncIterator[AsyncSession]:
    # scope="function" below makes FastAPI run the code after `yield` as soon as the endpoint
    # returns, so a failed commit becomes an error response instead of a 2xx already sent.
    async with database(request).sessions() as session:
        try:
            yield session
            await _commit(session)
        except Problem as problem:
            if problem.keep_changes:
                await _commit(session)
            raise
        except StaleDataError as exc:
            await session.rollback()
            raise stale_write_problem() from exc


async def _commit(session: AsyncSession) -> None:
    # The outbox rows go to the driver first (one round trip without SQLAlchemy's execution
    # cost); the commit's hook writes any that a savepoint's end leaves behind.
    await write_queued_now(session)
    await session.commit()


DbSession = Annotated[AsyncSession, Depends(unit_of_work, scope="function")]


@asynccontextmanager
async def separate_unit_of_work(request: Request) -> AsyncIterator[AsyncSession]:
    """A unit of work of its own, committed when the block ends whatever becomes of the
    request's: for records that must outlive a refused or failing request (rate counters)."""
    async with database(request).sessions() as session:
        yield session
        await session.commit()
