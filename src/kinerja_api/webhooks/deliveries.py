"""A subscription's deliveries as its managers see them (each with its attempts), and the ones
they ask for: a ping, or an event sent again. Both are sent by the workers once the request
commits (`service.wake`), one attempt each, beside the subscription's queue."""

import uuid
from collections import defaultdict
from dataclasses import asdict

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import not_found
from kinerja_api.auth.principal import Principal
from kinerja_api.core import clock
from kinerja_api.core.audit import record
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import ListOf, list_page
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.core.problems import CONFLICT, Problem
from kinerja_api.models.events import OutboxEvent
from kinerja_api.models.webhooks import (
    DeliveryKind,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from kinerja_api.webhooks import dispatch, repository
from kinerja_api.webhooks.events import PING
from kinerja_api.webhooks.schemas import AttemptOut, DeliveryFilters, DeliveryOut
from kinerja_api.webhooks.service import ENTITY, get_subscription, wake

_LIST = ListOf("webhook-deliveries", {"newest": Keyset((WebhookDelivery.seq,), descending=True)})
_NOT_CARRIED = Msg(
    "Langganan ini tidak lagi membawa kejadian tersebut (jenis atau cakupan pemiliknya berubah).",
    "This subscription no longer carries that event (its types or its owner's scopes changed).",
)


def delivery_out(delivery: WebhookDelivery, attempts: list[WebhookAttempt]) -> DeliveryOut:
    return DeliveryOut(
        id=delivery.id,
        subscription_id=delivery.subscription_id,
        kind=DeliveryKind(delivery.kind),
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        status=delivery.status,
        attempts=[AttemptOut.model_validate(attempt) for attempt in attempts],
        next_attempt_at=delivery.next_attempt_at,
        redelivery_of=delivery.redelivery_of,
        created_at=delivery.created_at,
        completed_at=delivery.completed_at,
    )


async def list_deliveries(
    session: AsyncSession,
    principal: Principal,
    subscription_id: uuid.UUID,
    *,
    filters: DeliveryFilters,
    page: PageParams,
) -> tuple[list[DeliveryOut], str | None]:
    """The newest first, each with its attempts in order."""
    subscription = await get_subscription(session, principal, subscription_id)
    deliveries, cursor = await list_page(
        session,
        repository.deliveries_of(subscription),
        _LIST,
        "newest",
        cursor_filters={"subscription_id": subscription.id, **asdict(filters)},
        page=page,
        equal={WebhookDelivery.status: filters.status, WebhookDelivery.kind: filters.kind},
    )
    attempts: defaultdict[uuid.UUID, list[WebhookAttempt]] = defaultdict(list)
    for attempt in await repository.attempts_of(
        session, subscription.region_id, [d.id for d in deliveries]
    ):
        attempts[attempt.delivery_id].append(attempt)
    return [delivery_out(d, attempts[d.id]) for d in deliveries], cursor


async def _requested(
    session: AsyncSession,
    principal: Principal,
    subscription: WebhookSubscription,
    delivery: WebhookDelivery,
) -> DeliveryOut:
    session.add(delivery)
    await session.flush()
    await record(
        session,
        principal,
        f"{ENTITY}.{delivery.kind}_requested",
        entity_type=ENTITY,
        entity_id=subscription.id,
        region_id=subscription.region_id,
        after={"delivery_id": str(delivery.id), "event_id": delivery.event_id},
    )
    await wake(session, subscription)
    return delivery_out(delivery, [])


async def ping(
    session: AsyncSession, principal: Principal, subscription_id: uuid.UUID
) -> DeliveryOut:
    """A `webhook.ping` for this subscription alone, sent even while it is off."""
    subscription = await get_subscription(session, principal, subscription_id, manage=True)
    now = clock.utc_now()
    delivery = WebhookDelivery(
        region_id=subscription.region_id,
        subscription_id=subscription.id,
        kind=DeliveryKind.PING.value,
        event_type=PING,
        next_attempt_at=now,
        created_at=now,
    )
    return await _requested(session, principal, subscription, delivery)


async def _still_carried(
    session: AsyncSession, subscription: WebhookSubscription, event_id: int
) -> bool:
    """Whether the subscription, as it is now, would carry the event: its types and its
    owner's reading, as the fan-out decides (`dispatch.admitted`)."""
    owner = await dispatch.owner_of(session, subscription)
    condition = dispatch.admitted(subscription.region_id, owner, subscription.event_types)
    return bool(
        await session.scalar(
            select(
                exists().where(
                    OutboxEvent.id == event_id,
                    OutboxEvent.region_id == subscription.region_id,
                    condition,
                )
            )
        )
    )


async def redeliver(
    session: AsyncSession, principal: Principal, subscription_id: uuid.UUID, delivery_id: uuid.UUID
) -> DeliveryOut:
    """The delivery's event (or ping) again, as a new delivery with an id of its own."""
    subscription = await get_subscription(session, principal, subscription_id, manage=True)
    original = await repository.find_delivery(session, subscription, delivery_id)
    if original is None:
        raise not_found("Webhook delivery")
    is_ping = original.kind == DeliveryKind.PING.value
    if not is_ping and not await _still_carried(session, subscription, int(original.event_id or 0)):
        raise Problem(CONFLICT, _NOT_CARRIED)
    now = clock.utc_now()
    delivery = WebhookDelivery(
        region_id=subscription.region_id,
        subscription_id=subscription.id,
        kind=DeliveryKind.PING.value if is_ping else DeliveryKind.REDELIVERY.value,
        event_id=original.event_id,
        event_type=original.event_type,
        redelivery_of=original.id,
        next_attempt_at=now,
        created_at=now,
    )
    return await _requested(session, principal, subscription, delivery)
