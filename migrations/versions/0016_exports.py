"""exports: export jobs (a list asked for as a CSV file) and their files, in chunks

Revision ID: 0016_exports
Revises: 0015_training
Create Date: 2026-12-10

The file lives in PostgreSQL (`export_chunks`, bytea pieces in order), not on a worker's disk:
workers may run on other machines than the API that serves the file.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from kinerja_api.migration_helpers import disable_tenant_rls, enable_tenant_rls, grant, revoke

revision: str = "0016_exports"
down_revision: str | None = "0015_training"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# An export's row changes as its job runs; its file's chunks are written, read and deleted.
GRANTS = {
    "exports": "SELECT, INSERT, UPDATE",
    "export_chunks": "SELECT, INSERT, DELETE",
}


def upgrade() -> None:
    op.create_table(
        "exports",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("requested_by_kind", sa.String(length=20), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=False),
        sa.Column(
            "scopes",
            postgresql.ARRAY(sa.String(length=50)),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("list_name", sa.String(length=50), nullable=False),
        sa.Column(
            "filters",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("sort", sa.String(length=50), nullable=False),
        sa.Column("separator", sa.String(length=10), nullable=False),
        sa.Column("file_name", sa.String(length=100), nullable=False),
        sa.Column(
            "status", sa.String(length=10), server_default=sa.text("'queued'"), nullable=False
        ),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=True),
        sa.Column("byte_count", sa.BigInteger(), nullable=True),
        sa.Column("failure", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
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
        sa.CheckConstraint(
            "requested_by_kind in ('user', 'service_account')",
            name=op.f("ck_exports_requested_by_kind_allowed"),
        ),
        sa.CheckConstraint(
            "separator in ('comma', 'semicolon')", name=op.f("ck_exports_separator_allowed")
        ),
        sa.CheckConstraint(
            "status in ('queued', 'running', 'ready', 'failed', 'expired')",
            name=op.f("ck_exports_status_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_exports_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exports")),
    )
    op.create_index(
        "ix_exports_region_id_requested_by_id_created_at",
        "exports",
        ["region_id", "requested_by_id", "created_at", "id"],
        unique=False,
    )
    op.create_table(
        "export_chunks",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("export_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["export_id"],
            ["exports.id"],
            name=op.f("fk_export_chunks_export_id_exports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_export_chunks_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("region_id", "export_id", "seq", name=op.f("pk_export_chunks")),
    )
    for table, privileges in GRANTS.items():
        grant(table, privileges)
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in reversed(GRANTS):
        disable_tenant_rls(table)
        revoke(table)
    op.drop_table("export_chunks")
    op.drop_index("ix_exports_region_id_requested_by_id_created_at", table_name="exports")
    op.drop_table("exports")
