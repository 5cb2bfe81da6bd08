"""A region's webhook subscriptions, managed by its region administrators and by service accounts
with `webhooks:manage`: where events go (checked against server-side request forgery), which
(checked against the catalogue, and for a service account against its scopes), the signing
secret (shown once, rotated with a grace period). Each change is audited."""

import uuid
from dataclasses import asdict
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import not_found, region_of
from kinerja_api.auth.principal import Principal
from kinerja_api.config import Settings
from kinerja_api.core import clock
from kinerja_api.core.audit import record, record_entity, snapshot
from kinerja_api.core.etag import check_if_match
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import ListOf, list_page
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.core.problems import field_problem
from kinerja_api.models.webhooks import WebhookSubscription
from kinerja_api.webhooks import addresses, catalogue, dispatch, repository, signing
from kinerja_api.webhooks.schemas import (
    SubscriptionCreate,
    SubscriptionFilters,
    SubscriptionOut,
    SubscriptionSort,
    SubscriptionUpdate,
)
from kinerja_api.webhooks.secret_box import seal

ENTITY = "webhook_subscription"
AUDITED = ("url", "event_types", "description", "active", "owner_type", "owner_id")
# Told at commit to the workers' follower: send what this subscription has waiting now.
WAKE_CHANNEL = "kinerja_webhooks"
_WAKE = text("select pg_notify(:channel, :payload)")
_LIST = ListOf(
    "webhook-subscriptions",
    {
        SubscriptionSort.CREATED_AT: Keyset(
            (WebhookSubscription.created_at, WebhookSubscription.id)
        ),
        SubscriptionSort.UPDATED_AT: Keyset(
            (WebhookSubscription.updated_at, WebhookSubscription.id)
        ),
    },
)
_UNKNOWN = Msg(
    "Jenis kejadian tidak dikenal atau tidak pernah dikirim lewat webhook: {types}.",
    "Event types unknown or never delivered by webhook: {types}.",
)
_UNREADABLE = Msg(
    "Akun layanan ini tidak berwenang membaca kejadian: {types}.",
    "This service account's scopes do not read these events: {types}.",
)
SUBSCRIPTION = "Webhook subscription"


def subscription_out(subscription: WebhookSubscription) -> SubscriptionOut:
    return SubscriptionOut.model_validate(subscription)


async def wake(session: AsyncSession, subscription: WebhookSubscription) -> None:
    """Asks the workers, once this transaction commits, to send what the subscription has
    waiting (a NOTIFY is delivered at commit, and not at all on a rollback)."""
    payload = f"{subscription.region_id}:{subscription.id}"
    await session.execute(_WAKE, {"channel": WAKE_CHANNEL, "payload": payload})


async def checked_url(settings: Settings, url: str) -> None:
    try:
        target = addresses.parse(url, allow_http=settings.env != "production")
        await addresses.checked_address(
            target,
            allowed_hosts=settings.webhook_allowed_hosts,
            resolve_seconds=settings.webhook_connect_timeout_seconds,
        )
    except addresses.AddressRefused as refused:
        raise field_problem("body.url", refused.reason, "url_refused", **refused.params) from None


def checked_patterns(principal: Principal, patterns: list[str]) -> None:
    unknown = catalogue.unknown(patterns)
    if unknown:
        raise field_problem(
            "body.event_types", _UNKNOWN, "event_type_unknown", types=", ".join(unknown)
        )
    if principal.kind == "service_account":
        refused = catalogue.unreadable(patterns, principal.scopes)
        if refused:
            raise field_problem(
                "body.event_types", _UNREADABLE, "event_type_unreadable", types=", ".join(refused)
            )


async def list_subscriptions(
    session: AsyncSession,
    principal: Principal,
    *,
    filters: SubscriptionFilters,
    sort: SubscriptionSort,
    page: PageParams,
) -> tuple[list[SubscriptionOut], str | None]:
    rows, cursor = await list_page(
        session,
        repository.readable_subscriptions(principal),
        _LIST,
        sort,
        cursor_filters=asdict(filters),
        page=page,
        equal={WebhookSubscription.active: filters.active},
        updated_at=WebhookSubscription.updated_at,
        updated_since=filters.updated_since,
    )
    return [subscription_out(row) for row in rows], cursor


async def get_subscription(
    session: AsyncSession,
    principal: Principal,
    subscription_id: uuid.UUID,
    *,
    manage: bool = False,
    lock: bool = False,
) -> WebhookSubscription:
    subscription = await repository.find(
        session, principal, subscription_id, manage=manage, lock=lock
    )
    if subscription is None:
        raise not_found(SUBSCRIPTION)
    return subscription


async def create_subscription(
    session: AsyncSession, principal: Principal, settings: Settings, data: SubscriptionCreate
) -> tuple[WebhookSubscription, str]:
    """The new subscription and its secret, which only this call sees in clear. It receives
    the events committed from now on."""
    checked_patterns(principal, data.event_types)
    await checked_url(settings, data.url)
    region_id = region_of(principal)
    secret = signing.new_secret()
    position = await dispatch.current_position(session, region_id)
    subscription = WebhookSubscription(
        region_id=region_id,
        **data.model_dump(),
        secret_ciphertext=seal(settings, secret),
        owner_type=principal.kind,
        owner_id=principal.id,
        cursor_xid=position.xid,
        cursor_id=position.id,
    )
    session.add(subscription)
    await session.flush()
    await record_entity(session, principal, ENTITY, "created", subscription, AUDITED)
    return subscription, secret


async def update_subscription(
    session: AsyncSession,
    principal: Principal,
    settings: Settings,
    subscription_id: uuid.UUID,
    data: SubscriptionUpdate,
    if_match: str | None,
) -> WebhookSubscription:
    subscription = await get_subscription(
        session, principal, subscription_id, manage=True, lock=True
    )
    check_if_match(if_match, subscription.version)
    changes = data.changes()
    takes_over = "url" in changes or "event_types" in changes
    if takes_over:
        # The caller becomes the owner: what the subscription names must be theirs to read.
        checked_patterns(principal, changes.get("event_types", subscription.event_types))
    if "url" in changes:
        await checked_url(settings, changes["url"])
    before = snapshot(subscription, AUDITED)
    resumed = changes.get("active") is True and not subscription.active
    for name, value in changes.items():
        setattr(subscription, name, value)
    if takes_over:
        subscription.owner_type, subscription.owner_id = principal.kind, principal.id
    if resumed:
        subscription.failing_since = None
        subscription.disabled_at = None
    await session.flush()
    await record_entity(session, principal, ENTITY, "updated", subscription, AUDITED, before=before)
    if resumed:
        await wake(session, subscription)
    return subscription


async def delete_subscription(
    session: AsyncSession, principal: Principal, subscription_id: uuid.UUID
) -> None:
    """Removes the subscription with its deliveries and their attempts."""
    subscription = await get_subscription(
        session, principal, subscription_id, manage=True, lock=True
    )
    await record_entity(session, principal, ENTITY, "deleted", subscription, AUDITED)
    await session.delete(subscription)
    await session.flush()


async def rotate_secret(
    session: AsyncSession, principal: Principal, settings: Settings, subscription_id: uuid.UUID
) -> tuple[WebhookSubscription, str]:
    """A new secret, returned once; the old one keeps signing beside it for the grace period."""
    subscription = await get_subscription(
        session, principal, subscription_id, manage=True, lock=True
    )
    secret = signing.new_secret()
    grace = timedelta(hours=settings.webhook_secret_grace_hours)
    keeps_old = grace > timedelta(0)
    subscription.previous_secret_ciphertext = subscription.secret_ciphertext if keeps_old else None
    subscription.previous_secret_expires_at = clock.utc_now() + grace if keeps_old else None
    subscription.secret_ciphertext = seal(settings, secret)
    await session.flush()
    await record(
        session,
        principal,
        f"{ENTITY}.secret_rotated",
        entity_type=ENTITY,
        entity_id=subscription.id,
        region_id=subscription.region_id,
        after=snapshot(subscription, ("previous_secret_expires_at",)),
    )
    return subscription, secret
