"""The webhooks in the contract: one OpenAPI 3.1 `webhooks` entry per event type a subscription
may receive, its body the delivery's envelope around the `data` model the event is published
with (`catalogue.deliverable()`, itself `core.events.EVENT_DATA`), its headers the signature, the
delivery id and the event type. Nothing here lists event types by hand: a type declared in a
domain's `events.py` appears once the app has imported it."""

import inspect
from functools import cache
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Response
from pydantic import create_model

from kinerja_api.core.events import EventData
from kinerja_api.webhooks import catalogue, signing
from kinerja_api.webhooks.schemas import WebhookEvent

_HEADERS = (
    (
        "signature",
        signing.SIGNATURE_HEADER,
        '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`; a second `v1` while a '
        "rotated-out secret is still valid. Verify before trusting the body (README, Webhooks).",
    ),
    (
        "delivery",
        signing.DELIVERY_HEADER,
        "The delivery's id, the same on each retry: drop a delivery already processed.",
    ),
    ("event", signing.EVENT_HEADER, "The event type, as in the body's `type`."),
)
RESPONSES: dict[int | str, dict[str, Any]] = {
    "2XX": {
        "description": "Taken. Anything else, or no answer within the timeouts, is retried "
        "with backoff for 24 hours (a ping or a redelivery: once)."
    }
}


@cache
def envelope(model: type[EventData], types: tuple[str, ...]) -> type[WebhookEvent]:
    """The body of a delivery of the event types `types`, whose `data` is `model`."""
    name = model.__name__.removesuffix("Data") + "Webhook"
    kind: Any = Literal[types]
    created: type[WebhookEvent] = create_model(
        name,
        __base__=WebhookEvent,
        __doc__=(model.__doc__ or "").strip() or None,
        type=(kind, ...),
        data=(model, ...),
    )
    return created


def _receiver(body: type[WebhookEvent]) -> Any:
    """A stand-in endpoint whose signature describes the request the receiver gets."""

    async def receive(**_request: Any) -> None:  # never called: the service sends, not serves
        return None

    parameters = [inspect.Parameter("body", inspect.Parameter.KEYWORD_ONLY, annotation=body)]
    parameters += [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[str, Header(alias=header, description=text)],
        )
        for name, header, text in _HEADERS
    ]
    receive.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    return receive


def declare_webhooks(webhooks: APIRouter) -> None:
    """Adds one webhook per deliverable event type to `webhooks` (the app's `app.webhooks`)."""
    deliverable = catalogue.deliverable()
    by_model: dict[type[EventData], list[str]] = {}
    for event_type, model in deliverable.items():
        by_model.setdefault(model, []).append(event_type)
    for event_type, model in deliverable.items():
        body = envelope(model, tuple(by_model[model]))
        webhooks.add_api_route(
            event_type,
            _receiver(body),
            methods=["POST"],
            operation_id="webhook-" + event_type.replace(".", "-").replace("_", "-"),
            summary=f"`{event_type}` delivered to a subscription",
            description=(model.__doc__ or "").strip(),
            tags=["webhooks"],
            response_class=Response,
            responses=RESPONSES,
            # The receiver authenticates a delivery by its signature header, not a scheme.
            openapi_extra={"security": []},
        )
