import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    String,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql.base import ischema_names as postgresql_types
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import UserDefinedType

from kinerja_api.db import Base


class Xid8(UserDefinedType[int]):
    """PostgreSQL's 64-bit transaction id (`xid8`, never wrapping); asyncpg reads it as int."""

    cache_ok = True

    def get_col_spec(self, **_kw: Any) -> str:
        return "XID8"


# Schema reflection (the models-vs-migrations check) then knows the column's type.
postgresql_types["xid8"] = Xid8


class OutboxEvent(Base):
    """A domain event, written in the transaction of the change it describes.

    Its position in the outbox is (`xid`, `id`): the id of the transaction that wrote it, which
    the database assigns, then its own number. Readers deliver events in position order, and
    only those whose transaction is older than every one still running, so a reader
    that has delivered a position has delivered every smaller one that will ever exist
    (`core/events.py`); clients resume after an event `id`, whose position the reader looks up.
    An insert trigger sends `NOTIFY kinerja_outbox, '<id>'`, delivered at commit.
    `employee_id`, `agency_id` and `public` say who may see the event without reading its payload.
    """

    __tablename__ = "outbox_events"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    xid: Mapped[int] = mapped_column(Xid8, server_default=text("pg_current_xact_id()"))
    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    type: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    employee_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    agency_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    public: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    occurred_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    __table_args__ = (
        Index("ix_outbox_events_xid_id", "xid", "id"),
        Index("ix_outbox_events_region_id_xid_id", "region_id", "xid", "id"),
        Index(
            "ix_outbox_events_region_id_employee_id_xid_id",
            "region_id",
            "employee_id",
            "xid",
            "id",
        ),
    )
