"""The `data` of the events webhooks publish. `webhook.disabled` is an outbox event like any
other (another subscription of the region may follow it); `webhook.ping` never enters the outbox:
it is sent to the subscription that asked for it alone."""

import uuid
from datetime import datetime
from typing import Literal, get_args

from kinerja_api.core.events import EventData

PingEventType = Literal["webhook.ping"]
DisabledEventType = Literal["webhook.disabled"]
PING = "webhook.ping"
DISABLED = "webhook.disabled"


class PingEventData(EventData):
    """A test delivery asked for with `POST /webhook-subscriptions/{id}/ping`."""

    event_types = frozenset(get_args(PingEventType))

    subscription_id: uuid.UUID


class DisabledEventData(EventData):
    """A subscription whose every attempt failed for too long was switched off; `PATCH` it
    with `active: true` to resume (its undelivered events follow)."""

    event_types = frozenset(get_args(DisabledEventType))

    subscription_id: uuid.UUID
    url: str
    failing_since: datetime
    disabled_at: datetime
