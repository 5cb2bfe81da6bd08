"""the national formats' fields: an employee's academic titles and the dates since which they
hold their golongan and jabatan (SIASN), and where a complaint came from with its number there
(SP4N-LAPOR!), unique in a region so that a file imported again finds its complaints

Revision ID: 0020_siasn_lapor
Revises: 0019_import_kinds
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_siasn_lapor"
down_revision: str | None = "0019_import_kinds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EMPLOYEE_COLUMNS = (
    ("title_prefix", sa.String(length=100)),
    ("title_suffix", sa.String(length=100)),
    ("grade_since", sa.Date()),
    ("position_since", sa.Date()),
)
SOURCE_CONSTRAINT = "ck_complaints_source_allowed"
REFERENCE_INDEX = "uq_complaints_region_id_external_reference"


def upgrade() -> None:
    for name, type_ in EMPLOYEE_COLUMNS:
        op.add_column("employees", sa.Column(name, type_, nullable=True))
    op.add_column(
        "complaints",
        sa.Column(
            "source", sa.String(length=10), server_default=sa.text("'direct'"), nullable=False
        ),
    )
    op.add_column(
        "complaints", sa.Column("external_reference", sa.String(length=40), nullable=True)
    )
    op.create_check_constraint(
        op.f(SOURCE_CONSTRAINT), "complaints", "source in ('direct', 'lapor')"
    )
    op.create_index(
        REFERENCE_INDEX,
        "complaints",
        ["region_id", "external_reference"],
        unique=True,
        postgresql_where=sa.text("external_reference is not null"),
    )


def downgrade() -> None:
    op.drop_index(REFERENCE_INDEX, table_name="complaints")
    op.drop_constraint(op.f(SOURCE_CONSTRAINT), "complaints", type_="check")
    op.drop_column("complaints", "external_reference")
    op.drop_column("complaints", "source")
    for name, _type in reversed(EMPLOYEE_COLUMNS):
        op.drop_column("employees", name)
