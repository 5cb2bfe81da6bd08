"""Webhooks: a subscription (its secret sealed with the test settings' key) and a delivery,
inserted as the tables hold them."""

import uuid
from typing import Any

from kinerja_api.core import clock
from kinerja_api.models.webhooks import WebhookDelivery, WebhookSubscription
from kinerja_api.webhooks.secret_box import seal
from kinerja_api.webhooks.signing import new_secret
from tests.factories.base import Factories

FACTORY_SECRET = new_secret()


class WebhooksFactories(Factories):
    async def webhook_subscription(self, region: Any, **values: Any) -> Any:
        return await self._insert(
            WebhookSubscription,
            region_id=region.id,
            url=values.pop("url", "https://hooks.example.go.id/kinerja"),
            event_types=values.pop("event_types", ["plan.*"]),
            secret_ciphertext=seal(self.app.state.settings, FACTORY_SECRET),
            owner_type=values.pop("owner_type", "user"),
            owner_id=values.pop("owner_id", uuid.uuid4()),
            **values,
        )

    async def webhook_delivery(self, subscription: Any, **values: Any) -> Any:
        return await self._insert(
            WebhookDelivery,
            region_id=subscription.region_id,
            subscription_id=subscription.id,
            kind=values.pop("kind", "ping"),
            event_type=values.pop("event_type", "webhook.ping"),
            created_at=values.pop("created_at", clock.utc_now()),
            **values,
        )
