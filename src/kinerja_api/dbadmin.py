"""Database administration used by the CLI and the test suite: create databases, migrate."""

import asyncpg
from alembic import command
from sqlalchemy.engine import make_url

from kinerja_api.migrations_info import alembic_config


async def _connect(url: str) -> asyncpg.Connection:
    # asyncpg understands libpq URLs, including `?host=/socket/dir` for Unix sockets.
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return await asyncpg.connect(dsn)


async def ensure_database(url: str) -> bool:
    """Create the database named in `url` if missing; True when it was created."""
    name = make_url(url).database
    admin = make_url(url).set(database="postgres").render_as_string(hide_password=False)
    connection = await _connect(admin)
    try:
        exists = await connection.fetchval("select 1 from pg_database where datname = $1", name)
        if exists:
            return False
        await connection.execute(f'CREATE DATABASE "{name}"')
        return True
    finally:
        await connection.close()


async def drop_database(url: str) -> None:
    name = make_url(url).database
    admin = make_url(url).set(database="postgres").render_as_string(hide_password=False)
    connection = await _connect(admin)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def migrate(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)
