"""sync tombstones kept for a window and then purged (DELETE for the purge job, an index on
occurred_at for it), and the former direct reader of a row (a complaint's assignee, a plan's
approver) who lost it

Revision ID: 0014_sync_retention
Revises: 0013_evaluations
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kinerja_api.migration_helpers import app_role

revision: str = "0014_sync_retention"
down_revision: str | None = "0013_evaluations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "sync_tombstones"
INDEX = "ix_sync_tombstones_occurred_at"


def upgrade() -> None:
    op.add_column(TABLE, sa.Column("former_reader_id", sa.Uuid(), nullable=True))
    # The purge finds what has outlived the window across regions without walking every
    # region's entries.
    op.create_index(INDEX, TABLE, ["occurred_at"])
    # Still never rewritten: the application adds tombstones, and the purge job deletes those
    # older than the window.
    op.execute(f'GRANT DELETE ON TABLE "{TABLE}" TO "{app_role()}"')


def downgrade() -> None:
    op.execute(f'REVOKE DELETE ON TABLE "{TABLE}" FROM "{app_role()}"')
    op.drop_index(INDEX, table_name=TABLE)
    op.drop_column(TABLE, "former_reader_id")
