"""What the app sends to the database through a test's connection: every statement, whether
SQLAlchemy sends it or a repository sends it straight to the driver (core.driver)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection

# asyncpg looks up a type it has not met on a connection yet (e.g. an array of ids), with JIT
# off meanwhile: once per connection, and a test's connection is new, while a deployed worker's
# pooled connections met it long ago. Not counted.
_INTROSPECTION = ("typeinfo_tree", "set_config('jit'")


@dataclass
class Sent:
    """What was sent, in order (`all`); the statements apart from the savepoints that stand for
    the request's BEGIN and COMMIT in tests."""

    all: list[str] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)
    savepoints: list[str] = field(default_factory=list)

    def add(self, statement: str) -> None:
        if any(mark in statement for mark in _INTROSPECTION):
            return
        self.all.append(statement)
        is_savepoint = statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
        (self.savepoints if is_savepoint else self.statements).append(statement)

    def shown(self) -> str:
        return "\n".join(
            f"{n}. {' '.join(s.split())[:160]}" for n, s in enumerate(self.statements, 1)
        )


# The driver's methods core.driver's callers use. Recorded when called, so that the order of
# `Sent.all` is the order sent (asyncpg's query loggers run a loop iteration later).
_DRIVER_METHODS = ("execute", "executemany", "fetch", "fetchrow", "fetchval")


@contextmanager
def sent(connection: AsyncConnection) -> Iterator[Sent]:
    """Every statement sent on `connection` while inside the block."""
    seen = Sent()

    def through_sqlalchemy(*args: Any) -> None:
        seen.add(args[2])

    sync = connection.sync_connection
    assert sync is not None
    driver = sync.connection.driver_connection
    assert driver is not None
    originals = {name: getattr(asyncpg.Connection, name) for name in _DRIVER_METHODS}

    def recording(original: Callable[..., Any]) -> Callable[..., Any]:
        def send(self: asyncpg.Connection, query: str, *args: Any, **kwargs: Any) -> Any:
            if self is driver:
                seen.add(query)
            return original(self, query, *args, **kwargs)

        return send

    event.listen(sync, "before_cursor_execute", through_sqlalchemy)
    for name, original in originals.items():
        setattr(asyncpg.Connection, name, recording(original))
    try:
        yield seen
    finally:
        for name, original in originals.items():
            setattr(asyncpg.Connection, name, original)
        event.remove(sync, "before_cursor_execute", through_sqlalchemy)
