"""plans: an index serving the plan list's usual filters (period, status) in list order

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_plans_region_id_period_id_status_updated_at",
        "plans",
        ["region_id", "period_id", "status", "updated_at", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_plans_region_id_period_id_status_updated_at", table_name="plans")
