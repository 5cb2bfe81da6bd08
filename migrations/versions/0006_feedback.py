"""citizen feedback: service units and staff codes, IKM survey responses, complaints with
their responses, regional holidays, public rate-limit counters

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kinerja_api.migration_helpers import (
    TENANT_CONDITION_PER_ROW,
    disable_tenant_rls,
    enable_tenant_rls,
    grant,
    revoke,
)

TENANT_TABLES = (
    "holidays",
    "service_units",
    "service_unit_staff",
    "feedback_responses",
    "complaints",
    "complaint_responses",
)

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "public_rate_limits",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column(
            "window_started_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("hits", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_public_rate_limits")),
    )
    op.create_table(
        "holidays",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_holidays_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holidays")),
    )
    op.create_index("uq_holidays_region_id_date", "holidays", ["region_id", "date"], unique=True)
    op.create_table(
        "service_units",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
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
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_service_units_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_service_units_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_units")),
        sa.UniqueConstraint("code", name=op.f("uq_service_units_code")),
    )
    op.create_index(
        "ix_service_units_region_id_agency_id",
        "service_units",
        ["region_id", "agency_id"],
        unique=False,
    )
    op.create_index(
        "ix_service_units_region_id_name",
        "service_units",
        ["region_id", "name", "id"],
        unique=False,
    )
    op.create_table(
        "complaints",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("tracking_code", sa.String(length=20), nullable=False),
        sa.Column("service_unit_id", sa.Uuid(), nullable=True),
        sa.Column("agency_id", sa.Uuid(), nullable=True),
        sa.Column("assignee_employee_id", sa.Uuid(), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("location", sa.String(length=500), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=True),
        sa.Column("contact_phone", sa.String(length=30), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column(
            "status", sa.String(length=12), server_default=sa.text("'submitted'"), nullable=False
        ),
        sa.Column(
            "submitted_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reopened_at", sa.DateTime(timezone=True), nullable=True),
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
            "category in ('service', 'staff_conduct', 'facilities', 'fees', 'waiting_time', "
            "'information', 'other')",
            name=op.f("ck_complaints_category_allowed"),
        ),
        sa.CheckConstraint(
            "status in ('submitted', 'triaged', 'assigned', 'resolved', 'reopened')",
            name=op.f("ck_complaints_status_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_complaints_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["assignee_employee_id"],
            ["employees.id"],
            name=op.f("fk_complaints_assignee_employee_id_employees"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_complaints_region_id_regions")
        ),
        sa.ForeignKeyConstraint(
            ["service_unit_id"],
            ["service_units.id"],
            name=op.f("fk_complaints_service_unit_id_service_units"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
        sa.UniqueConstraint("tracking_code", name=op.f("uq_complaints_tracking_code")),
    )
    op.create_index(
        "ix_complaints_region_id_agency_id", "complaints", ["region_id", "agency_id"], unique=False
    )
    op.create_index(
        "ix_complaints_region_id_status_due_at",
        "complaints",
        ["region_id", "status", "due_at"],
        unique=False,
    )
    op.create_index(
        "ix_complaints_region_id_submitted_at",
        "complaints",
        ["region_id", "submitted_at", "id"],
        unique=False,
    )
    op.create_table(
        "service_unit_staff",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("service_unit_id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_service_unit_staff_employee_id_employees"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_service_unit_staff_region_id_regions")
        ),
        sa.ForeignKeyConstraint(
            ["service_unit_id"],
            ["service_units.id"],
            name=op.f("fk_service_unit_staff_service_unit_id_service_units"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_unit_staff")),
        sa.UniqueConstraint("code", name=op.f("uq_service_unit_staff_code")),
    )
    op.create_index(
        "uq_service_unit_staff_region_id_service_unit_id_employee_id",
        "service_unit_staff",
        ["region_id", "service_unit_id", "employee_id"],
        unique=True,
    )
    op.create_table(
        "complaint_responses",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("visibility", sa.String(length=10), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_user_id", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.CheckConstraint(
            "visibility in ('public', 'internal')",
            name=op.f("ck_complaint_responses_visibility_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["author_user_id"],
            ["users.id"],
            name=op.f("fk_complaint_responses_author_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_complaint_responses_complaint_id_complaints"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_complaint_responses_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_responses")),
    )
    op.create_index(
        "ix_complaint_responses_region_id_complaint_id",
        "complaint_responses",
        ["region_id", "complaint_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "feedback_responses",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("service_unit_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column(
            "submitted_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("persyaratan", sa.SmallInteger(), nullable=False),
        sa.Column("prosedur", sa.SmallInteger(), nullable=False),
        sa.Column("waktu", sa.SmallInteger(), nullable=False),
        sa.Column("biaya", sa.SmallInteger(), nullable=False),
        sa.Column("produk", sa.SmallInteger(), nullable=False),
        sa.Column("kompetensi", sa.SmallInteger(), nullable=False),
        sa.Column("perilaku", sa.SmallInteger(), nullable=False),
        sa.Column("pengaduan", sa.SmallInteger(), nullable=False),
        sa.Column("sarana", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("comment_hidden", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("age_band", sa.String(length=10), nullable=True),
        sa.Column("sex", sa.String(length=10), nullable=True),
        sa.Column("education", sa.String(length=10), nullable=True),
        sa.Column("occupation", sa.String(length=10), nullable=True),
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
            "age_band is null or age_band in "
            "('under_20', '20_29', '30_39', '40_49', '50_59', '60_plus')",
            name=op.f("ck_feedback_responses_age_band_allowed"),
        ),
        sa.CheckConstraint(
            "education is null or education in ('sd', 'smp', 'sma', 'diploma', 's1', 's2', 's3')",
            name=op.f("ck_feedback_responses_education_allowed"),
        ),
        sa.CheckConstraint(
            "occupation is null or occupation in "
            "('pns', 'tni', 'polri', 'swasta', 'wirausaha', 'pelajar', 'lainnya')",
            name=op.f("ck_feedback_responses_occupation_allowed"),
        ),
        sa.CheckConstraint(
            "sex is null or sex in ('laki_laki', 'perempuan')",
            name=op.f("ck_feedback_responses_sex_allowed"),
        ),
        sa.CheckConstraint(
            "persyaratan between 1 and "
            "4 and "
            "prosedur between 1 and "
            "4 and "
            "waktu between 1 and "
            "4 and "
            "biaya between 1 and "
            "4 and "
            "produk between 1 and "
            "4 and "
            "kompetensi between 1 and "
            "4 and "
            "perilaku between 1 and "
            "4 and "
            "pengaduan between 1 and "
            "4 and "
            "sarana between 1 and "
            "4",
            name=op.f("ck_feedback_responses_scores_range"),
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_feedback_responses_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_feedback_responses_region_id_regions")
        ),
        sa.ForeignKeyConstraint(
            ["service_unit_id"],
            ["service_units.id"],
            name=op.f("fk_feedback_responses_service_unit_id_service_units"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["service_unit_staff.id"],
            name=op.f("fk_feedback_responses_staff_id_service_unit_staff"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_responses")),
    )
    op.create_index(
        "ix_feedback_responses_region_id_agency_id_submitted_at",
        "feedback_responses",
        ["region_id", "agency_id", "submitted_at"],
        unique=False,
    )
    op.create_index(
        "ix_feedback_responses_region_id_service_unit_id_submitted_at",
        "feedback_responses",
        ["region_id", "service_unit_id", "submitted_at"],
        unique=False,
    )
    op.create_index(
        "ix_feedback_responses_region_id_submitted_at",
        "feedback_responses",
        ["region_id", "submitted_at", "id"],
        unique=False,
    )
    # Counters carry no tenant data (keys are addresses, unit codes and hashes).
    grant("public_rate_limits")
    for table in TENANT_TABLES:
        # Responses to complaints are a record of what was said: never edited or removed.
        if table == "complaint_responses":
            grant(table, "SELECT, INSERT")
        else:
            grant(table)
        enable_tenant_rls(table, TENANT_CONDITION_PER_ROW)


def downgrade() -> None:
    for table in reversed(TENANT_TABLES):
        disable_tenant_rls(table)
        revoke(table)
    revoke("public_rate_limits")
    op.drop_index("ix_feedback_responses_region_id_submitted_at", table_name="feedback_responses")
    op.drop_index(
        "ix_feedback_responses_region_id_service_unit_id_submitted_at",
        table_name="feedback_responses",
    )
    op.drop_index(
        "ix_feedback_responses_region_id_agency_id_submitted_at", table_name="feedback_responses"
    )
    op.drop_table("feedback_responses")
    op.drop_index("ix_complaint_responses_region_id_complaint_id", table_name="complaint_responses")
    op.drop_table("complaint_responses")
    op.drop_index(
        "uq_service_unit_staff_region_id_service_unit_id_employee_id",
        table_name="service_unit_staff",
    )
    op.drop_table("service_unit_staff")
    op.drop_index("ix_complaints_region_id_submitted_at", table_name="complaints")
    op.drop_index("ix_complaints_region_id_status_due_at", table_name="complaints")
    op.drop_index("ix_complaints_region_id_agency_id", table_name="complaints")
    op.drop_table("complaints")
    op.drop_index("ix_service_units_region_id_name", table_name="service_units")
    op.drop_index("ix_service_units_region_id_agency_id", table_name="service_units")
    op.drop_table("service_units")
    op.drop_index("uq_holidays_region_id_date", table_name="holidays")
    op.drop_table("holidays")
    op.drop_table("public_rate_limits")
