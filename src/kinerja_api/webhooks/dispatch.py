"""Matching outbox events to subscriptions (the fan-out): each subscription keeps the outbox
position up to which it has been matched, and takes the region's events after it, in position
order and only those every reader may deliver (`core.events.SETTLED`), so each event is matched
once per subscription and none is ever passed over (ARCHITECTURE.md, "Events: the outbox").

An event becomes a delivery when the subscription names its type or family and its owner may
read it: what a region-wide reader of the region sees on the streams (`progress.api.Audience`,
which never shows a rater's own evaluation events), narrowed for a service account to the
families its scopes read, as they are when the event is matched. Inactive subscriptions are not
matched; they take up where they stopped when turned back on.

A fan-out transaction writes no outbox event: a transaction sees its own events as settled, and
matching those would move a cursor past positions still to be filled by older transactions."""

import uuid
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    and_,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.tenancy import enter_all_regions, enter_region
from kinerja_api.core import clock
from kinerja_api.core.events import Position, after, settled
from kinerja_api.models.events import OutboxEvent, Xid8
from kinerja_api.models.org import ServiceAccount
from kinerja_api.models.webhooks import DeliveryKind, WebhookDelivery, WebhookSubscription
from kinerja_api.progress.api import Audience
from kinerja_api.webhooks import catalogue
from kinerja_api.webhooks.events import PING

# Events matched per subscription and transaction.
PAGE = 1000
Transaction = Callable[[], AbstractAsyncContextManager[AsyncSession]]


@dataclass(frozen=True, slots=True)
class Owner:
    """Who a subscription delivers for: a person (a region administrator) or a service account
    with its current scopes; `None` scopes: a person."""

    scopes: frozenset[str] | None

    def patterns(self, subscribed: Sequence[str]) -> list[str]:
        if self.scopes is None:
            return list(subscribed)
        readable = catalogue.readable_by(self.scopes)
        return [p for p in subscribed if catalogue.family_of(p) in readable]


def wanted(patterns: Sequence[str]) -> ColumnElement[bool]:
    """The outbox events a subscription naming `patterns` wants, in SQL (`catalogue.matches`)."""
    types = [p for p in patterns if not p.endswith(catalogue.WILDCARD)]
    families = [p.removesuffix(catalogue.WILDCARD) for p in patterns if p not in types]
    parts: list[ColumnElement[bool]] = []
    if types:
        parts.append(OutboxEvent.type.in_(types))
    if families:
        parts.append(func.split_part(OutboxEvent.type, ".", 1).in_(families))
    if not parts:
        return false()
    return and_(OutboxEvent.type != PING, or_(*parts))


def admitted(region_id: uuid.UUID, owner: Owner, patterns: Sequence[str]) -> ColumnElement[bool]:
    """The region's events a subscription carries: what its owner may read, of what it names.
    Its owner reads as a region administrator does (every import of the region included); a
    service account's scopes narrow the families (`catalogue.SERVICE_ACCOUNT_SCOPES`)."""
    audience = Audience(region_id, region_wide=True, imports_admin=True)
    return and_(audience.condition(), wanted(owner.patterns(patterns)))


async def current_position(session: AsyncSession, region_id: uuid.UUID) -> Position:
    """The last position of the region's events a reader may deliver now: a new subscription
    starts after it."""
    row = (
        await session.execute(
            select(OutboxEvent.xid, OutboxEvent.id)
            .where(OutboxEvent.region_id == region_id, settled())
            .order_by(OutboxEvent.xid.desc(), OutboxEvent.id.desc())
            .limit(1)
        )
    ).one_or_none()
    return Position(0, 0) if row is None else Position(int(row.xid), int(row.id))


async def owner_of(session: AsyncSession, subscription: WebhookSubscription) -> Owner:
    if subscription.owner_type != "service_account":
        return Owner(scopes=None)
    row = (
        await session.execute(
            select(ServiceAccount.scopes, ServiceAccount.active).where(
                ServiceAccount.id == subscription.owner_id
            )
        )
    ).one_or_none()
    # An account deactivated or gone reads nothing, so receives nothing.
    return Owner(scopes=frozenset(row.scopes) if row is not None and row.active else frozenset())


def _in_range(region_id: uuid.UUID, start: Position, end: Position) -> ColumnElement[bool]:
    return and_(
        OutboxEvent.region_id == region_id,
        after(start),
        tuple_(OutboxEvent.xid, OutboxEvent.id) <= tuple_(literal(end.xid, Xid8), literal(end.id)),
    )


async def _page_end(
    session: AsyncSession, region_id: uuid.UUID, start: Position
) -> tuple[Position | None, bool]:
    """The position of the last of the next `PAGE` deliverable events after `start` (every
    event up to it is deliverable and stays so, whatever later statements see), and whether
    the page is full (more may follow)."""
    positions = (
        await session.execute(
            select(OutboxEvent.xid, OutboxEvent.id)
            .where(OutboxEvent.region_id == region_id, after(start), settled())
            .order_by(OutboxEvent.xid, OutboxEvent.id)
            .limit(PAGE)
        )
    ).all()
    if not positions:
        return None, False
    return Position(int(positions[-1].xid), int(positions[-1].id)), len(positions) == PAGE


async def match_page(
    session: AsyncSession, region_id: uuid.UUID, subscription_id: uuid.UUID, now: datetime
) -> tuple[int, bool]:
    """Matches the subscription's next page of events: (deliveries queued, more may follow).
    Holds the subscription's row lock to the end of the transaction, so fan-outs of one
    subscription take turns."""
    subscription = await session.scalar(
        select(WebhookSubscription)
        .where(
            WebhookSubscription.region_id == region_id,
            WebhookSubscription.id == subscription_id,
            WebhookSubscription.active.is_(True),
        )
        .with_for_update()
    )
    if subscription is None:
        return 0, False
    start = Position(int(subscription.cursor_xid), int(subscription.cursor_id))
    end, full = await _page_end(session, region_id, start)
    if end is None:
        return 0, False
    owner = await owner_of(session, subscription)
    matched = (
        select(
            literal(region_id),
            literal(subscription_id),
            literal(DeliveryKind.EVENT.value),
            OutboxEvent.id,
            OutboxEvent.type,
            literal(now),
            literal(now),
        )
        .where(
            _in_range(region_id, start, end),
            admitted(region_id, owner, subscription.event_types),
        )
        .order_by(OutboxEvent.xid, OutboxEvent.id)
    )
    inserted = await session.execute(
        insert(WebhookDelivery).from_select(
            ["region_id", "subscription_id", "kind", "event_id", "event_type",
             "next_attempt_at", "created_at"],
            matched,
        )
    )  # fmt: skip
    # A Core update: moving the cursor changes neither the version nor updated_at.
    await session.execute(
        update(WebhookSubscription)
        .where(WebhookSubscription.id == subscription_id)
        .values(cursor_xid=literal(end.xid, Xid8), cursor_id=end.id)
        .execution_options(synchronize_session=False)
    )
    count = int(getattr(inserted, "rowcount", 0) or 0)
    return count, full


async def fan_out_subscription(
    transaction: Transaction, region_id: uuid.UUID, subscription_id: uuid.UUID
) -> int:
    """Matches every deliverable event after the subscription's position, a page per
    transaction; answers how many deliveries were queued."""
    queued = 0
    more = True
    while more:
        async with transaction() as session:
            await enter_region(session, region_id)
            count, more = await match_page(session, region_id, subscription_id, clock.utc_now())
        queued += count
    return queued


async def active_subscriptions(transaction: Transaction) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(region, subscription) of every active subscription, on the all-regions path."""
    async with transaction() as session:
        await enter_all_regions(session)
        rows = await session.execute(
            select(WebhookSubscription.region_id, WebhookSubscription.id)
            .where(WebhookSubscription.active.is_(True))
            .order_by(WebhookSubscription.region_id, WebhookSubscription.id)
        )
        return [(row.region_id, row.id) for row in rows]


async def fan_out(transaction: Transaction) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Matches new events for every active subscription; answers (region, subscription) of
    those that got deliveries."""
    fed: list[tuple[uuid.UUID, uuid.UUID]] = []
    for region_id, subscription_id in await active_subscriptions(transaction):
        if await fan_out_subscription(transaction, region_id, subscription_id):
            fed.append((region_id, subscription_id))
    return fed
