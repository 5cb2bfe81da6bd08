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
from sqlalchemy.orm import Mapped, mapped_column

from kinerja_api.db import Base

OUTBOX_CHANNEL = "kinerja_outbox"


class OutboxEvent(Base):
    """A domain event, written in the transaction of the change it describes.

    `id` grows monotonically and ids become visible in id order (`core/events.publish` writes
    under a lock held until commit), so streams and webhook dispatchers resume from the last id
    they handled. An insert trigger sends `NOTIFY kinerja_outbox, '<id>'`, delivered at commit.
    `employee_id`, `agency_id` and `public` say who may see the event without reading its payload.
    """

    __tablename__ = "outbox_events"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
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
        Index("ix_outbox_events_region_id_id", "region_id", "id"),
        Index("ix_outbox_events_region_id_employee_id_id", "region_id", "employee_id", "id"),
    )
