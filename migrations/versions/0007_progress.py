"""progress reports (realisasi, bukti dukung, verification) and plan feedback comments

Revision ID: 0007
Revises: 0006
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

TABLES = ("progress_reports", "plan_comments")

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column[object]]:
    return [
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
    ]


def upgrade() -> None:
    op.create_table(
        "progress_reports",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=False),
        sa.Column("indicator_id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("value", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("reported_for", sa.Date(), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("quarter", sa.SmallInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "evidence",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "status", sa.String(length=10), server_default=sa.text("'pending'"), nullable=False
        ),
        sa.Column("verified_by", sa.Uuid(), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verification_note", sa.Text(), nullable=True),
        *_timestamps(),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(
            "status in ('pending', 'accepted', 'rejected', 'withdrawn')",
            name=op.f("ck_progress_reports_status_allowed"),
        ),
        sa.CheckConstraint(
            "quarter between 1 and 4", name=op.f("ck_progress_reports_quarter_range")
        ),
        sa.CheckConstraint("value >= 0", name=op.f("ck_progress_reports_value_not_negative")),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_progress_reports_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_progress_reports_employee_id_employees"),
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_progress_reports_indicator_id_indicators"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_progress_reports_plan_id_plans")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_progress_reports_region_id_regions")
        ),
        sa.ForeignKeyConstraint(
            ["target_id"], ["targets.id"], name=op.f("fk_progress_reports_target_id_targets")
        ),
        sa.ForeignKeyConstraint(
            ["verified_by"],
            ["employees.id"],
            name=op.f("fk_progress_reports_verified_by_employees"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_reports")),
    )
    op.create_index(
        "ix_progress_reports_region_id_updated_at",
        "progress_reports",
        ["region_id", "updated_at", "id"],
    )
    op.create_index(
        "ix_progress_reports_region_id_employee_id",
        "progress_reports",
        ["region_id", "employee_id"],
    )
    op.create_index(
        "ix_progress_reports_region_id_plan_id",
        "progress_reports",
        ["region_id", "plan_id", "status"],
    )
    op.create_index(
        "ix_progress_reports_region_id_indicator_id",
        "progress_reports",
        ["region_id", "indicator_id"],
    )
    op.create_index(
        "ix_progress_reports_region_id_agency_id", "progress_reports", ["region_id", "agency_id"]
    )
    op.create_table(
        "plan_comments",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=True),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["author_id"], ["employees.id"], name=op.f("fk_plan_comments_author_id_employees")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_plan_comments_plan_id_plans")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_plan_comments_region_id_regions")
        ),
        sa.ForeignKeyConstraint(
            ["target_id"], ["targets.id"], name=op.f("fk_plan_comments_target_id_targets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_comments")),
    )
    op.create_index(
        "ix_plan_comments_region_id_plan_id",
        "plan_comments",
        ["region_id", "plan_id", "created_at", "id"],
    )
    grant("progress_reports", "SELECT, INSERT, UPDATE")
    # Feedback is a record of what was said: the application adds to it, never rewrites it.
    grant("plan_comments", "SELECT, INSERT")
    for table in TABLES:
        enable_tenant_rls(table, TENANT_CONDITION_PER_ROW)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_tenant_rls(table)
        revoke(table)
    op.drop_index("ix_plan_comments_region_id_plan_id", table_name="plan_comments")
    op.drop_table("plan_comments")
    for index in (
        "ix_progress_reports_region_id_agency_id",
        "ix_progress_reports_region_id_indicator_id",
        "ix_progress_reports_region_id_plan_id",
        "ix_progress_reports_region_id_employee_id",
        "ix_progress_reports_region_id_updated_at",
    ):
        op.drop_index(index, table_name="progress_reports")
    op.drop_table("progress_reports")
