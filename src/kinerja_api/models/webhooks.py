"""Webhooks: a region's subscriptions to outbox events, the deliveries made for them and every
attempt at each delivery."""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from kinerja_api.db import Base
from kinerja_api.models.common import IdMixin, TimestampsMixin, VersionedMixin, described
from kinerja_api.models.events import Xid8


@described(
    {
        "event": "an outbox event, delivered in outbox order with retries",
        "ping": "a `webhook.ping` asked for by an administrator, attempted once",
        "redelivery": "an event sent again on request, attempted once",
    }
)
class DeliveryKind(StrEnum):
    """Why a delivery was made."""

    EVENT = "event"
    PING = "ping"
    REDELIVERY = "redelivery"


@described(
    {
        "pending": "waiting for its first attempt or its next retry",
        "delivered": "the receiver answered 2xx",
        "failed": "every attempt failed (an event: retried for the retry window); not retried "
        "again, but it can be redelivered",
    }
)
class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


def _allowed(column: str, enum: type[StrEnum]) -> str:
    return f"{column} in ({', '.join(repr(member.value) for member in enum)})"


class WebhookSubscription(IdMixin, TimestampsMixin, VersionedMixin, Base):
    """Where a region's events are pushed. `event_types` holds event types (`plan.approved`) or
    families (`plan.*`). The signing secret is kept encrypted (`webhooks/secret_box.py`); after
    a rotation the previous one still signs until `previous_secret_expires_at`.

    `owner_type`/`owner_id` name the principal who last chose where the events go and which
    (created it, or changed its URL or event types): a service account's subscription carries
    only what that account's scopes read. `cursor_xid`/`cursor_id` is the outbox position up to
    which events were matched against the subscription (`webhooks/dispatch.py`), moved without
    touching `version`. `failing_since` is the first failed attempt since the last success."""

    __tablename__ = "webhook_subscriptions"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    url: Mapped[str] = mapped_column(String(2000))
    event_types: Mapped[list[str]] = mapped_column(ARRAY(String(60)))
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    secret_ciphertext: Mapped[str] = mapped_column(Text)
    previous_secret_ciphertext: Mapped[str | None] = mapped_column(Text)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    owner_type: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    cursor_xid: Mapped[int] = mapped_column(Xid8, server_default=text("'0'::xid8"))
    cursor_id: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    failing_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        # The target of the deliveries' foreign key, which names the region as well: its
        # checks and cascades then find a subscription's deliveries by their region-led index.
        UniqueConstraint("region_id", "id"),
        Index("ix_webhook_subscriptions_region_id_created_at", "region_id", "created_at", "id"),
        Index("ix_webhook_subscriptions_region_id_updated_at", "region_id", "updated_at", "id"),
        CheckConstraint("owner_type in ('user', 'service_account')", name="owner_type_allowed"),
        CheckConstraint("cardinality(event_types) between 1 and 100", name="event_types_count"),
    )


class WebhookDelivery(Base):
    """One event (or ping) to send to one subscription. Retries of a delivery share its id,
    which receivers use to drop duplicates. A subscription's `event` deliveries are sent in
    `seq` order, which follows the outbox order: the next waits until the one before is
    delivered or has failed."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[uuid.UUID] = mapped_column(
        Uuid, primary_key=True, server_default=text("gen_random_uuid()")
    )
    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    subscription_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    seq: Mapped[int] = mapped_column(BigInteger, Identity(always=True))
    kind: Mapped[str] = mapped_column(String(12))
    event_id: Mapped[int | None] = mapped_column(BigInteger)
    event_type: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(10), server_default=text("'pending'"))
    attempts: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    redelivery_of: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        UniqueConstraint("region_id", "id"),
        ForeignKeyConstraint(
            ["region_id", "subscription_id"],
            ["webhook_subscriptions.region_id", "webhook_subscriptions.id"],
            ondelete="CASCADE",
        ),
        Index(
            "ix_webhook_deliveries_region_id_subscription_id_seq",
            "region_id",
            "subscription_id",
            "seq",
        ),
        # The head of each subscription's queue.
        Index(
            "ix_webhook_deliveries_pending",
            "region_id",
            "subscription_id",
            "seq",
            postgresql_where=text("status = 'pending'"),
        ),
        CheckConstraint(_allowed("kind", DeliveryKind), name="kind_allowed"),
        CheckConstraint(_allowed("status", DeliveryStatus), name="status_allowed"),
        CheckConstraint("(kind = 'ping') = (event_id is null)", name="event_unless_ping"),
    )


class WebhookAttempt(IdMixin, Base):
    """One try at a delivery: the receiver's status and the start of its answer, or why no
    answer came (a timeout, a refused address)."""

    __tablename__ = "webhook_attempts"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    delivery_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    number: Mapped[int] = mapped_column(SmallInteger)
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    http_status: Mapped[int | None] = mapped_column(SmallInteger)
    latency_ms: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(String(500))
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        ForeignKeyConstraint(
            ["region_id", "delivery_id"],
            ["webhook_deliveries.region_id", "webhook_deliveries.id"],
            ondelete="CASCADE",
        ),
        Index(
            "ix_webhook_attempts_region_id_delivery_id_number",
            "region_id",
            "delivery_id",
            "number",
            unique=True,
        ),
    )
