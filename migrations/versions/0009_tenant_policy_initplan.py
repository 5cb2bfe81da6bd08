"""row-level security reads the region settings once per statement, not once per row

Revision ID: 0009_tenant_policy
Revises: 0008_feedback
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kinerja_api.migration_helpers import (
    TENANT_CONDITION,
    TENANT_CONDITION_PER_ROW,
    set_tenant_condition,
)

revision: str = "0009_tenant_policy"
down_revision: str | None = "0008_feedback"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _tenant_tables() -> list[str]:
    rows = op.get_bind().execute(
        sa.text(
            "SELECT tablename FROM pg_policies "
            "WHERE schemaname = current_schema() AND policyname = 'tenant_isolation' "
            "ORDER BY tablename"
        )
    )
    return [row.tablename for row in rows]


def upgrade() -> None:
    for table in _tenant_tables():
        set_tenant_condition(table, TENANT_CONDITION)


def downgrade() -> None:
    for table in _tenant_tables():
        set_tenant_condition(table, TENANT_CONDITION_PER_ROW)
