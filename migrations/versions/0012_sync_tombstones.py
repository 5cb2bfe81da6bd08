"""sync tombstones: rows that left a list (deleted, or hidden from their former readers), so
clients syncing with `updated_since` learn of them

Revision ID: 0012_sync_tombstones
Revises: 0011_outbox_positions
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kinerja_api.migration_helpers import disable_tenant_rls, enable_tenant_rls, grant, revoke

revision: str = "0012_sync_tombstones"
down_revision: str | None = "0011_outbox_positions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "sync_tombstones"
INDEX = "ix_sync_tombstones_region_id_entity_type_occurred_at"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("entity_type", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=10), nullable=False),
        sa.Column(
            "occurred_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("plan_id", sa.Uuid(), nullable=True),
        sa.Column("former_supervisor_id", sa.Uuid(), nullable=True),
        sa.Column("former_agency_path", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "reason in ('deleted', 'hidden')", name=op.f("ck_sync_tombstones_reason_allowed")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_sync_tombstones_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_tombstones")),
    )
    op.create_index(INDEX, TABLE, ["region_id", "entity_type", "occurred_at", "id"])
    # A record of what left: the application adds to it, never rewrites it.
    grant(TABLE, "SELECT, INSERT")
    enable_tenant_rls(TABLE)


def downgrade() -> None:
    disable_tenant_rls(TABLE)
    revoke(TABLE)
    op.drop_index(INDEX, table_name=TABLE)
    op.drop_table(TABLE)
