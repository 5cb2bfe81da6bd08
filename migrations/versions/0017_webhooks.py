"""webhooks: a region's subscriptions (URL, event types, encrypted signing secrets, the outbox
position matched so far), their deliveries in outbox order, and every attempt at each

Revision ID: 0017_webhooks
Revises: 0016_exports
Create Date: 2026-12-12
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from kinerja_api.migration_helpers import disable_tenant_rls, enable_tenant_rls, grant, revoke
from kinerja_api.models.events import Xid8

revision: str = "0017_webhooks"
down_revision: str | None = "0016_exports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Attempts are a record: added, never rewritten. Deliveries and attempts leave with their
# subscription (ON DELETE CASCADE), which the database does on the subscription's delete; the
# foreign keys name the region too, so their checks and cascades use the region-led indexes.
GRANTS = {
    "webhook_subscriptions": "SELECT, INSERT, UPDATE, DELETE",
    "webhook_deliveries": "SELECT, INSERT, UPDATE",
    "webhook_attempts": "SELECT, INSERT",
}


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


def upgrade() -> None:
    op.create_table(
        "webhook_subscriptions",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("event_types", postgresql.ARRAY(sa.String(length=60)), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("secret_ciphertext", sa.Text(), nullable=False),
        sa.Column("previous_secret_ciphertext", sa.Text(), nullable=True),
        sa.Column("previous_secret_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("owner_type", sa.String(length=20), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("cursor_xid", Xid8(), server_default=sa.text("'0'::xid8"), nullable=False),
        sa.Column("cursor_id", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        *_timestamps(),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "owner_type in ('user', 'service_account')",
            name=op.f("ck_webhook_subscriptions_owner_type_allowed"),
        ),
        sa.CheckConstraint(
            "cardinality(event_types) between 1 and 100",
            name=op.f("ck_webhook_subscriptions_event_types_count"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_webhook_subscriptions_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscriptions")),
        sa.UniqueConstraint("region_id", "id", name=op.f("uq_webhook_subscriptions_region_id_id")),
    )
    op.create_index(
        "ix_webhook_subscriptions_region_id_created_at",
        "webhook_subscriptions",
        ["region_id", "created_at", "id"],
    )
    op.create_index(
        "ix_webhook_subscriptions_region_id_updated_at",
        "webhook_subscriptions",
        ["region_id", "updated_at", "id"],
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("subscription_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=True),
        sa.Column("event_type", sa.String(length=60), nullable=False),
        sa.Column(
            "status", sa.String(length=10), server_default=sa.text("'pending'"), nullable=False
        ),
        sa.Column("attempts", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("redelivery_of", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind in ('event', 'ping', 'redelivery')",
            name=op.f("ck_webhook_deliveries_kind_allowed"),
        ),
        sa.CheckConstraint(
            "status in ('pending', 'delivered', 'failed')",
            name=op.f("ck_webhook_deliveries_status_allowed"),
        ),
        sa.CheckConstraint(
            "(kind = 'ping') = (event_id is null)",
            name=op.f("ck_webhook_deliveries_event_unless_ping"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_webhook_deliveries_region_id_regions")
        ),
        sa.ForeignKeyConstraint(
            ["region_id", "subscription_id"],
            ["webhook_subscriptions.region_id", "webhook_subscriptions.id"],
            name=op.f("fk_webhook_deliveries_region_id_webhook_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("region_id", "id", name=op.f("uq_webhook_deliveries_region_id_id")),
    )
    op.create_index(
        "ix_webhook_deliveries_region_id_subscription_id_seq",
        "webhook_deliveries",
        ["region_id", "subscription_id", "seq"],
    )
    op.create_index(
        "ix_webhook_deliveries_pending",
        "webhook_deliveries",
        ["region_id", "subscription_id", "seq"],
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "webhook_attempts",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("delivery_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.SmallInteger(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("http_status", sa.SmallInteger(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_webhook_attempts_region_id_regions")
        ),
        sa.ForeignKeyConstraint(
            ["region_id", "delivery_id"],
            ["webhook_deliveries.region_id", "webhook_deliveries.id"],
            name=op.f("fk_webhook_attempts_region_id_webhook_deliveries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_attempts")),
    )
    op.create_index(
        "ix_webhook_attempts_region_id_delivery_id_number",
        "webhook_attempts",
        ["region_id", "delivery_id", "number"],
        unique=True,
    )
    for table, privileges in GRANTS.items():
        grant(table, privileges)
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in reversed(GRANTS):
        disable_tenant_rls(table)
        revoke(table)
    op.drop_index("ix_webhook_attempts_region_id_delivery_id_number", table_name="webhook_attempts")
    op.drop_table("webhook_attempts")
    op.drop_index("ix_webhook_deliveries_pending", table_name="webhook_deliveries")
    op.drop_index(
        "ix_webhook_deliveries_region_id_subscription_id_seq", table_name="webhook_deliveries"
    )
    op.drop_table("webhook_deliveries")
    op.drop_index(
        "ix_webhook_subscriptions_region_id_updated_at", table_name="webhook_subscriptions"
    )
    op.drop_index(
        "ix_webhook_subscriptions_region_id_created_at", table_name="webhook_subscriptions"
    )
    op.drop_table("webhook_subscriptions")
