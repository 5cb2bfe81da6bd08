"""The migrations are reversible and agree with the ORM models.

Each test gets a database of its own (never the session's), so that walking the schema up and
down cannot disturb other tests. Alembic's commands call `asyncio.run` themselves, hence the
tests here are synchronous. Nothing names a revision or a table: the checks follow the
migrations and models as they grow.
"""

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

import kinerja_api.models  # noqa: F401 - registers every table on Base.metadata
from kinerja_api.db import Base, async_url
from kinerja_api.dbadmin import downgrade, drop_database, ensure_database, migrate
from kinerja_api.migrations_info import alembic_config, include_name, migration_head
from tests.conftest import fresh_database_url

VERSION_TABLE = "alembic_version"

# Everything a migration may create in the application's schemas, except what extensions own.
_SCHEMA_OBJECTS = """
select kind, name from (
    select case c.relkind
             when 'r' then 'table' when 'p' then 'table' when 'v' then 'view'
             when 'm' then 'materialized view' when 'S' then 'sequence'
             when 'f' then 'foreign table' end as kind,
           n.nspname || '.' || c.relname as name, c.oid as oid, 'pg_class'::regclass as catalog
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
    union all
    select 'function', n.nspname || '.' || p.proname, p.oid, 'pg_proc'::regclass
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    union all
    select 'type', n.nspname || '.' || t.typname, t.oid, 'pg_type'::regclass
      from pg_type t join pg_namespace n on n.oid = t.typnamespace
     where t.typtype in ('e', 'd', 'r', 'm')
        or (t.typtype = 'c' and not exists (
              select 1 from pg_class c where c.oid = t.typrelid and c.relkind <> 'c'))
) objects
where name not like 'pg\\_%' escape '\\'
  and name not like 'information\\_schema.%' escape '\\'
  and not exists (
      select 1 from pg_depend d
       where d.classid = objects.catalog and d.objid = objects.oid and d.deptype = 'e')
order by kind, name
"""


def _run_sync(url: str, work: Any) -> Any:
    """Run `work(sync_connection)` on a connection to `url`, the way Alembic's env.py does."""

    async def run() -> Any:
        engine = create_async_engine(async_url(url), poolclass=pool.NullPool)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(work)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _schema_objects(url: str) -> set[tuple[str, str]]:
    def query(connection: Connection) -> set[tuple[str, str]]:
        return {(row.kind, row.name) for row in connection.execute(text(_SCHEMA_OBJECTS))}

    result: set[tuple[str, str]] = _run_sync(url, query)
    return result


def _current_revision(url: str) -> str | None:
    def query(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    revision: str | None = _run_sync(url, query)
    return revision


def _model_diff(url: str) -> list[Any]:
    """Alembic's autogenerate comparison of the database at `url` with the ORM metadata, using
    the same options as migrations/env.py; an empty list means the models match the schema."""

    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(
            connection,
            opts={
                "target_metadata": Base.metadata,
                "compare_type": True,
                "compare_server_default": True,
                "include_name": include_name,
            },
        )
        return list(compare_metadata(context, Base.metadata))

    diff: list[Any] = _run_sync(url, compare)
    return diff


@pytest.fixture
def scratch_database_url() -> Iterator[str]:
    """An empty database of this test's own, dropped afterwards whatever happens."""
    url = fresh_database_url("kinerja_migrations")
    try:
        asyncio.run(ensure_database(url))
        yield url
    finally:
        asyncio.run(drop_database(url))


def test_revisions_form_a_single_line() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    heads = script.get_heads()
    assert len(heads) == 1, f"several migration heads {heads}: add a merge revision"
    assert heads[0] == migration_head()
    revisions = list(script.walk_revisions())
    assert revisions[-1].down_revision is None


def test_upgrade_downgrade_upgrade(scratch_database_url: str) -> None:
    url = scratch_database_url
    before = _schema_objects(url)

    migrate(url)
    assert _current_revision(url) == migration_head()
    at_head = _schema_objects(url)
    tables = {name for kind, name in at_head if kind == "table"}
    assert f"public.{VERSION_TABLE}" in tables
    assert len(tables) > 1, "the migrations created no table"

    downgrade(url, "base")
    assert _current_revision(url) is None
    left = _schema_objects(url) - before - {("table", f"public.{VERSION_TABLE}")}
    assert not left, f"downgrade to base left these behind: {sorted(left)}"

    migrate(url)
    assert _current_revision(url) == migration_head()
    assert _schema_objects(url) == at_head, "a second upgrade built a different schema"


def test_models_match_migrations(scratch_database_url: str) -> None:
    migrate(scratch_database_url)
    diff = _model_diff(scratch_database_url)
    details = "\n".join(f"  {entry!r}" for entry in diff)
    assert not diff, (
        "the ORM models and the migrations disagree (`alembic revision --autogenerate` would "
        f"emit these operations):\n{details}"
    )
    # Every mapped table exists: the comparison above would list it, but say it plainly too.
    assert Base.metadata.tables, "no ORM models are registered"
