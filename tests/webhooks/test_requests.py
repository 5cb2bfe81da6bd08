"""What administrators ask for: a ping to one receiver, an event sent again, a new secret that
signs beside the old one for the grace period."""

import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.config import Settings
from kinerja_api.core import clock
from kinerja_api.webhooks.signing import signature
from tests.conftest import ClientWith
from tests.factories import World
from tests.webhooks.helpers import (
    ALLOWED,
    URL,
    Receiver,
    deliver_all,
    deliveries,
    put_event,
    readme_verify,
    region_admin,
    send_requested,
    subscribe,
)


async def test_a_ping_goes_to_its_subscription_alone(
    client_with: ClientWith,
    world: World,
    connection: AsyncConnection,
    receiver: Receiver,
    live: Settings,
) -> None:
    region, admin = await region_admin(world)
    async with client_with(**ALLOWED) as client:
        pinged = await subscribe(client, admin, receiver.url("/pinged"))
        other = await subscribe(client, admin, receiver.url("/other"), "webhook.*")
        path = f"{URL}/{pinged['id']}"
        # Also while the subscription is off: a ping tests the receiver before turning it on.
        await client.patch(path, json={"active": False}, headers={**admin, "If-Match": '"1"'})
        answer = await client.post(f"{path}/ping", headers=admin)
        assert answer.status_code == 202, answer.text
        made = answer.json()
        assert (made["kind"], made["event_type"], made["status"], made["event_id"]) == (
            "ping",
            "webhook.ping",
            "pending",
            None,
        )
        assert await send_requested(connection, live, region.id, pinged["id"]) == 1
        await deliver_all(connection, live, region.id, other["id"])
        [listed] = await deliveries(client, admin, pinged)
    [request] = receiver.requests
    assert request.path == "/pinged"
    assert request.headers["x-kinerja-event"] == "webhook.ping"
    assert request.headers["x-kinerja-delivery"] == made["id"]
    assert readme_verify()(request.body, request.headers["x-kinerja-signature"], pinged["secret"])
    body = json.loads(request.body)
    assert (body["id"], body["type"], body["data"]) == (
        None,
        "webhook.ping",
        {"subscription_id": pinged["id"]},
    )
    assert (listed["status"], len(listed["attempts"])) == ("delivered", 1)


async def test_a_failed_ping_is_tried_once(
    client_with: ClientWith,
    world: World,
    connection: AsyncConnection,
    receiver: Receiver,
    live: Settings,
) -> None:
    region, admin = await region_admin(world)
    receiver.answer("/hook", 502)
    async with client_with(**ALLOWED) as client:
        subscription = await subscribe(client, admin, receiver.url())
        await client.post(f"{URL}/{subscription['id']}/ping", headers=admin)
        await send_requested(connection, live, region.id, subscription["id"])
        assert await send_requested(connection, live, region.id, subscription["id"]) == 0
        [made] = await deliveries(client, admin, subscription)
    assert (made["status"], made["next_attempt_at"]) == ("failed", None)
    assert [a["http_status"] for a in made["attempts"]] == [502]


async def test_an_event_is_redelivered_as_a_new_delivery(
    client_with: ClientWith,
    world: World,
    connection: AsyncConnection,
    receiver: Receiver,
    live: Settings,
) -> None:
    region, admin = await region_admin(world)
    async with client_with(**ALLOWED) as client:
        subscription = await subscribe(client, admin, receiver.url())
        await put_event(connection, region.id)
        await deliver_all(connection, live, region.id, subscription["id"])
        [original] = await deliveries(client, admin, subscription)
        path = f"{URL}/{subscription['id']}/deliveries/{original['id']}/redeliver"
        answer = await client.post(path, headers=admin)
        assert answer.status_code == 202, answer.text
        again = answer.json()
        assert (again["kind"], again["redelivery_of"], again["event_id"]) == (
            "redelivery",
            original["id"],
            original["event_id"],
        )
        assert again["id"] != original["id"]
        assert await send_requested(connection, live, region.id, subscription["id"]) == 1
        unknown = await client.post(
            f"{URL}/{subscription['id']}/deliveries/{uuid.uuid4()}/redeliver", headers=admin
        )
        assert unknown.status_code == 404
        # Once the subscription no longer names the event, it is not sent again.
        await client.patch(
            f"{URL}/{subscription['id']}",
            json={"event_types": ["plan.*"]},
            headers={**admin, "If-Match": '"1"'},
        )
        refused = await client.post(path, headers=admin)
        assert refused.status_code == 409, refused.text
        # Deleting the subscription takes its deliveries and their attempts along.
        deleted = await client.delete(f"{URL}/{subscription['id']}", headers=admin)
        assert deleted.status_code == 204, deleted.text
        assert (await client.post(path, headers=admin)).status_code == 404
    first, second = receiver.requests
    assert json.loads(first.body) == json.loads(second.body), "the same event"
    assert [first.headers["x-kinerja-delivery"], second.headers["x-kinerja-delivery"]] == [
        original["id"],
        again["id"],
    ]


async def test_a_rotated_secret_signs_beside_the_old_one_for_the_grace_period(
    client_with: ClientWith,
    world: World,
    connection: AsyncConnection,
    receiver: Receiver,
    live: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    region, admin = await region_admin(world)
    verify = readme_verify()
    async with client_with(**ALLOWED) as client:
        subscription = await subscribe(client, admin, receiver.url())
        old = subscription["secret"]
        rotated = await client.post(f"{URL}/{subscription['id']}/rotate-secret", headers=admin)
        assert rotated.status_code == 200, rotated.text
        new = rotated.json()["secret"]
        assert new != old
        assert rotated.headers["ETag"] == '"2"'
        expires = rotated.json()["previous_secret_expires_at"]
        await put_event(connection, region.id)
        await deliver_all(connection, live, region.id, subscription["id"])
        # After the grace period only the new secret signs.
        after_grace = clock.utc_now() + timedelta(hours=live.webhook_secret_grace_hours, seconds=1)
        monkeypatch.setattr(clock, "utc_now", lambda: after_grace)
        await put_event(connection, region.id)
        await deliver_all(connection, live, region.id, subscription["id"])
    assert expires is not None
    during, later = receiver.requests
    header = during.headers["x-kinerja-signature"]
    assert header.count("v1=") == 2
    assert verify(during.body, header, new)
    assert verify(during.body, header, old), "a receiver not yet switched still verifies"
    later_header = later.headers["x-kinerja-signature"]
    assert later_header.count("v1=") == 1
    # The pinned clock stamps the signature; the README's freshness check reads the wall clock.
    stamp = int(later_header.split(",")[0].removeprefix("t="))
    assert stamp == int(after_grace.timestamp())
    assert not _signed_with(later.body, later_header, old)
    assert _signed_with(later.body, later_header, new)


def _signed_with(body: bytes, header: str, secret: str) -> bool:
    fields = dict(part.split("=", 1) for part in header.split(",") if part.startswith("t="))
    signatures = [part[3:] for part in header.split(",") if part.startswith("v1=")]
    return signature(secret, int(fields["t"]), body) in signatures
