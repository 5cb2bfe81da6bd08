import uuid
from typing import Annotated

from fastapi import Query, Request, Response
from fastapi.responses import JSONResponse

from kinerja_api.auth.access import requires
from kinerja_api.auth.principal import Principal
from kinerja_api.config import Settings
from kinerja_api.core.etag import IfMatch, created_headers, set_etag
from kinerja_api.core.idempotency import IdempotencyKey, idempotent_create, shown_once
from kinerja_api.core.pagination import Page, PageQuery
from kinerja_api.core.problems import problem_responses
from kinerja_api.core.routing import Router
from kinerja_api.core.schemas import query_parameters
from kinerja_api.core.uow import DbSession
from kinerja_api.models.org import Role
from kinerja_api.webhooks import deliveries, service
from kinerja_api.webhooks.catalogue import MANAGE_SCOPE
from kinerja_api.webhooks.schemas import (
    DeliveryFilters,
    DeliveryOut,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionFilters,
    SubscriptionOut,
    SubscriptionSort,
    SubscriptionUpdate,
    SubscriptionWithSecret,
)

router = Router(prefix="/api/v1/webhook-subscriptions", tags=["webhooks"])
Manager = Annotated[Principal, requires(Role.REGION_ADMIN, scopes=[MANAGE_SCOPE])]
# Superadmins read every region's subscriptions and deliveries; changes are the region's.
Reader = Annotated[Principal, requires(Role.SUPERADMIN, Role.REGION_ADMIN, scopes=[MANAGE_SCOPE])]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.get(
    "",
    name="list",
    summary="List webhook subscriptions",
    response_model=Page[SubscriptionOut],
    responses=problem_responses(400, 401, 403, 422),
)
async def list_subscriptions(
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    filters: Annotated[SubscriptionFilters, query_parameters(SubscriptionFilters)],
    sort: Annotated[SubscriptionSort, Query()] = SubscriptionSort.CREATED_AT,
) -> Page[SubscriptionOut]:
    """The region's subscriptions (every region's for superadmins), without their secrets."""
    items, cursor = await service.list_subscriptions(
        session, principal, filters=filters, sort=sort, page=page
    )
    return Page(items=items, next_cursor=cursor)


@router.post(
    "",
    status_code=201,
    name="create",
    summary="Subscribe a receiver to events",
    response_model=SubscriptionCreated,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_subscription(
    request: Request,
    body: SubscriptionCreate,
    session: DbSession,
    principal: Manager,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """The receiver gets every event of the named types committed from now on, signed with the
    `secret` this response carries once (store it now). Its host must resolve to public
    addresses; a service account subscribes only to what its scopes read."""
    issued: list[str] = []

    async def run() -> tuple[SubscriptionCreated, dict[str, str]]:
        subscription, secret = await service.create_subscription(
            session, principal, _settings(request), body
        )
        issued.append(secret)
        headers = created_headers(router.prefix, subscription.id, subscription.version)
        out = service.subscription_out(subscription)
        return SubscriptionCreated(**out.model_dump(), secret=None), headers

    # The secret is added after the idempotency record is stored, so it is never kept in clear.
    response = await idempotent_create(
        session, request, principal_key=principal.key, key=idempotency_key, payload=body, create=run
    )
    return shown_once(response, "secret", issued[0] if issued else None)


@router.get(
    "/{subscription_id}",
    name="get",
    summary="Get a webhook subscription",
    response_model=SubscriptionOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_subscription(
    subscription_id: uuid.UUID, session: DbSession, principal: Reader, response: Response
) -> SubscriptionOut:
    """One subscription of the caller's region, with its `ETag`, without its secret."""
    subscription = await service.get_subscription(session, principal, subscription_id)
    set_etag(response, subscription.version)
    return service.subscription_out(subscription)


@router.patch(
    "/{subscription_id}",
    name="update",
    summary="Change a webhook subscription",
    response_model=SubscriptionOut,
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def update_subscription(
    request: Request,
    subscription_id: uuid.UUID,
    body: SubscriptionUpdate,
    session: DbSession,
    principal: Manager,
    response: Response,
    if_match: IfMatch = None,
) -> SubscriptionOut:
    """Change the URL, event types, description or active flag (`If-Match` required). Turning
    a subscription back on sends what it missed, in order."""
    subscription = await service.update_subscription(
        session, principal, _settings(request), subscription_id, body, if_match
    )
    set_etag(response, subscription.version)
    return service.subscription_out(subscription)


@router.delete(
    "/{subscription_id}",
    status_code=204,
    name="delete",
    summary="Delete a webhook subscription",
    response_class=Response,
    responses=problem_responses(401, 403, 404, 422),
)
async def delete_subscription(
    subscription_id: uuid.UUID, session: DbSession, principal: Manager
) -> Response:
    """Stop sending to the receiver; the subscription's deliveries go with it."""
    await service.delete_subscription(session, principal, subscription_id)
    return Response(status_code=204)


@router.post(
    "/{subscription_id}/rotate-secret",
    name="rotate-secret",
    summary="Rotate a webhook subscription's signing secret",
    response_model=SubscriptionWithSecret,
    responses=problem_responses(401, 403, 404, 422),
)
async def rotate_secret(
    request: Request,
    subscription_id: uuid.UUID,
    session: DbSession,
    principal: Manager,
    response: Response,
) -> SubscriptionWithSecret:
    """A new secret, returned once. Until `previous_secret_expires_at` every delivery carries
    two signatures (`v1=<new>,v1=<old>`), so the receiver can switch at its own pace."""
    subscription, secret = await service.rotate_secret(
        session, principal, _settings(request), subscription_id
    )
    set_etag(response, subscription.version)
    out = service.subscription_out(subscription)
    return SubscriptionWithSecret(**out.model_dump(), secret=secret)


@router.post(
    "/{subscription_id}/ping",
    status_code=202,
    name="ping",
    summary="Send a test event to a webhook subscription",
    response_model=DeliveryOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def ping(subscription_id: uuid.UUID, session: DbSession, principal: Manager) -> DeliveryOut:
    """A `webhook.ping` to this receiver alone, signed like any delivery, sent at once (also
    while the subscription is off), one attempt; see its outcome in the deliveries."""
    return await deliveries.ping(session, principal, subscription_id)


@router.get(
    "/{subscription_id}/deliveries",
    name="list-deliveries",
    summary="List a webhook subscription's deliveries",
    response_model=Page[DeliveryOut],
    responses=problem_responses(400, 401, 403, 404, 422),
)
async def list_deliveries(
    subscription_id: uuid.UUID,
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    filters: Annotated[DeliveryFilters, query_parameters(DeliveryFilters)],
) -> Page[DeliveryOut]:
    """The newest first, each with its attempts: when, the receiver's status, the latency, the
    start of its answer, why it failed, and when the next attempt is due."""
    items, cursor = await deliveries.list_deliveries(
        session, principal, subscription_id, filters=filters, page=page
    )
    return Page(items=items, next_cursor=cursor)


@router.post(
    "/{subscription_id}/deliveries/{delivery_id}/redeliver",
    status_code=202,
    name="redeliver",
    summary="Send a delivery's event again",
    response_model=DeliveryOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def redeliver(
    subscription_id: uuid.UUID, delivery_id: uuid.UUID, session: DbSession, principal: Manager
) -> DeliveryOut:
    """The same event as a new delivery (an id of its own: receivers that drop duplicates by
    delivery id take it), sent at once, one attempt. 409 when the subscription no longer
    carries the event (its types or its owner's scopes changed)."""
    return await deliveries.redeliver(session, principal, subscription_id, delivery_id)
