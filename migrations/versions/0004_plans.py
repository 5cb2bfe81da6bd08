"""performance plans (SKP): periods, plans, approved revisions, targets, indicators

Revision ID: 0004
Revises: 0003
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

TABLES = ("periods", "plans", "plan_revisions", "targets", "indicators")

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "periods",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("status", sa.String(length=10), server_default=sa.text("'open'"), nullable=False),
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
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint("status in ('open', 'closed')", name=op.f("ck_periods_status_allowed")),
        sa.CheckConstraint("year between 2000 and 2100", name=op.f("ck_periods_year_range")),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_periods_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_periods")),
    )
    op.create_index("uq_periods_region_id_year", "periods", ["region_id", "year"], unique=True)
    op.create_table(
        "plans",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("period_id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("approver_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status", sa.String(length=12), server_default=sa.text("'draft'"), nullable=False
        ),
        sa.Column("revision", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("approved_revision", sa.Integer(), nullable=True),
        sa.Column("return_note", sa.Text(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "status in ('draft', 'submitted', 'approved', 'returned')",
            name=op.f("ck_plans_status_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_plans_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["approver_id"], ["employees.id"], name=op.f("fk_plans_approver_id_employees")
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name=op.f("fk_plans_employee_id_employees")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"], ["periods.id"], name=op.f("fk_plans_period_id_periods")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_plans_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
    )
    op.create_index(
        "ix_plans_region_id_agency_id_updated_at",
        "plans",
        ["region_id", "agency_id", "updated_at"],
        unique=False,
    )
    op.create_index(
        "ix_plans_region_id_approver_id", "plans", ["region_id", "approver_id"], unique=False
    )
    op.create_index(
        "ix_plans_region_id_updated_at", "plans", ["region_id", "updated_at", "id"], unique=False
    )
    op.create_index(
        "uq_plans_region_id_period_id_employee_id",
        "plans",
        ["region_id", "period_id", "employee_id"],
        unique=True,
    )
    op.create_table(
        "plan_revisions",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.Uuid(), nullable=True),
        sa.Column("snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["employees.id"], name=op.f("fk_plan_revisions_approved_by_employees")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_plan_revisions_plan_id_plans")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_plan_revisions_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_revisions")),
    )
    op.create_index(
        "uq_plan_revisions_region_id_plan_id_revision",
        "plan_revisions",
        ["region_id", "plan_id", "revision"],
        unique=True,
    )
    op.create_table(
        "targets",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("public", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("parent_target_id", sa.Uuid(), nullable=True),
        sa.Column("cascade_mode", sa.String(length=10), nullable=True),
        sa.Column("position", sa.Integer(), server_default=sa.text("0"), nullable=False),
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
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "cascade_mode is null or cascade_mode in ('direct', 'indirect')",
            name=op.f("ck_targets_cascade_mode_allowed"),
        ),
        sa.CheckConstraint("kind in ('utama', 'tambahan')", name=op.f("ck_targets_kind_allowed")),
        sa.CheckConstraint(
            "(parent_target_id is null) = (cascade_mode is null)",
            name=op.f("ck_targets_cascade_has_parent"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_target_id"], ["targets.id"], name=op.f("fk_targets_parent_target_id_targets")
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_targets_plan_id_plans")),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_targets_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_targets")),
    )
    op.create_index(
        "ix_targets_region_id_parent_target_id",
        "targets",
        ["region_id", "parent_target_id"],
        unique=False,
    )
    op.create_index(
        "ix_targets_region_id_plan_id",
        "targets",
        ["region_id", "plan_id", "position"],
        unique=False,
    )
    op.create_table(
        "indicators",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=False),
        sa.Column("aspect", sa.String(length=10), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("target_value", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("unit", sa.String(length=60), nullable=False),
        sa.Column(
            "aggregation", sa.String(length=10), server_default=sa.text("'sum'"), nullable=False
        ),
        sa.Column("weight", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("parent_indicator_id", sa.Uuid(), nullable=True),
        sa.Column("position", sa.Integer(), server_default=sa.text("0"), nullable=False),
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
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "aggregation in ('sum', 'latest', 'average')",
            name=op.f("ck_indicators_aggregation_allowed"),
        ),
        sa.CheckConstraint(
            "aspect in ('kuantitas', 'kualitas', 'waktu')",
            name=op.f("ck_indicators_aspect_allowed"),
        ),
        sa.CheckConstraint("target_value > 0", name=op.f("ck_indicators_target_value_positive")),
        sa.CheckConstraint(
            "weight is null or (weight > 0 and weight <= 100)",
            name=op.f("ck_indicators_weight_range"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_indicator_id"],
            ["indicators.id"],
            name=op.f("fk_indicators_parent_indicator_id_indicators"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_indicators_plan_id_plans")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_indicators_region_id_regions")
        ),
        sa.ForeignKeyConstraint(
            ["target_id"], ["targets.id"], name=op.f("fk_indicators_target_id_targets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicators")),
    )
    op.create_index(
        "ix_indicators_region_id_parent_indicator_id",
        "indicators",
        ["region_id", "parent_indicator_id"],
        unique=False,
    )
    op.create_index(
        "ix_indicators_region_id_plan_id", "indicators", ["region_id", "plan_id"], unique=False
    )
    op.create_index(
        "ix_indicators_region_id_target_id",
        "indicators",
        ["region_id", "target_id", "position"],
        unique=False,
    )
    for table in TABLES:
        # Approved revisions are frozen: the application may add them, never change them.
        if table == "plan_revisions":
            grant(table, "SELECT, INSERT")
        else:
            grant(table)
        enable_tenant_rls(table, TENANT_CONDITION_PER_ROW)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_tenant_rls(table)
        revoke(table)
    op.drop_index("ix_indicators_region_id_target_id", table_name="indicators")
    op.drop_index("ix_indicators_region_id_plan_id", table_name="indicators")
    op.drop_index("ix_indicators_region_id_parent_indicator_id", table_name="indicators")
    op.drop_table("indicators")
    op.drop_index("ix_targets_region_id_plan_id", table_name="targets")
    op.drop_index("ix_targets_region_id_parent_target_id", table_name="targets")
    op.drop_table("targets")
    op.drop_index("uq_plan_revisions_region_id_plan_id_revision", table_name="plan_revisions")
    op.drop_table("plan_revisions")
    op.drop_index("uq_plans_region_id_period_id_employee_id", table_name="plans")
    op.drop_index("ix_plans_region_id_updated_at", table_name="plans")
    op.drop_index("ix_plans_region_id_approver_id", table_name="plans")
    op.drop_index("ix_plans_region_id_agency_id_updated_at", table_name="plans")
    op.drop_table("plans")
    op.drop_index("uq_periods_region_id_year", table_name="periods")
    op.drop_table("periods")
