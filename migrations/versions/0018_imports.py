"""imports: uploaded files (imports), their staged rows (import_rows, unlogged) and the
problems found per row (import_errors)

Revision ID: 0018_imports
Revises: 0017_webhooks
Create Date: 2026-12-16
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from kinerja_api.migration_helpers import (
    app_role,
    disable_tenant_rls,
    enable_tenant_rls,
    grant,
    revoke,
)

revision: str = "0018_imports"
down_revision: str | None = "0017_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Staged rows and problems are written once and deleted with their import, never changed.
GRANTS = {
    "imports": "SELECT, INSERT, UPDATE, DELETE",
    "import_rows": "SELECT, INSERT, DELETE",
    "import_errors": "SELECT, INSERT, DELETE",
}


# Statistics of rows just staged (and of the table an import fills), refreshed by the import's
# job before it plans its set-based statements: planned from stale statistics, which count a
# few rows where there are thousands, they join by nested loops and take hours. Only the owner
# may ANALYZE; the function runs as the owner (who created it), for these tables only.
ANALYZE_FUNCTION = """
CREATE FUNCTION kinerja_analyze_import(target text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    ANALYZE import_rows;
    ANALYZE import_errors;
    IF target IN ('agencies', 'employees', 'users') THEN
        EXECUTE format('ANALYZE %I', target);
    END IF;
END
$$
"""


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
    ]


def _counter(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), server_default=sa.text("0"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column(
            "status", sa.String(length=20), server_default=sa.text("'receiving'"), nullable=False
        ),
        sa.Column("failure", sa.String(length=20), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        _counter("rows_total"),
        _counter("rows_done"),
        _counter("created"),
        _counter("updated"),
        _counter("unchanged"),
        _counter("failed"),
        sa.Column("created_by_kind", sa.String(length=20), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=False),
        sa.Column("validated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        *_timestamps(),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "created_by_kind in ('user', 'service_account')",
            name=op.f("ck_imports_created_by_kind_allowed"),
        ),
        sa.CheckConstraint("format in ('csv', 'ndjson')", name=op.f("ck_imports_format_allowed")),
        sa.CheckConstraint(
            "kind in ('agencies', 'employees', 'users')", name=op.f("ck_imports_kind_allowed")
        ),
        sa.CheckConstraint(
            "mode in ('per_row', 'all_or_nothing')", name=op.f("ck_imports_mode_allowed")
        ),
        sa.CheckConstraint(
            "rows_done between 0 and rows_total", name=op.f("ck_imports_rows_done_within_total")
        ),
        sa.CheckConstraint(
            "status in ('receiving', 'queued', 'running', 'succeeded', 'failed', 'cancelled')",
            name=op.f("ck_imports_status_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_imports_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )
    op.create_index("ix_imports_region_id_created_at", "imports", ["region_id", "created_at", "id"])
    op.create_index("ix_imports_region_id_created_by_id", "imports", ["region_id", "created_by_id"])
    op.create_table(
        "import_rows",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("import_id", sa.Uuid(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("cells", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("malformed", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("region_id", "import_id", "row_number", name="pk_import_rows"),
        prefixes=["UNLOGGED"],
    )
    op.create_table(
        "import_errors",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("import_id", sa.Uuid(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=True),
        sa.Column("problem", sa.String(length=20), nullable=False),
        sa.Column("message_id", sa.Text(), nullable=False),
        sa.Column("message_en", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["imports.id"],
            name=op.f("fk_import_errors_import_id_imports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_import_errors_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_errors")),
    )
    op.create_index(
        "ix_import_errors_region_id_import_id_row_number",
        "import_errors",
        ["region_id", "import_id", "row_number", "id"],
    )
    for table, privileges in GRANTS.items():
        grant(table, privileges)
        enable_tenant_rls(table)
    op.execute(ANALYZE_FUNCTION)
    op.execute("REVOKE ALL ON FUNCTION kinerja_analyze_import(text) FROM PUBLIC")
    op.execute(f'GRANT EXECUTE ON FUNCTION kinerja_analyze_import(text) TO "{app_role()}"')


def downgrade() -> None:
    op.execute("DROP FUNCTION kinerja_analyze_import(text)")
    for table in reversed(GRANTS):
        disable_tenant_rls(table)
        revoke(table)
    op.drop_index("ix_import_errors_region_id_import_id_row_number", table_name="import_errors")
    op.drop_table("import_errors")
    op.drop_table("import_rows")
    op.drop_index("ix_imports_region_id_created_by_id", table_name="imports")
    op.drop_index("ix_imports_region_id_created_at", table_name="imports")
    op.drop_table("imports")
