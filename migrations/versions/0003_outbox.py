"""outbox: domain events written with the change, NOTIFY on insert

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from kinerja_api.migration_helpers import (
    TENANT_CONDITION_PER_ROW,
    disable_tenant_rls,
    enable_tenant_rls,
    grant,
    revoke,
)

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=60), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=True),
        sa.Column("agency_id", sa.Uuid(), nullable=True),
        sa.Column("public", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "occurred_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_outbox_events_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_events")),
    )
    op.create_index(
        "ix_outbox_events_region_id_employee_id_id",
        "outbox_events",
        ["region_id", "employee_id", "id"],
        unique=False,
    )
    op.create_index(
        "ix_outbox_events_region_id_id", "outbox_events", ["region_id", "id"], unique=False
    )
    # Append-only for the application: events are facts, never edited.
    grant("outbox_events", "SELECT, INSERT")
    enable_tenant_rls("outbox_events", TENANT_CONDITION_PER_ROW)
    # The notification carries only the id and is delivered when the transaction commits, so a
    # listener never sees an event whose change was rolled back.
    op.execute(
        """CREATE FUNCTION kinerja_notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             PERFORM pg_notify('kinerja_outbox', NEW.id::text);
             RETURN NULL;
           END $$"""
    )
    op.execute(
        "CREATE TRIGGER outbox_events_notify AFTER INSERT ON outbox_events "
        "FOR EACH ROW EXECUTE FUNCTION kinerja_notify_outbox()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER outbox_events_notify ON outbox_events")
    op.execute("DROP FUNCTION kinerja_notify_outbox()")
    disable_tenant_rls("outbox_events")
    revoke("outbox_events")
    op.drop_index("ix_outbox_events_region_id_id", table_name="outbox_events")
    op.drop_index("ix_outbox_events_region_id_employee_id_id", table_name="outbox_events")
    op.drop_table("outbox_events")
