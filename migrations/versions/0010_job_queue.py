"""job queue: procrastinate's tables and functions, usable by the application role

Revision ID: 0010_job_queue
Revises: 0009_tenant_policy
Create Date: 2026-12-07

The schema is the one the installed procrastinate ships (`SchemaManager.get_schema()`);
pyproject.toml pins procrastinate to one minor version for that reason. Moving to a later one
takes a revision that applies procrastinate's own migrations (`procrastinate/sql/migrations`)
from the pinned version on.

The queue's tables hold no tenant rows and have no row-level security: jobs are deferred by
requests of every region and run by workers serving them all. A job handler scopes its work to
the region its arguments name, as a request does.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from procrastinate.schema import SchemaManager
from sqlalchemy.util import await_only

from kinerja_api.migration_helpers import app_role

revision: str = "0010_job_queue"
down_revision: str | None = "0009_tenant_policy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PREFIX = "procrastinate\\_%"
_OBJECTS = sa.text(
    """
    SELECT 'TABLE' AS kind, quote_ident(c.relname) AS name
      FROM pg_class c
     WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
       AND c.relname LIKE :prefix
    UNION ALL
    SELECT 'SEQUENCE', quote_ident(c.relname)
      FROM pg_class c
     WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'S'
       AND c.relname LIKE :prefix
    UNION ALL
    SELECT 'FUNCTION', p.oid::regprocedure::text
      FROM pg_proc p
     WHERE p.pronamespace = current_schema()::regnamespace AND p.proname LIKE :prefix
    UNION ALL
    SELECT 'TYPE', quote_ident(t.typname)
      FROM pg_type t
     WHERE t.typnamespace = current_schema()::regnamespace AND t.typname LIKE :prefix
       AND (t.typtype = 'e' OR (t.typtype = 'c' AND NOT EXISTS (
             SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind <> 'c')))
    ORDER BY 1, 2
    """
)
# What the application role may do with each kind: defer, fetch, finish and retry jobs, and
# register workers and their heartbeats (the functions insert, update and delete rows).
PRIVILEGES = {
    "TABLE": "SELECT, INSERT, UPDATE, DELETE",
    "SEQUENCE": "USAGE, SELECT",
    "FUNCTION": "EXECUTE",
}


def _objects(kind: str) -> list[str]:
    rows = op.get_bind().execute(_OBJECTS, {"prefix": PREFIX})
    return [row.name for row in rows if row.kind == kind]


def upgrade() -> None:
    # One script of many statements (function bodies among them), which only the driver's
    # simple query protocol runs: a prepared statement holds one command.
    driver = op.get_bind().connection.driver_connection
    assert driver is not None
    await_only(driver.execute(SchemaManager.get_schema()))
    role = app_role()
    for kind, privileges in PRIVILEGES.items():
        for name in _objects(kind):
            op.execute(f'GRANT {privileges} ON {kind} {name} TO "{role}"')


def downgrade() -> None:
    # Functions first, with the triggers on the queue's tables that call them (CASCADE drops
    # nothing else: the functions are procrastinate's own); then the tables, whose row types
    # some functions returned, with their sequences; then the types.
    for kind, cascade in (("FUNCTION", " CASCADE"), ("TABLE", ""), ("TYPE", "")):
        names = _objects(kind)
        if names:
            op.execute(f"DROP {kind} {', '.join(names)}{cascade}")
