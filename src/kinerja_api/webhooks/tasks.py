"""The webhooks' background work.

- `webhooks.fan_out` matches new outbox events to the subscriptions (`dispatch`), then asks for
  each fed subscription's `webhooks.deliver`. One runs at a time, one more may wait.
- `webhooks.deliver` sends one subscription's queued events in order (`delivery.drain`) and
  comes back when its head is due for a retry. Jobs of one subscription run one at a time
  (their lock) and at most one waits (their queueing lock); those of different subscriptions
  run side by side (`worker_concurrency`), so a slow receiver holds up only its own.
- `webhooks.send_requested` sends a subscription's pings and redeliveries at once.
- `webhooks.sweep`, every minute, does what a lost wake-up would have asked for.

`follow` runs beside each worker (`task_modules.WORKER_COMPANIONS`): it defers the fan-out when
outbox events become deliverable (it follows the outbox through `core.broker`, which knows when
an event's older transactions have ended), and a subscription's jobs when a request asks at
commit (`service.wake`)."""

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg
from procrastinate import JobContext
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy import or_, select

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.core import clock
from kinerja_api.core.broker import OutboxBroker, StreamEvent
from kinerja_api.core.jobs import WorkerResources, app, libpq_url, resources
from kinerja_api.models.webhooks import (
    DeliveryKind,
    DeliveryStatus,
    WebhookDelivery,
    WebhookSubscription,
)
from kinerja_api.webhooks import delivery, dispatch
from kinerja_api.webhooks.dispatch import Transaction
from kinerja_api.webhooks.service import WAKE_CHANNEL

logger = logging.getLogger("kinerja_api.webhooks.tasks")
FAN_OUT = "webhooks.fan_out"
_RECONNECT_SECONDS = (0.5, 1.0, 2.0, 5.0)
_DEFER_RETRY_SECONDS = 1.0
Fed = tuple[uuid.UUID, uuid.UUID]


async def _defer(
    task: Any, *, key: str | None = None, at: datetime | None = None, **args: str
) -> None:
    """Defers `task`; one already waiting under the same queueing lock does the same work."""
    options: dict[str, Any] = {"schedule_at": at} if at is not None else {}
    if key is not None:
        options |= {"lock": key, "queueing_lock": key}
    with contextlib.suppress(AlreadyEnqueued):
        await task.configure(**options).defer_async(**args)


async def defer_deliver(
    region_id: uuid.UUID, subscription_id: uuid.UUID, at: datetime | None = None
) -> None:
    await _defer(
        deliver,
        key=f"webhooks.deliver:{subscription_id}",
        at=at,
        region_id=str(region_id),
        subscription_id=str(subscription_id),
    )


async def defer_send_requested(region_id: uuid.UUID, subscription_id: uuid.UUID) -> None:
    await _defer(
        send_requested_job,
        key=f"webhooks.send_requested:{subscription_id}",
        region_id=str(region_id),
        subscription_id=str(subscription_id),
    )


async def waiting(transaction: Transaction, now: datetime) -> tuple[set[Fed], set[Fed]]:
    """Subscriptions with a queued event due (and on), and those with a request pending."""
    is_event = WebhookDelivery.kind == DeliveryKind.EVENT.value
    async with transaction() as session:
        await enter_all_regions(session)
        rows = await session.execute(
            select(
                WebhookDelivery.region_id, WebhookDelivery.subscription_id, is_event.label("queued")
            )
            .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
            .where(
                WebhookDelivery.status == DeliveryStatus.PENDING.value,
                or_(
                    ~is_event,
                    WebhookSubscription.active.is_(True) & (WebhookDelivery.next_attempt_at <= now),
                ),
            )
            .distinct()
        )
        found = [(row.region_id, row.subscription_id, row.queued) for row in rows]
    return {(r, s) for r, s, queued in found if queued}, {
        (r, s) for r, s, queued in found if not queued
    }


@app.task(name=FAN_OUT, pass_context=True, lock=FAN_OUT, queueing_lock=FAN_OUT)
async def fan_out(context: JobContext) -> None:
    worker = resources(context)
    for region_id, subscription_id in await dispatch.fan_out(worker.db.transaction):
        await defer_deliver(region_id, subscription_id)


@app.periodic(cron="* * * * *")
@app.task(name="webhooks.sweep", pass_context=True, lock=FAN_OUT, queueing_lock="webhooks.sweep")
async def sweep(context: JobContext, timestamp: int) -> None:
    """Every minute: matches what no wake-up announced and asks for every subscription with
    something due; a sweep with nothing to do asks for nothing."""
    worker = resources(context)
    await dispatch.fan_out(worker.db.transaction)
    queued, requested = await waiting(worker.db.transaction, clock.utc_now())
    for region_id, subscription_id in queued:
        await defer_deliver(region_id, subscription_id)
    for region_id, subscription_id in requested:
        await defer_send_requested(region_id, subscription_id)


@app.task(name="webhooks.deliver", pass_context=True)
async def deliver(context: JobContext, region_id: str, subscription_id: str) -> None:
    worker = resources(context)
    region, subscription = uuid.UUID(region_id), uuid.UUID(subscription_id)
    again = await delivery.drain(worker.db.transaction, worker.settings, region, subscription)
    if again is not None:
        await defer_deliver(region, subscription, at=again)


@app.task(name="webhooks.send_requested", pass_context=True)
async def send_requested_job(context: JobContext, region_id: str, subscription_id: str) -> None:
    worker = resources(context)
    await delivery.send_requested(
        worker.db.transaction, worker.settings, uuid.UUID(region_id), uuid.UUID(subscription_id)
    )


# --- following the outbox and the requests, beside a worker -----------------------------------


@dataclass
class _Signals:
    """What happened since the follower last looked."""

    changed: asyncio.Event = field(default_factory=asyncio.Event)
    events: bool = False
    woken: set[Fed] = field(default_factory=set)

    def event_settled(self, _event: StreamEvent) -> bool:
        # Offered every deliverable event; keeps none (the fan-out reads the outbox itself).
        self.events = True
        self.changed.set()
        return False

    def wake(self, payload: str) -> None:
        region, _, subscription = payload.partition(":")
        with contextlib.suppress(ValueError):
            self.woken.add((uuid.UUID(region), uuid.UUID(subscription)))
            self.changed.set()


async def _listen(worker: WorkerResources, on_wake: Callable[[str], None]) -> None:
    """Hears `service.wake`'s notifications, reconnecting when the connection is lost (the
    sweep covers what was said meanwhile)."""
    role = worker.settings.db_app_role
    attempt = 0
    while True:
        lost = asyncio.Event()
        connection: Any = None
        try:
            connection = await asyncpg.connect(
                libpq_url(worker.db.url),
                server_settings={
                    "application_name": "kinerja-webhooks",
                    **({"role": role} if role else {}),
                },
            )
            await connection.add_listener(WAKE_CHANNEL, lambda *args: on_wake(str(args[-1])))
            connection.add_termination_listener(lambda _connection, lost=lost: lost.set())
            attempt = 0
            await lost.wait()
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("webhook wake-up listener failed; reconnecting")
        finally:
            if connection is not None and not connection.is_closed():
                with contextlib.suppress(Exception):
                    await connection.close(timeout=2)
        await asyncio.sleep(_RECONNECT_SECONDS[min(attempt, len(_RECONNECT_SECONDS) - 1)])
        attempt += 1


async def _act(signals: _Signals) -> None:
    if signals.events:
        signals.events = False
        await _defer(fan_out)
    woken, signals.woken = signals.woken, set()
    for region_id, subscription_id in woken:
        await defer_send_requested(region_id, subscription_id)
        await defer_deliver(region_id, subscription_id)


async def follow(worker: WorkerResources) -> None:
    """Defers the webhooks' jobs as things happen, for as long as the worker runs."""
    signals = _Signals()
    broker = OutboxBroker(worker.db.url, app_role=worker.settings.db_app_role or None, queue_size=1)
    broker.subscribe(signals.event_settled)
    await broker.start()
    listener = asyncio.create_task(_listen(worker, signals.wake), name="webhook-wakes")
    try:
        while True:
            await signals.changed.wait()
            signals.changed.clear()
            try:
                await _act(signals)
            except Exception:
                logger.exception("deferring webhook jobs failed; the sweep will catch up")
                await asyncio.sleep(_DEFER_RETRY_SECONDS)
    finally:
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listener
        await broker.stop()
