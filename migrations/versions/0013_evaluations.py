"""evaluations: the BerAKHLAK instrument (the regulation's behaviour statements seeded), 360°
cycles, assignments and anonymous responses, ratings and predikat, organisation predikat,
objections and development plans

Revision ID: 0013_evaluations
Revises: 0012_sync_tombstones
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from kinerja_api.migration_helpers import (
    TENANT_CONDITION,
    disable_tenant_rls,
    enable_tenant_rls,
    grant,
    revoke,
)

revision: str = "0013_evaluations"
down_revision: str | None = "0012_sync_tombstones"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


STATEMENTS = "evaluation_statements"
VALUES_ALLOWED = (
    "value in ('berorientasi_pelayanan', 'akuntabel', 'kompeten', 'harmonis', 'loyal',"
    " 'adaptif', 'kolaboratif')"
)
# Responses and answers are a record of what raters said: the application adds to them, never
# rewrites or deletes them. Statements may be added to, never deleted.
GRANTS = {
    STATEMENTS: "SELECT, INSERT, UPDATE",
    "evaluation_cycles": "SELECT, INSERT, UPDATE",
    "evaluation_assignments": "SELECT, INSERT, UPDATE",
    "evaluation_responses": "SELECT, INSERT",
    "evaluation_answers": "SELECT, INSERT",
    "evaluation_ratings": "SELECT, INSERT, UPDATE",
    "agency_ratings": "SELECT, INSERT, UPDATE",
    "evaluation_objections": "SELECT, INSERT, UPDATE",
    "development_plans": "SELECT, INSERT, UPDATE",
}

# The panduan perilaku of the BerAKHLAK core values (SE MenPANRB 20/2021), Indonesian first.
REGULATION_STATEMENTS: dict[str, list[tuple[str, str]]] = {
    "berorientasi_pelayanan": [
        ("Memahami dan memenuhi kebutuhan masyarakat", "Understands and meets the public's needs"),
        (
            "Ramah, cekatan, solutif, dan dapat diandalkan",
            "Is friendly, swift, solution-minded and reliable",
        ),
        ("Melakukan perbaikan tiada henti", "Keeps improving"),
    ],
    "akuntabel": [
        (
            "Melaksanakan tugas dengan jujur, bertanggung jawab, cermat, disiplin, dan"
            " berintegritas tinggi",
            "Works honestly, responsibly, carefully, with discipline and high integrity",
        ),
        (
            "Menggunakan kekayaan dan barang milik negara secara bertanggung jawab, efektif, dan"
            " efisien",
            "Uses state property responsibly, effectively and efficiently",
        ),
        ("Tidak menyalahgunakan kewenangan jabatan", "Does not abuse the authority of office"),
    ],
    "kompeten": [
        (
            "Meningkatkan kompetensi diri untuk menjawab tantangan yang selalu berubah",
            "Builds their own competence to meet ever-changing challenges",
        ),
        ("Membantu orang lain belajar", "Helps others learn"),
        ("Melaksanakan tugas dengan kualitas terbaik", "Does the work to the best quality"),
    ],
    "harmonis": [
        (
            "Menghargai setiap orang apapun latar belakangnya",
            "Respects everyone, whatever their background",
        ),
        ("Suka menolong orang lain", "Likes to help others"),
        ("Membangun lingkungan kerja yang kondusif", "Builds a good working environment"),
    ],
    "loyal": [
        (
            "Memegang teguh ideologi Pancasila, Undang-Undang Dasar Negara Republik Indonesia Tahun"
            " 1945, setia kepada NKRI serta pemerintahan yang sah",
            "Holds to Pancasila and the 1945 Constitution, is loyal to the Republic and its lawful"
            " government",
        ),
        (
            "Menjaga nama baik sesama ASN, pimpinan, instansi, dan negara",
            "Guards the good name of fellow civil servants, leaders, the agency and the state",
        ),
        ("Menjaga rahasia jabatan dan negara", "Keeps official and state secrets"),
    ],
    "adaptif": [
        (
            "Cepat menyesuaikan diri menghadapi perubahan",
            "Adapts quickly to change",
        ),
        ("Terus berinovasi dan mengembangkan kreativitas", "Keeps innovating and creating"),
        ("Bertindak proaktif", "Acts proactively"),
    ],
    "kolaboratif": [
        (
            "Memberi kesempatan kepada berbagai pihak untuk berkontribusi",
            "Gives all parties the chance to contribute",
        ),
        (
            "Terbuka dalam bekerja sama untuk menghasilkan nilai tambah",
            "Is open to working together to add value",
        ),
        (
            "Menggerakkan pemanfaatan berbagai sumber daya untuk tujuan bersama",
            "Brings resources together for a common goal",
        ),
    ],
}


def _seed_statements() -> None:
    table = sa.table(
        STATEMENTS,
        sa.column("value", sa.String),
        sa.column("text_id", sa.Text),
        sa.column("text_en", sa.Text),
        sa.column("position", sa.SmallInteger),
    )
    op.bulk_insert(
        table,
        [
            {"value": value, "text_id": text_id, "text_en": text_en, "position": position}
            for value, statements in REGULATION_STATEMENTS.items()
            for position, (text_id, text_en) in enumerate(statements, start=1)
        ],
    )


def _enable_statement_rls() -> None:
    """Every region reads the regulation's statements (no region) and its own; it writes only
    its own, so the regulation's can be neither changed nor taken over."""
    op.execute(f'ALTER TABLE "{STATEMENTS}" ENABLE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{STATEMENTS}" FORCE ROW LEVEL SECURITY')
    op.execute(
        f'CREATE POLICY tenant_isolation ON "{STATEMENTS}" '
        f"USING (region_id IS NULL OR {TENANT_CONDITION}) WITH CHECK ({TENANT_CONDITION})"
    )


def upgrade() -> None:
    op.create_table(
        "evaluation_statements",
        sa.Column("region_id", sa.Uuid(), nullable=True),
        sa.Column("value", sa.String(length=30), nullable=False),
        sa.Column("text_id", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
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
            VALUES_ALLOWED,
            name=op.f("ck_evaluation_statements_value_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_evaluation_statements_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_statements")),
    )
    op.create_index(
        "ix_evaluation_statements_region_id_value",
        "evaluation_statements",
        ["region_id", "value", "position"],
        unique=False,
    )
    op.create_table(
        "agency_ratings",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("period_id", sa.Uuid(), nullable=False),
        sa.Column("predicate", sa.String(length=20), nullable=False),
        sa.Column("curve_version", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=10), server_default=sa.text("'open'"), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
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
            "predicate in ('istimewa', 'baik', 'butuh_perbaikan', 'kurang', 'sangat_kurang')",
            name=op.f("ck_agency_ratings_predicate_allowed"),
        ),
        sa.CheckConstraint(
            "status in ('open', 'locked')", name=op.f("ck_agency_ratings_status_allowed")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_agency_ratings_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"], ["periods.id"], name=op.f("fk_agency_ratings_period_id_periods")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_agency_ratings_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_ratings")),
    )
    op.create_index(
        "ix_agency_ratings_region_id_updated_at",
        "agency_ratings",
        ["region_id", "updated_at", "id"],
        unique=False,
    )
    op.create_index(
        "uq_agency_ratings_region_id_agency_id_period_id",
        "agency_ratings",
        ["region_id", "agency_id", "period_id"],
        unique=True,
    )
    op.create_table(
        "evaluation_cycles",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("period_id", sa.Uuid(), nullable=False),
        sa.Column("quarter", sa.SmallInteger(), nullable=True),
        sa.Column("agency_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("include_self", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "include_supervisor", sa.Boolean(), server_default=sa.text("true"), nullable=False
        ),
        sa.Column("include_peers", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "include_subordinates", sa.Boolean(), server_default=sa.text("true"), nullable=False
        ),
        sa.Column(
            "peers_per_employee", sa.SmallInteger(), server_default=sa.text("3"), nullable=False
        ),
        sa.Column(
            "anonymity_threshold", sa.SmallInteger(), server_default=sa.text("3"), nullable=False
        ),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column(
            "status", sa.String(length=10), server_default=sa.text("'draft'"), nullable=False
        ),
        sa.Column("launched_at", sa.DateTime(timezone=True), nullable=True),
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
            "status in ('draft', 'launched', 'closed')",
            name=op.f("ck_evaluation_cycles_status_allowed"),
        ),
        sa.CheckConstraint(
            "anonymity_threshold between 3 and 50",
            name=op.f("ck_evaluation_cycles_threshold_range"),
        ),
        sa.CheckConstraint(
            "closes_on >= opens_on", name=op.f("ck_evaluation_cycles_closes_after_opening")
        ),
        sa.CheckConstraint(
            "peers_per_employee between 0 and 20", name=op.f("ck_evaluation_cycles_peers_range")
        ),
        sa.CheckConstraint(
            "quarter is null or quarter between 1 and 4",
            name=op.f("ck_evaluation_cycles_quarter_range"),
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_evaluation_cycles_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"], ["periods.id"], name=op.f("fk_evaluation_cycles_period_id_periods")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_evaluation_cycles_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_cycles")),
    )
    op.create_index(
        "ix_evaluation_cycles_region_id_period_id",
        "evaluation_cycles",
        ["region_id", "period_id"],
        unique=False,
    )
    op.create_index(
        "ix_evaluation_cycles_region_id_updated_at",
        "evaluation_cycles",
        ["region_id", "updated_at", "id"],
        unique=False,
    )
    op.create_table(
        "evaluation_assignments",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("cycle_id", sa.Uuid(), nullable=False),
        sa.Column("ratee_id", sa.Uuid(), nullable=False),
        sa.Column("rater_id", sa.Uuid(), nullable=False),
        sa.Column("relation", sa.String(length=12), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "status", sa.String(length=10), server_default=sa.text("'pending'"), nullable=False
        ),
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
            "relation in ('self', 'supervisor', 'peer', 'subordinate')",
            name=op.f("ck_evaluation_assignments_relation_allowed"),
        ),
        sa.CheckConstraint(
            "status in ('pending', 'submitted', 'overdue')",
            name=op.f("ck_evaluation_assignments_status_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_evaluation_assignments_agency_id_agencies"),
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["evaluation_cycles.id"],
            name=op.f("fk_evaluation_assignments_cycle_id_evaluation_cycles"),
        ),
        sa.ForeignKeyConstraint(
            ["ratee_id"],
            ["employees.id"],
            name=op.f("fk_evaluation_assignments_ratee_id_employees"),
        ),
        sa.ForeignKeyConstraint(
            ["rater_id"],
            ["employees.id"],
            name=op.f("fk_evaluation_assignments_rater_id_employees"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_evaluation_assignments_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_assignments")),
    )
    op.create_index(
        "ix_evaluation_assignments_region_id_rater_id_status",
        "evaluation_assignments",
        ["region_id", "rater_id", "status"],
        unique=False,
    )
    op.create_index(
        "ix_evaluation_assignments_region_id_updated_at",
        "evaluation_assignments",
        ["region_id", "updated_at", "id"],
        unique=False,
    )
    op.create_index(
        "uq_evaluation_assignments_region_id_cycle_id_ratee_id_rater_id",
        "evaluation_assignments",
        ["region_id", "cycle_id", "ratee_id", "rater_id"],
        unique=True,
    )
    op.create_table(
        "evaluation_responses",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("cycle_id", sa.Uuid(), nullable=False),
        sa.Column("ratee_id", sa.Uuid(), nullable=False),
        sa.Column("relation", sa.String(length=12), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.CheckConstraint(
            "relation in ('self', 'supervisor', 'peer', 'subordinate')",
            name=op.f("ck_evaluation_responses_relation_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["evaluation_cycles.id"],
            name=op.f("fk_evaluation_responses_cycle_id_evaluation_cycles"),
        ),
        sa.ForeignKeyConstraint(
            ["ratee_id"], ["employees.id"], name=op.f("fk_evaluation_responses_ratee_id_employees")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_evaluation_responses_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_responses")),
    )
    op.create_index(
        "ix_evaluation_responses_region_id_cycle_id_ratee_id",
        "evaluation_responses",
        ["region_id", "cycle_id", "ratee_id"],
        unique=False,
    )
    op.create_table(
        "evaluation_answers",
        sa.Column("response_id", sa.Uuid(), nullable=False),
        sa.Column("value", sa.String(length=30), nullable=False),
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("cycle_id", sa.Uuid(), nullable=False),
        sa.Column("ratee_id", sa.Uuid(), nullable=False),
        sa.Column("relation", sa.String(length=12), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.CheckConstraint(
            VALUES_ALLOWED,
            name=op.f("ck_evaluation_answers_value_allowed"),
        ),
        sa.CheckConstraint("score between 1 and 5", name=op.f("ck_evaluation_answers_score_range")),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["evaluation_cycles.id"],
            name=op.f("fk_evaluation_answers_cycle_id_evaluation_cycles"),
        ),
        sa.ForeignKeyConstraint(
            ["ratee_id"], ["employees.id"], name=op.f("fk_evaluation_answers_ratee_id_employees")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_evaluation_answers_region_id_regions")
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["evaluation_responses.id"],
            name=op.f("fk_evaluation_answers_response_id_evaluation_responses"),
        ),
        sa.PrimaryKeyConstraint("response_id", "value", name=op.f("pk_evaluation_answers")),
    )
    op.create_index(
        "ix_evaluation_answers_region_id_cycle_id_ratee_id",
        "evaluation_answers",
        ["region_id", "cycle_id", "ratee_id"],
        unique=False,
    )
    op.create_table(
        "evaluation_ratings",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("period_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("rater_id", sa.Uuid(), nullable=False),
        sa.Column("hasil_kerja", sa.String(length=10), nullable=False),
        sa.Column("hasil_kerja_suggestion", sa.String(length=10), nullable=False),
        sa.Column("perilaku", sa.String(length=10), nullable=False),
        sa.Column("predicate", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "status", sa.String(length=10), server_default=sa.text("'draft'"), nullable=False
        ),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
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
            "hasil_kerja in ('above', 'meets', 'below') "
            "and hasil_kerja_suggestion in ('above', 'meets', 'below') "
            "and perilaku in ('above', 'meets', 'below')",
            name=op.f("ck_evaluation_ratings_levels_allowed"),
        ),
        sa.CheckConstraint(
            "predicate in ('sangat_baik', 'baik', 'butuh_perbaikan', 'kurang', 'sangat_kurang')",
            name=op.f("ck_evaluation_ratings_predicate_allowed"),
        ),
        sa.CheckConstraint(
            "status in ('draft', 'locked')", name=op.f("ck_evaluation_ratings_status_allowed")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_evaluation_ratings_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_evaluation_ratings_employee_id_employees"),
        ),
        sa.ForeignKeyConstraint(
            ["period_id"], ["periods.id"], name=op.f("fk_evaluation_ratings_period_id_periods")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_evaluation_ratings_plan_id_plans")
        ),
        sa.ForeignKeyConstraint(
            ["rater_id"], ["employees.id"], name=op.f("fk_evaluation_ratings_rater_id_employees")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_evaluation_ratings_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_ratings")),
    )
    op.create_index(
        "ix_evaluation_ratings_region_id_agency_id",
        "evaluation_ratings",
        ["region_id", "agency_id", "period_id"],
        unique=False,
    )
    op.create_index(
        "ix_evaluation_ratings_region_id_rater_id",
        "evaluation_ratings",
        ["region_id", "rater_id"],
        unique=False,
    )
    op.create_index(
        "ix_evaluation_ratings_region_id_updated_at",
        "evaluation_ratings",
        ["region_id", "updated_at", "id"],
        unique=False,
    )
    op.create_index(
        "uq_evaluation_ratings_region_id_period_id_employee_id",
        "evaluation_ratings",
        ["region_id", "period_id", "employee_id"],
        unique=True,
    )
    op.create_table(
        "development_plans",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("rating_id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("values", postgresql.ARRAY(sa.String(length=30)), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
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
            "cardinality(values) > 0", name=op.f("ck_development_plans_values_named")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["employees.id"], name=op.f("fk_development_plans_author_id_employees")
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_development_plans_employee_id_employees"),
        ),
        sa.ForeignKeyConstraint(
            ["rating_id"],
            ["evaluation_ratings.id"],
            name=op.f("fk_development_plans_rating_id_evaluation_ratings"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_development_plans_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_development_plans")),
    )
    op.create_index(
        "ix_development_plans_region_id_updated_at",
        "development_plans",
        ["region_id", "updated_at", "id"],
        unique=False,
    )
    op.create_index(
        "uq_development_plans_region_id_rating_id",
        "development_plans",
        ["region_id", "rating_id"],
        unique=True,
    )
    op.create_table(
        "evaluation_objections",
        sa.Column("region_id", sa.Uuid(), nullable=False),
        sa.Column("rating_id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("decider_id", sa.Uuid(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column(
            "status", sa.String(length=10), server_default=sa.text("'pending'"), nullable=False
        ),
        sa.Column("decision_reasons", sa.Text(), nullable=True),
        sa.Column("previous_predicate", sa.String(length=20), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
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
            "status in ('pending', 'upheld', 'changed')",
            name=op.f("ck_evaluation_objections_status_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["decider_id"],
            ["employees.id"],
            name=op.f("fk_evaluation_objections_decider_id_employees"),
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_evaluation_objections_employee_id_employees"),
        ),
        sa.ForeignKeyConstraint(
            ["rating_id"],
            ["evaluation_ratings.id"],
            name=op.f("fk_evaluation_objections_rating_id_evaluation_ratings"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_evaluation_objections_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_objections")),
    )
    op.create_index(
        "ix_evaluation_objections_region_id_decider_id",
        "evaluation_objections",
        ["region_id", "decider_id"],
        unique=False,
    )
    op.create_index(
        "ix_evaluation_objections_region_id_updated_at",
        "evaluation_objections",
        ["region_id", "updated_at", "id"],
        unique=False,
    )
    op.create_index(
        "uq_evaluation_objections_region_id_rating_id",
        "evaluation_objections",
        ["region_id", "rating_id"],
        unique=True,
    )
    _seed_statements()
    for table, privileges in GRANTS.items():
        grant(table, privileges)
        if table == STATEMENTS:
            _enable_statement_rls()
        else:
            enable_tenant_rls(table)


def downgrade() -> None:
    for table in reversed(GRANTS):
        disable_tenant_rls(table)
        revoke(table)
    op.drop_index(
        "uq_evaluation_objections_region_id_rating_id", table_name="evaluation_objections"
    )
    op.drop_index(
        "ix_evaluation_objections_region_id_updated_at", table_name="evaluation_objections"
    )
    op.drop_index(
        "ix_evaluation_objections_region_id_decider_id", table_name="evaluation_objections"
    )
    op.drop_table("evaluation_objections")
    op.drop_index("uq_development_plans_region_id_rating_id", table_name="development_plans")
    op.drop_index("ix_development_plans_region_id_updated_at", table_name="development_plans")
    op.drop_table("development_plans")
    op.drop_index(
        "uq_evaluation_ratings_region_id_period_id_employee_id", table_name="evaluation_ratings"
    )
    op.drop_index("ix_evaluation_ratings_region_id_updated_at", table_name="evaluation_ratings")
    op.drop_index("ix_evaluation_ratings_region_id_rater_id", table_name="evaluation_ratings")
    op.drop_index("ix_evaluation_ratings_region_id_agency_id", table_name="evaluation_ratings")
    op.drop_table("evaluation_ratings")
    op.drop_index(
        "ix_evaluation_answers_region_id_cycle_id_ratee_id", table_name="evaluation_answers"
    )
    op.drop_table("evaluation_answers")
    op.drop_index(
        "ix_evaluation_responses_region_id_cycle_id_ratee_id", table_name="evaluation_responses"
    )
    op.drop_table("evaluation_responses")
    op.drop_index(
        "uq_evaluation_assignments_region_id_cycle_id_ratee_id_rater_id",
        table_name="evaluation_assignments",
    )
    op.drop_index(
        "ix_evaluation_assignments_region_id_updated_at", table_name="evaluation_assignments"
    )
    op.drop_index(
        "ix_evaluation_assignments_region_id_rater_id_status", table_name="evaluation_assignments"
    )
    op.drop_table("evaluation_assignments")
    op.drop_index("ix_evaluation_cycles_region_id_updated_at", table_name="evaluation_cycles")
    op.drop_index("ix_evaluation_cycles_region_id_period_id", table_name="evaluation_cycles")
    op.drop_table("evaluation_cycles")
    op.drop_index("uq_agency_ratings_region_id_agency_id_period_id", table_name="agency_ratings")
    op.drop_index("ix_agency_ratings_region_id_updated_at", table_name="agency_ratings")
    op.drop_table("agency_ratings")
    op.drop_index("ix_evaluation_statements_region_id_value", table_name="evaluation_statements")
    op.drop_table("evaluation_statements")
