"""Which subscriptions a principal reads (superadmins every region's) and manages (those of their
own region: region administrators and service accounts with `webhooks:manage`, admitted by the
routes), and their deliveries."""

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, false, select
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import in_region
from kinerja_api.auth.principal import Principal
from kinerja_api.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookSubscription


def manageable(principal: Principal) -> ColumnElement[bool]:
    if principal.region_id is None:
        return false()
    return WebhookSubscription.region_id == principal.region_id


def readable_subscriptions(principal: Principal) -> Select[Any]:
    return select(WebhookSubscription).where(in_region(principal, WebhookSubscription.region_id))


async def find(
    session: AsyncSession,
    principal: Principal,
    subscription_id: uuid.UUID,
    *,
    manage: bool = False,
    lock: bool = False,
) -> WebhookSubscription | None:
    statement = readable_subscriptions(principal).where(WebhookSubscription.id == subscription_id)
    if manage:
        statement = statement.where(manageable(principal))
    if lock:
        statement = statement.with_for_update()
    found: WebhookSubscription | None = await session.scalar(statement)
    return found


def deliveries_of(subscription: WebhookSubscription) -> Select[Any]:
    return select(WebhookDelivery).where(
        WebhookDelivery.region_id == subscription.region_id,
        WebhookDelivery.subscription_id == subscription.id,
    )


async def find_delivery(
    session: AsyncSession, subscription: WebhookSubscription, delivery_id: uuid.UUID
) -> WebhookDelivery | None:
    found: WebhookDelivery | None = await session.scalar(
        deliveries_of(subscription).where(WebhookDelivery.id == delivery_id)
    )
    return found


async def attempts_of(
    session: AsyncSession, region_id: uuid.UUID, delivery_ids: Sequence[uuid.UUID]
) -> list[WebhookAttempt]:
    if not delivery_ids:
        return []
    rows = await session.scalars(
        select(WebhookAttempt)
        .where(
            WebhookAttempt.region_id == region_id,
            WebhookAttempt.delivery_id.in_(delivery_ids),
        )
        .order_by(WebhookAttempt.delivery_id, WebhookAttempt.number)
    )
    return list(rows)
