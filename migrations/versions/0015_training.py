"""training: the catalog (programs), sessions with their seats and waitlist counter,
enrollments (one not cancelled per employee and session), certificates, participants' feedback
and the JP ledger (credited once per enrollment)

Revision ID: 0015_training
Revises: 0014_sync_retention
Create Date: 2026-12-09
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from kinerja_api.migration_helpers import disable_tenant_rls, enable_tenant_rls, grant, revoke

revision: str = "0015_training"
down_revision: str | None = "0014_sync_retention"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Feedback and the ledger are a record: the application adds to them, never rewrites them.
GRANTS = {
    "training_programs": "SELECT, INSERT, UPDATE",
    "training_sessions": "SELECT, INSERT, UPDATE",
    "training_enrollments": "SELECT, INSERT, UPDATE",
    "training_certificates": "SELECT, INSERT, UPDATE",
    "training_feedback": "SELECT, INSERT",
    "jp_ledger": "SELECT, INSERT",
}


def upgrade() -> None:
    op.create_table(
        "training_programs",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("competency_area", sa.String(length=30), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("jp", sa.SmallInteger(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
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
        sa.CheckConstraint(
            "competency_area in ('teknis', 'manajerial', 'sosial_kultural',"
            " 'berorientasi_pelayanan', 'akuntabel', 'kompeten', 'harmonis', 'loyal',"
            " 'adaptif', 'kolaboratif')",
            name=op.f("ck_training_programs_area_allowed"),
        ),
        sa.CheckConstraint(
            "kind in ('pelatihan_klasikal', 'e_learning', 'bimbingan_teknis', 'workshop',"
            " 'seminar', 'mentoring', 'coaching')",
            name=op.f("ck_training_programs_kind_allowed"),
        ),
        sa.CheckConstraint("jp between 1 and 1000", name=op.f("ck_training_programs_jp_range")),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_training_programs_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_programs")),
    )
    op.create_index(
        "ix_training_programs_region_id_name",
        "training_programs",
        ["region_id", "name", "id"],
        unique=False,
    )
    op.create_index(
        "ix_training_programs_region_id_updated_at",
        "training_programs",
        ["region_id", "updated_at", "id"],
        unique=False,
    )
    op.create_table(
        "training_sessions",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("program_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("meeting_link", sa.String(length=500), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("enrollment_opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("enrollment_closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "eligible_agency_ids",
            postgresql.ARRAY(sa.Uuid()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column(
            "eligible_employment_types",
            postgresql.ARRAY(sa.String(length=10)),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("mentor_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status", sa.String(length=10), server_default=sa.text("'scheduled'"), nullable=False
        ),
        sa.Column("seats_taken", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("arrivals", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("waitlist_next", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
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
            "eligible_employment_types <@ array['pns', 'pppk']::varchar[]",
            name=op.f("ck_training_sessions_employment_types_allowed"),
        ),
        sa.CheckConstraint(
            "status in ('scheduled', 'cancelled')", name=op.f("ck_training_sessions_status_allowed")
        ),
        sa.CheckConstraint("capacity > 0", name=op.f("ck_training_sessions_capacity_positive")),
        sa.CheckConstraint(
            "ends_at > starts_at", name=op.f("ck_training_sessions_ends_after_start")
        ),
        sa.CheckConstraint(
            "enrollment_closes_at > enrollment_opens_at",
            name=op.f("ck_training_sessions_window_closes_after_opening"),
        ),
        sa.CheckConstraint(
            "seats_taken between 0 and capacity",
            name=op.f("ck_training_sessions_seats_within_capacity"),
        ),
        sa.CheckConstraint(
            "waitlist_next >= 1", name=op.f("ck_training_sessions_waitlist_next_positive")
        ),
        sa.CheckConstraint("arrivals >= 0", name=op.f("ck_training_sessions_arrivals_counted")),
        sa.ForeignKeyConstraint(
            ["mentor_id"], ["employees.id"], name=op.f("fk_training_sessions_mentor_id_employees")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["training_programs.id"],
            name=op.f("fk_training_sessions_program_id_training_programs"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_training_sessions_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_sessions")),
    )
    op.create_index(
        "ix_training_sessions_region_id_program_id",
        "training_sessions",
        ["region_id", "program_id"],
        unique=False,
    )
    op.create_index(
        "ix_training_sessions_region_id_starts_at",
        "training_sessions",
        ["region_id", "starts_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_training_sessions_region_id_updated_at",
        "training_sessions",
        ["region_id", "updated_at", "id"],
        unique=False,
    )
    op.create_table(
        "training_enrollments",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("program_id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("arrival", sa.Integer(), nullable=False),
        sa.Column("waitlist_order", sa.Integer(), nullable=True),
        sa.Column("nominated_by", sa.Uuid(), nullable=True),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
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
            "status <> 'waitlisted' or waitlist_order is not null",
            name=op.f("ck_training_enrollments_waitlist_order_when_waiting"),
        ),
        sa.CheckConstraint(
            "status in ('enrolled', 'waitlisted', 'cancelled', 'attended', 'completed', 'no_show')",
            name=op.f("ck_training_enrollments_status_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_training_enrollments_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_training_enrollments_employee_id_employees"),
        ),
        sa.ForeignKeyConstraint(
            ["nominated_by"], ["users.id"], name=op.f("fk_training_enrollments_nominated_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["training_programs.id"],
            name=op.f("fk_training_enrollments_program_id_training_programs"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_training_enrollments_region_id_regions")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_sessions.id"],
            name=op.f("fk_training_enrollments_session_id_training_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_enrollments")),
    )
    op.create_index(
        "ix_training_enrollments_region_id_employee_id",
        "training_enrollments",
        ["region_id", "employee_id"],
        unique=False,
    )
    op.create_index(
        "ix_training_enrollments_region_id_session_id_status",
        "training_enrollments",
        ["region_id", "session_id", "status", "waitlist_order"],
        unique=False,
    )
    op.create_index(
        "ix_training_enrollments_region_id_updated_at",
        "training_enrollments",
        ["region_id", "updated_at", "id"],
        unique=False,
    )
    op.create_index(
        "uq_training_enrollments_region_id_session_id_employee_id",
        "training_enrollments",
        ["region_id", "session_id", "employee_id"],
        unique=True,
        postgresql_where=sa.text("status <> 'cancelled'"),
    )
    op.create_index(
        "uq_training_enrollments_region_id_session_id_arrival",
        "training_enrollments",
        ["region_id", "session_id", "arrival"],
        unique=True,
    )
    op.create_table(
        "jp_ledger",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("jp", sa.SmallInteger(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("enrollment_id", sa.Uuid(), nullable=True),
        sa.Column("activity", sa.String(length=200), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
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
            "(source = 'training') = (enrollment_id is not null)",
            name=op.f("ck_jp_ledger_enrollment_for_training"),
        ),
        sa.CheckConstraint(
            "source = 'training' or evidence is not null",
            name=op.f("ck_jp_ledger_evidence_for_external"),
        ),
        sa.CheckConstraint(
            "source in ('training', 'external')", name=op.f("ck_jp_ledger_source_allowed")
        ),
        sa.CheckConstraint("jp > 0", name=op.f("ck_jp_ledger_jp_positive")),
        sa.CheckConstraint("year between 2000 and 2100", name=op.f("ck_jp_ledger_year_range")),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name=op.f("fk_jp_ledger_employee_id_employees")
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["training_enrollments.id"],
            name=op.f("fk_jp_ledger_enrollment_id_training_enrollments"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_jp_ledger_recorded_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_jp_ledger_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jp_ledger")),
    )
    op.create_index(
        "ix_jp_ledger_region_id_employee_id_year",
        "jp_ledger",
        ["region_id", "employee_id", "year"],
        unique=False,
    )
    op.create_index(
        "uq_jp_ledger_region_id_enrollment_id",
        "jp_ledger",
        ["region_id", "enrollment_id"],
        unique=True,
        postgresql_where=sa.text("enrollment_id is not null"),
    )
    op.create_table(
        "training_certificates",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("enrollment_id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("jp", sa.SmallInteger(), nullable=False),
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
        sa.CheckConstraint("jp > 0", name=op.f("ck_training_certificates_jp_positive")),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_training_certificates_employee_id_employees"),
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["training_enrollments.id"],
            name=op.f("fk_training_certificates_enrollment_id_training_enrollments"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_training_certificates_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_certificates")),
    )
    op.create_index(
        "ix_training_certificates_region_id_employee_id",
        "training_certificates",
        ["region_id", "employee_id"],
        unique=False,
    )
    op.create_index(
        "uq_training_certificates_region_id_enrollment_id",
        "training_certificates",
        ["region_id", "enrollment_id"],
        unique=True,
    )
    op.create_index(
        "uq_training_certificates_region_id_number",
        "training_certificates",
        ["region_id", "number"],
        unique=True,
    )
    op.create_table(
        "training_feedback",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("enrollment_id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("program_id", sa.Uuid(), nullable=False),
        sa.Column("content", sa.SmallInteger(), nullable=False),
        sa.Column("trainer", sa.SmallInteger(), nullable=False),
        sa.Column("relevance", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
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
            "content between 1 and 5 and trainer between 1 and 5 and relevance between 1 and 5",
            name=op.f("ck_training_feedback_scores_range"),
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["training_enrollments.id"],
            name=op.f("fk_training_feedback_enrollment_id_training_enrollments"),
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["training_programs.id"],
            name=op.f("fk_training_feedback_program_id_training_programs"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_training_feedback_region_id_regions")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_sessions.id"],
            name=op.f("fk_training_feedback_session_id_training_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_feedback")),
    )
    op.create_index(
        "ix_training_feedback_region_id_program_id",
        "training_feedback",
        ["region_id", "program_id"],
        unique=False,
    )
    op.create_index(
        "ix_training_feedback_region_id_session_id",
        "training_feedback",
        ["region_id", "session_id"],
        unique=False,
    )
    op.create_index(
        "uq_training_feedback_region_id_enrollment_id",
        "training_feedback",
        ["region_id", "enrollment_id"],
        unique=True,
    )
    for table, privileges in GRANTS.items():
        grant(table, privileges)
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in reversed(GRANTS):
        disable_tenant_rls(table)
        revoke(table)
    op.drop_index("uq_training_feedback_region_id_enrollment_id", table_name="training_feedback")
    op.drop_index("ix_training_feedback_region_id_session_id", table_name="training_feedback")
    op.drop_index("ix_training_feedback_region_id_program_id", table_name="training_feedback")
    op.drop_table("training_feedback")
    op.drop_index("uq_training_certificates_region_id_number", table_name="training_certificates")
    op.drop_index(
        "uq_training_certificates_region_id_enrollment_id", table_name="training_certificates"
    )
    op.drop_index(
        "ix_training_certificates_region_id_employee_id", table_name="training_certificates"
    )
    op.drop_table("training_certificates")
    op.drop_index(
        "uq_jp_ledger_region_id_enrollment_id",
        table_name="jp_ledger",
        postgresql_where=sa.text("enrollment_id is not null"),
    )
    op.drop_index("ix_jp_ledger_region_id_employee_id_year", table_name="jp_ledger")
    op.drop_table("jp_ledger")
    op.drop_index(
        "uq_training_enrollments_region_id_session_id_arrival", table_name="training_enrollments"
    )
    op.drop_index(
        "uq_training_enrollments_region_id_session_id_employee_id",
        table_name="training_enrollments",
        postgresql_where=sa.text("status <> 'cancelled'"),
    )
    op.drop_index("ix_training_enrollments_region_id_updated_at", table_name="training_enrollments")
    op.drop_index(
        "ix_training_enrollments_region_id_session_id_status", table_name="training_enrollments"
    )
    op.drop_index(
        "ix_training_enrollments_region_id_employee_id", table_name="training_enrollments"
    )
    op.drop_table("training_enrollments")
    op.drop_index("ix_training_sessions_region_id_updated_at", table_name="training_sessions")
    op.drop_index("ix_training_sessions_region_id_starts_at", table_name="training_sessions")
    op.drop_index("ix_training_sessions_region_id_program_id", table_name="training_sessions")
    op.drop_table("training_sessions")
    op.drop_index("ix_training_programs_region_id_updated_at", table_name="training_programs")
    op.drop_index("ix_training_programs_region_id_name", table_name="training_programs")
    op.drop_table("training_programs")
