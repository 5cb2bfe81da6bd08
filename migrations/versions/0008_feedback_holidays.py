"""holidays carry created_at/updated_at, so clients can sync the calendar with `updated_since`

Revision ID: 0008_feedback
Revises: 0007
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_feedback"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMPS = ("created_at", "updated_at")


def upgrade() -> None:
    # Existing days get the migration's instant: a first sync after it fetches them all.
    for name in TIMESTAMPS:
        op.add_column(
            "holidays",
            sa.Column(
                name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
            ),
        )


def downgrade() -> None:
    for name in reversed(TIMESTAMPS):
        op.drop_column("holidays", name)
