"""The platform's statements on every write (an idempotency key's claim, look-up and record, the
audit rows, the outbox rows), sent straight to the driver on the session's own connection, in
its transaction.

Through SQLAlchemy a statement costs about 0.35 ms on the benchmark machine, and the same
statement through asyncpg 0.14 ms (an idempotency look-up, one after another in one session):
for a report create's five such statements that is a millisecond a request, more than its
round trips. These statements have one fixed shape and no ORM state, so nothing is lost going
round SQLAlchemy. JSON parameters go as text (the engine's asyncpg codecs take JSON as text and
hand it back parsed); `tests/app/test_statement_budgets.py` counts them with everything else.
"""

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession


async def driver(session: AsyncSession) -> Any:
    """The asyncpg connection under `session`, in the session's transaction: begun here if no
    statement has begun it yet (the tenancy set up for its BEGIN goes with it)."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    adapted: Any = raw.dbapi_connection
    # SQLAlchemy's asyncpg adapter sends BEGIN with the transaction's first statement, not when
    # the session's transaction begins; a statement sent round it must begin it the same way,
    # or it would run (and commit) on its own. tests/core/test_driver.py holds the adapter to
    # this.
    if adapted.isolation_level != "autocommit" and adapted._transaction is None:
        async with adapted._execute_mutex:
            if adapted._transaction is None:
                await adapted._start_transaction()
    return raw.driver_connection


def as_json(value: Any) -> str:
    """A JSON parameter as the engine's codecs take it."""
    return json.dumps(value, separators=(",", ":"))


def parameters(row: Mapping[str, Any], columns: tuple[str, ...], *, json_column: str) -> list[Any]:
    """`row`'s values in `columns` order, for `insert_one`'s statement; `json_column` as text."""
    return [as_json(row[name]) if name == json_column else row[name] for name in columns]


def insert_one(table: str, columns: tuple[str, ...]) -> str:
    """The statement inserting one row of `columns` into `table`, its values `$1`... in order."""
    values = ", ".join(f"${n}" for n in range(1, len(columns) + 1))
    return f"insert into {table} ({', '.join(columns)}) values ({values})"  # noqa: S608 - names
