"""imports of plans, progress reports, evaluation assignments, training attendance, external
training and the national formats (SIASN employees, SP4N-LAPOR! complaints): the kinds an
import may name, and room for the longer names

Revision ID: 0019_import_kinds
Revises: 0018_imports
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_import_kinds"
down_revision: str | None = "0018_imports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "imports"
CONSTRAINT = "ck_imports_kind_allowed"
FIRST_KINDS = ("agencies", "employees", "users")
KINDS = (
    *FIRST_KINDS,
    "plans",
    "progress_reports",
    "evaluation_assignments",
    "training_attendance",
    "external_training",
    "siasn_employees",
    "lapor_complaints",
)


# The tables each kind fills, whose statistics the import's job refreshes before it plans its
# statements (see 0018_imports): still only these tables, still run as the owner.
TABLES = {
    "agencies": ["agencies"],
    "employees": ["employees"],
    "users": ["users"],
    "plans": ["plans", "targets", "indicators"],
    "progress_reports": ["progress_reports"],
    "evaluation_assignments": ["evaluation_assignments"],
    "training_attendance": ["training_enrollments", "training_certificates", "jp_ledger"],
    "external_training": ["jp_ledger"],
    "siasn_employees": ["employees"],
    "lapor_complaints": ["complaints"],
}
ANALYZE_FUNCTION = """
CREATE OR REPLACE FUNCTION kinerja_analyze_import(target text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    filled text;
BEGIN
    ANALYZE import_rows;
    ANALYZE import_errors;
    FOR filled IN
        SELECT unnest(tables) FROM (VALUES {kinds}) AS kinds(kind, tables) WHERE kind = target
    LOOP
        EXECUTE format('ANALYZE %I', filled);
    END LOOP;
END
$$
"""
FIRST_ANALYZE_FUNCTION = """
CREATE OR REPLACE FUNCTION kinerja_analyze_import(target text) RETURNS void
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


def _tables() -> str:
    return ", ".join(
        f"('{kind}', array[{', '.join(repr(table) for table in tables)}])"
        for kind, tables in TABLES.items()
    )


def _allowed(kinds: Sequence[str]) -> str:
    return "kind in (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


def upgrade() -> None:
    op.alter_column(TABLE, "kind", type_=sa.String(length=40), existing_nullable=False)
    op.drop_constraint(op.f(CONSTRAINT), TABLE, type_="check")
    op.create_check_constraint(op.f(CONSTRAINT), TABLE, _allowed(KINDS))
    op.execute(ANALYZE_FUNCTION.replace("{kinds}", _tables()))


def downgrade() -> None:
    # Imports of the later kinds mean nothing to the code before them: they go (their errors
    # with them, by cascade) before the kinds they name are refused.
    later = f"SELECT id FROM {TABLE} WHERE NOT ({_allowed(FIRST_KINDS)})"
    op.execute(f"DELETE FROM import_rows WHERE import_id IN ({later})")
    op.execute(f"DELETE FROM {TABLE} WHERE NOT ({_allowed(FIRST_KINDS)})")
    op.drop_constraint(op.f(CONSTRAINT), TABLE, type_="check")
    op.create_check_constraint(op.f(CONSTRAINT), TABLE, _allowed(FIRST_KINDS))
    op.alter_column(TABLE, "kind", type_=sa.String(length=20), existing_nullable=False)
    op.execute(FIRST_ANALYZE_FUNCTION)
