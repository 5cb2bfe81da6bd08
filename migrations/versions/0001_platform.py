"""platform: application role, idempotency records

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from kinerja_api.migration_helpers import app_role, grant

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    role = app_role()
    # Roles are cluster-wide: another database on the same server may have created it already.
    op.execute(
        f"""DO $$ BEGIN
              CREATE ROLE "{role}" NOLOGIN NOBYPASSRLS;
            EXCEPTION WHEN duplicate_object THEN NULL; END $$"""
    )
    op.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
    op.execute(f'GRANT SELECT ON TABLE alembic_version TO "{role}"')
    op.create_table(
        "idempotency_records",
        sa.Column("principal_key", sa.String(200), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.SmallInteger(), nullable=False),
        sa.Column("response_body", postgresql.JSONB(), nullable=False),
        sa.Column("response_headers", postgresql.JSONB(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("principal_key", "key", name=op.f("pk_idempotency_records")),
    )
    op.create_index("ix_idempotency_records_expires_at", "idempotency_records", ["expires_at"])
    grant("idempotency_records")


def downgrade() -> None:
    role = app_role()
    op.drop_index("ix_idempotency_records_expires_at", table_name="idempotency_records")
    op.drop_table("idempotency_records")
    op.execute(f'REVOKE ALL ON TABLE alembic_version FROM "{role}"')
    op.execute(f'REVOKE USAGE ON SCHEMA public FROM "{role}"')
    # The role is shared by every database of the cluster; drop it only when nothing uses it.
    op.execute(
        f"""DO $$ BEGIN
              DROP ROLE "{role}";
            EXCEPTION WHEN dependent_objects_still_exist OR insufficient_privilege
            THEN NULL; END $$"""
    )
