"""outbox: no NOTIFY from the writers' transactions. PostgreSQL serialises the commits of every
transaction that notified, database-wide (the lock NOTIFY takes on the database at commit, held
through the commit's flush): with the outbox's insert trigger, every writer of every region
queued behind every other at commit. The stream brokers poll the outbox instead
(core/broker.py).

Revision ID: 0021_outbox_without_notify
Revises: 0020_siasn_lapor
Create Date: 2026-12-08
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021_outbox_without_notify"
down_revision: str | None = "0020_siasn_lapor"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DROP TRIGGER outbox_events_notify ON outbox_events")
    op.execute("DROP FUNCTION kinerja_notify_outbox()")


def downgrade() -> None:
    op.execute(
        """CREATE FUNCTION kinerja_notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             PERFORM pg_notify('kinerja_outbox', NEW.id::text);
             RETURN NULL;
           END $$"""
    )
    op.execute(
        "CREATE TRIGGER outbox_events_notify AFTER INSERT ON outbox_events "
        "FOR EACH ROW EXECUTE FUNCTION kinerja_notify_outbox()"
    )
