"""outbox positions: each event records its writing transaction, so writers need no lock

Revision ID: 0011_outbox_positions
Revises: 0010_job_queue
Create Date: 2026-12-07

An event's position in the outbox is (xid, id): `xid` is the id of the transaction that wrote it
(`pg_current_xact_id()`), `id` its number within the table. Readers deliver in position order
and only events whose transaction is older than every transaction of this database still
running, `kinerja_outbox_horizon()` (`core/events.py`), which needs no lock among writers.
Existing rows all get this migration's transaction id, so they keep their id order and precede
every later event.

The application role may no longer name `xid` when inserting: a position is the database's to
assign. The refresh-token table gets an index led by `region_id`, like every tenant table.
"""

from collections.abc import Sequence

from alembic import op

from kinerja_api.migration_helpers import app_role

revision: str = "0011_outbox_positions"
down_revision: str | None = "0010_job_queue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The smallest transaction id a transaction of this database that is still running may hold,
# as of the calling statement's snapshot (STABLE: the function sees the caller's snapshot).
# Every transaction id below it belongs to a transaction that has ended, or to one of another
# database, which cannot write here; every transaction still to start gets a larger one. A
# running transaction whose backend is not found (it just ended, or is a prepared one) counts as
# ours: that only delays delivery. pg_snapshot_xmin would be correct too, but would make every
# stream wait for long transactions of other databases on the same server.
_HORIZON = """
CREATE FUNCTION kinerja_outbox_horizon() RETURNS xid8 LANGUAGE sql STABLE AS $$
  SELECT coalesce(min(running.xid), pg_snapshot_xmax(pg_current_snapshot()))
    FROM pg_snapshot_xip(pg_current_snapshot()) AS running(xid)
   WHERE NOT EXISTS (
         SELECT 1 FROM pg_stat_get_activity(NULL) AS other
          WHERE other.backend_xid = running.xid::xid
            AND other.datid <> (SELECT oid FROM pg_database WHERE datname = current_database()))
$$
"""

_INSERTABLE = (
    "region_id, type, entity_type, entity_id, employee_id, agency_id, public, payload, occurred_at"
)


def upgrade() -> None:
    # The default is evaluated once per existing row, inside this migration's transaction.
    op.execute(
        "ALTER TABLE outbox_events ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id()"
    )
    op.drop_index("ix_outbox_events_region_id_id", table_name="outbox_events")
    op.drop_index("ix_outbox_events_region_id_employee_id_id", table_name="outbox_events")
    op.create_index("ix_outbox_events_xid_id", "outbox_events", ["xid", "id"])
    op.create_index(
        "ix_outbox_events_region_id_xid_id", "outbox_events", ["region_id", "xid", "id"]
    )
    op.create_index(
        "ix_outbox_events_region_id_employee_id_xid_id",
        "outbox_events",
        ["region_id", "employee_id", "xid", "id"],
    )
    op.execute(f'REVOKE INSERT ON TABLE outbox_events FROM "{app_role()}"')
    op.execute(f'GRANT INSERT ({_INSERTABLE}) ON TABLE outbox_events TO "{app_role()}"')
    op.execute(_HORIZON)
    op.create_index(
        "ix_refresh_tokens_region_id_user_id", "refresh_tokens", ["region_id", "user_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_refresh_tokens_region_id_user_id", table_name="refresh_tokens")
    op.execute("DROP FUNCTION kinerja_outbox_horizon()")
    op.execute(f'REVOKE INSERT ({_INSERTABLE}) ON TABLE outbox_events FROM "{app_role()}"')
    op.execute(f'GRANT INSERT ON TABLE outbox_events TO "{app_role()}"')
    op.drop_index("ix_outbox_events_region_id_employee_id_xid_id", table_name="outbox_events")
    op.drop_index("ix_outbox_events_region_id_xid_id", table_name="outbox_events")
    op.drop_index("ix_outbox_events_xid_id", table_name="outbox_events")
    op.create_index(
        "ix_outbox_events_region_id_employee_id_id",
        "outbox_events",
        ["region_id", "employee_id", "id"],
    )
    op.create_index("ix_outbox_events_region_id_id", "outbox_events", ["region_id", "id"])
    op.drop_column("outbox_events", "xid")
