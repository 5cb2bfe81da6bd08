"""Sending a subscription's deliveries, and recording each attempt.

A subscription's events go out in outbox order (`drain`): the next waits until the one before it
is delivered or has failed, retried with backoff and jitter for the retry window after its first
attempt (`backoff`). Pings and redeliveries asked for by an administrator are sent at once, one
attempt each, beside that queue (`send_requested`). No transaction is open while a receiver is
awaited. A subscription whose every attempt has failed for `webhook_disable_after_days` is
switched off, with a `webhook.disabled` event and an audit entry."""

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import httpx
from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api import __version__
from kinerja_api.auth.tenancy import enter_region
from kinerja_api.config import Settings
from kinerja_api.core import clock
from kinerja_api.core.audit import record
from kinerja_api.core.events import publish
from kinerja_api.models.events import OutboxEvent
from kinerja_api.models.webhooks import (
    DeliveryKind,
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from kinerja_api.webhooks import backoff, signing
from kinerja_api.webhooks.dispatch import Transaction
from kinerja_api.webhooks.events import DISABLED, PING, DisabledEventData
from kinerja_api.webhooks.secret_box import unseal
from kinerja_api.webhooks.sending import Outcome, http_client, post

USER_AGENT = f"kinerja-api-webhooks/{__version__}"
ENTITY = "webhook_subscription"
# Deliveries one job sends before it makes way for other jobs (and comes back at once), and
# how many are read (and their attempts written) at a time.
BUDGET = 500
BATCH = 50

_HEAD = (
    select(
        WebhookDelivery.id,
        WebhookDelivery.kind,
        WebhookDelivery.event_id,
        WebhookDelivery.event_type,
        WebhookDelivery.attempts,
        WebhookDelivery.first_attempt_at,
        WebhookDelivery.next_attempt_at,
        WebhookDelivery.created_at,
        WebhookSubscription.url,
        WebhookSubscription.secret_ciphertext,
        WebhookSubscription.previous_secret_ciphertext,
        WebhookSubscription.previous_secret_expires_at,
        OutboxEvent.type.label("outbox_type"),
        OutboxEvent.entity_type,
        OutboxEvent.entity_id,
        OutboxEvent.employee_id,
        OutboxEvent.agency_id,
        OutboxEvent.payload,
        OutboxEvent.occurred_at,
    )
    .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
    .outerjoin(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
    .where(WebhookDelivery.status == DeliveryStatus.PENDING.value)
    .order_by(WebhookDelivery.seq)
)


@dataclass(frozen=True, slots=True)
class Head:
    """The next delivery to send, with what sending it needs."""

    region_id: uuid.UUID
    subscription_id: uuid.UUID
    row: Any

    @property
    def due(self) -> datetime | None:
        due: datetime | None = self.row.next_attempt_at
        return due

    def body(self) -> bytes:
        row = self.row
        if row.kind == DeliveryKind.PING.value:
            envelope: dict[str, Any] = {
                "id": None,
                "type": PING,
                "occurred_at": row.created_at.isoformat(),
                "region_id": str(self.region_id),
                "entity_type": ENTITY,
                "entity_id": str(self.subscription_id),
                "employee_id": None,
                "agency_id": None,
                "data": {"subscription_id": str(self.subscription_id)},
            }
        else:
            envelope = {
                "id": row.event_id,
                "type": row.outbox_type,
                "occurred_at": row.occurred_at.isoformat(),
                "region_id": str(self.region_id),
                "entity_type": row.entity_type,
                "entity_id": str(row.entity_id),
                "employee_id": str(row.employee_id) if row.employee_id else None,
                "agency_id": str(row.agency_id) if row.agency_id else None,
                "data": row.payload,
            }
        return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False).encode()

    def signing_secrets(self, settings: Settings, now: datetime) -> list[str]:
        """The current secret, then the rotated-out one while it is still valid."""
        row = self.row
        found = [unseal(settings, row.secret_ciphertext)]
        expires = row.previous_secret_expires_at
        if row.previous_secret_ciphertext and expires is not None and now < expires:
            found.append(unseal(settings, row.previous_secret_ciphertext))
        return found

    def headers(self, settings: Settings, now: datetime, body: bytes) -> dict[str, str]:
        signature = signing.signature_header(
            self.signing_secrets(settings, now), int(now.timestamp()), body
        )
        return {
            signing.SIGNATURE_HEADER: signature,
            signing.DELIVERY_HEADER: str(self.row.id),
            signing.EVENT_HEADER: str(self.row.event_type),
            "User-Agent": USER_AGENT,
        }


async def _heads(
    session: AsyncSession,
    region_id: uuid.UUID,
    subscription_id: uuid.UUID,
    *,
    queued: bool,
    limit: int,
) -> list[Head]:
    """The subscription's next event deliveries in order (`queued`; none while it is off), or
    its next requested ones."""
    kind = WebhookDelivery.kind == DeliveryKind.EVENT.value
    statement = _HEAD.where(
        WebhookDelivery.region_id == region_id,
        WebhookDelivery.subscription_id == subscription_id,
        kind if queued else ~kind,
    ).limit(limit)
    if queued:
        statement = statement.where(WebhookSubscription.active.is_(True))
    rows = (await session.execute(statement)).all()
    return [Head(region_id, subscription_id, row) for row in rows]


async def _next(
    transaction: Transaction,
    region_id: uuid.UUID,
    subscription_id: uuid.UUID,
    *,
    queued: bool,
    limit: int = 1,
) -> list[Head]:
    async with transaction() as session:
        await enter_region(session, region_id)
        return await _heads(session, region_id, subscription_id, queued=queued, limit=limit)


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try at a delivery, and where it leaves the delivery."""

    head: Head
    outcome: Outcome
    at: datetime
    retry_at: datetime | None

    @classmethod
    def of(cls, head: Head, outcome: Outcome, at: datetime, settings: Settings) -> "Attempt":
        retry_at = None
        if not outcome.succeeded and head.row.kind == DeliveryKind.EVENT.value:
            retry_at = backoff.next_attempt(
                head.row.attempts + 1,
                head.row.first_attempt_at or at,
                at,
                timedelta(hours=settings.webhook_retry_hours),
            )
        return cls(head, outcome, at, retry_at)

    @property
    def status(self) -> DeliveryStatus:
        if self.outcome.succeeded:
            return DeliveryStatus.DELIVERED
        return DeliveryStatus.PENDING if self.retry_at is not None else DeliveryStatus.FAILED

    def moved(self) -> dict[str, Any]:
        return {
            "b_region": self.head.region_id,
            "b_delivery": self.head.row.id,
            "b_seen": self.head.row.attempts,
            "b_number": self.head.row.attempts + 1,
            "b_status": self.status.value,
            "b_at": self.at,
            "b_retry_at": self.retry_at,
            "b_completed_at": None if self.status is DeliveryStatus.PENDING else self.at,
        }

    def row(self) -> dict[str, Any]:
        outcome = self.outcome
        return {
            "region_id": self.head.region_id,
            "delivery_id": self.head.row.id,
            "number": self.head.row.attempts + 1,
            "attempted_at": self.at,
            "succeeded": outcome.succeeded,
            "http_status": outcome.http_status,
            "latency_ms": outcome.latency_ms,
            "response_body": outcome.response_body,
            "error": outcome.error,
            "next_attempt_at": self.retry_at,
        }


# Moves each delivery on, unless it already has been (a job run twice): one statement, executed
# for every attempt of a batch at once.
_DELIVERIES = cast(Table, WebhookDelivery.__table__)
_MOVE = (
    update(_DELIVERIES)
    .where(
        _DELIVERIES.c.region_id == bindparam("b_region"),
        _DELIVERIES.c.id == bindparam("b_delivery"),
        _DELIVERIES.c.attempts == bindparam("b_seen"),
    )
    .values(
        attempts=bindparam("b_number"),
        status=bindparam("b_status"),
        first_attempt_at=func.coalesce(_DELIVERIES.c.first_attempt_at, bindparam("b_at")),
        last_attempt_at=bindparam("b_at"),
        next_attempt_at=bindparam("b_retry_at"),
        completed_at=bindparam("b_completed_at"),
    )
)
_RECORD = postgresql.insert(cast(Table, WebhookAttempt.__table__)).on_conflict_do_nothing(
    index_elements=["region_id", "delivery_id", "number"]
)


async def record_attempts(
    session: AsyncSession, settings: Settings, attempts: list[Attempt]
) -> datetime | None:
    """Writes the attempts of one subscription, in the order they were made, and moves their
    deliveries on: delivered, retried at the time answered, or failed. Answers when the last
    one is retried (None: it is not)."""
    if not attempts:
        return None
    await session.execute(_MOVE, [attempt.moved() for attempt in attempts])
    await session.execute(_RECORD, [attempt.row() for attempt in attempts])
    last = attempts[-1]
    if any(attempt.outcome.succeeded for attempt in attempts):
        await _health(session, settings, last.head, True, last.at)
    if not last.outcome.succeeded:
        await _health(session, settings, last.head, False, last.at)
    return last.retry_at


async def _health(
    session: AsyncSession, settings: Settings, head: Head, succeeded: bool, now: datetime
) -> None:
    """A success clears the subscription's failing streak; a failure starts it or, once it has
    lasted `webhook_disable_after_days`, switches the subscription off."""
    subscription = WebhookSubscription
    where = (subscription.region_id == head.region_id, subscription.id == head.subscription_id)
    if succeeded:
        await session.execute(
            update(subscription)
            .where(*where, subscription.failing_since.is_not(None))
            .values(failing_since=None)
            .execution_options(synchronize_session=False)
        )
        return
    streak = (
        await session.execute(
            update(subscription)
            .where(*where)
            .values(failing_since=func.coalesce(subscription.failing_since, now))
            .returning(subscription.failing_since, subscription.active, subscription.url)
            .execution_options(synchronize_session=False)
        )
    ).one_or_none()
    if streak is None or not streak.active:
        return
    if now - streak.failing_since >= timedelta(days=settings.webhook_disable_after_days):
        await _disable(session, head, streak.url, streak.failing_since, now)


async def _disable(
    session: AsyncSession, head: Head, url: str, failing_since: datetime, now: datetime
) -> None:
    await session.execute(
        update(WebhookSubscription)
        .where(
            WebhookSubscription.region_id == head.region_id,
            WebhookSubscription.id == head.subscription_id,
        )
        .values(
            active=False,
            disabled_at=now,
            version=WebhookSubscription.version + 1,
            updated_at=func.now(),
        )
        .execution_options(synchronize_session=False)
    )
    data = DisabledEventData(
        subscription_id=head.subscription_id, url=url, failing_since=failing_since, disabled_at=now
    )
    await publish(
        session,
        DISABLED,
        region_id=head.region_id,
        entity_type=ENTITY,
        entity_id=head.subscription_id,
        payload=data,
    )
    await record(
        session,
        None,
        f"{ENTITY}.disabled",
        entity_type=ENTITY,
        entity_id=head.subscription_id,
        region_id=head.region_id,
        before={"active": True},
        after={"active": False, "failing_since": failing_since.isoformat()},
    )


async def _record(
    transaction: Transaction, settings: Settings, attempts: list[Attempt]
) -> datetime | None:
    if not attempts:
        return None
    async with transaction() as session:
        await enter_region(session, attempts[0].head.region_id)
        return await record_attempts(session, settings, attempts)


async def _send(settings: Settings, client: httpx.AsyncClient, head: Head) -> Attempt:
    now = clock.utc_now()
    body = head.body()
    outcome = await post(client, settings, head.row.url, body, head.headers(settings, now, body))
    return Attempt.of(head, outcome, now, settings)


async def drain(
    transaction: Transaction,
    settings: Settings,
    region_id: uuid.UUID,
    subscription_id: uuid.UUID,
    *,
    budget: int = BUDGET,
) -> datetime | None:
    """Sends the subscription's queued events in order, until the queue is empty or its head
    waits for a retry; answers when to come back (None: nothing to wait for). Events are read a
    batch at a time and the batch's attempts written together: a worker stopped in between
    sends them again, which receivers take as duplicates (the same delivery id)."""
    sent = 0
    async with http_client(settings) as client:
        while sent < budget:
            heads = await _next(transaction, region_id, subscription_id, queued=True, limit=BATCH)
            if not heads:
                return None
            if heads[0].due is not None and heads[0].due > clock.utc_now():
                return heads[0].due
            attempts: list[Attempt] = []
            for head in heads:
                if head.due is not None and head.due > clock.utc_now():
                    break
                attempts.append(await _send(settings, client, head))
                if not attempts[-1].outcome.succeeded:
                    break
            sent += len(attempts)
            retry_at = await _record(transaction, settings, attempts)
            if retry_at is not None:
                return retry_at
    return clock.utc_now()


async def send_requested(
    transaction: Transaction, settings: Settings, region_id: uuid.UUID, subscription_id: uuid.UUID
) -> int:
    """Sends the subscription's pending pings and redeliveries, one attempt each; answers how
    many were sent."""
    async with http_client(settings) as client:
        heads = await _next(transaction, region_id, subscription_id, queued=False, limit=BUDGET)
        attempts = [await _send(settings, client, head) for head in heads]
    await _record(transaction, settings, attempts)
    return len(attempts)
