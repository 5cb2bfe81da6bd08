"""Server-side request forgery: a receiver whose host resolves to an address of any non-public
class is refused when the subscription is saved, and again at every delivery (a host that turns
private only later), unless the operator allows the host; a delivery connects to the address it
checked."""

import ipaddress
import json

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.config import Settings
from kinerja_api.webhooks import addresses
from kinerja_api.webhooks.addresses import IPAddress
from tests.conftest import ClientWith
from tests.factories import World
from tests.webhooks.helpers import (
    URL,
    Receiver,
    deliver_all,
    deliveries,
    put_event,
    region_admin,
    subscribe,
)

HOST = "hooks.example.test"
PUBLIC = ipaddress.ip_address("93.184.216.34")
REFUSED = {
    "127.0.0.1": "loopback",
    "127.8.9.10": "loopback",
    "::1": "loopback",
    "10.1.2.3": "private",
    "172.16.5.4": "private",
    "192.168.1.10": "private",
    "fc00::5": "private",
    "169.254.10.20": "link-local",
    "fe80::1": "link-local",
    "169.254.169.254": "cloud metadata",
    "fd00:ec2::254": "cloud metadata",
    "224.0.0.251": "multicast",
    "ff02::1": "multicast",
    "0.0.0.0": "unspecified",  # noqa: S104 - an address to refuse, not to bind
    "::": "unspecified",
    "240.0.0.1": "reserved",
    "100.64.0.1": "non-public",
    "::ffff:10.0.0.1": "private",
    "2002:a00:1::": "private",  # 6to4 around 10.0.0.1
}


def resolving_to(monkeypatch: pytest.MonkeyPatch, *found: str) -> None:
    async def resolve(host: str, port: int) -> list[IPAddress]:
        assert host == HOST
        return [ipaddress.ip_address(address) for address in found]

    monkeypatch.setattr(addresses, "resolve_host", resolve)


@pytest.mark.parametrize(("address", "kind"), sorted(REFUSED.items()))
def test_each_address_class_is_named(address: str, kind: str) -> None:
    assert addresses.kind_of(ipaddress.ip_address(address)) == kind


def test_public_addresses_pass() -> None:
    for address in ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"):
        assert addresses.kind_of(ipaddress.ip_address(address)) is None


async def test_a_host_resolving_to_any_refused_address_is_refused_at_creation(
    client_with: ClientWith, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _region, admin = await region_admin(world)
    async with client_with() as client:
        for address, kind in REFUSED.items():
            # One bad answer among good ones is enough.
            resolving_to(monkeypatch, str(PUBLIC), address)
            response = await client.post(
                URL, json={"url": f"https://{HOST}/hook", "event_types": ["plan.*"]}, headers=admin
            )
            assert response.status_code == 422, (address, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            error = response.json()["errors"][0]
            assert (error["field"], error["code"]) == ("body.url", "url_refused")
            assert kind in error["message"], (address, error)
        resolving_to(monkeypatch, str(PUBLIC))
        response = await client.post(
            URL, json={"url": f"https://{HOST}/hook", "event_types": ["plan.*"]}, headers=admin
        )
        assert response.status_code == 201, response.text


async def test_address_literals_are_checked_too(client_with: ClientWith, world: World) -> None:
    _region, admin = await region_admin(world)
    async with client_with() as client:
        for url in (
            "http://127.0.0.1:8080/hook",
            "http://[::1]/hook",
            "http://169.254.169.254/latest/meta-data/",
            "http://10.0.0.8/hook",
            "http://[fd00:ec2::254]/",
        ):
            response = await client.post(
                URL, json={"url": url, "event_types": ["plan.*"]}, headers=admin
            )
            assert response.status_code == 422, (url, response.text)


async def test_a_host_that_does_not_resolve_is_refused(
    client_with: ClientWith, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _region, admin = await region_admin(world)

    async def unresolvable(host: str, port: int) -> list[IPAddress]:
        raise OSError("Name or service not known")

    monkeypatch.setattr(addresses, "resolve_host", unresolvable)
    async with client_with() as client:
        response = await client.post(
            URL, json={"url": f"https://{HOST}/", "event_types": ["plan.*"]}, headers=admin
        )
    assert response.status_code == 422
    assert HOST in response.json()["errors"][0]["message"]


async def test_an_allowed_host_is_not_checked(
    client_with: ClientWith, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _region, admin = await region_admin(world)
    resolving_to(monkeypatch, "10.20.30.40")
    async with client_with(webhook_allowed_hosts=[HOST]) as client:
        response = await client.post(
            URL, json={"url": f"https://{HOST}/", "event_types": ["plan.*"]}, headers=admin
        )
    assert response.status_code == 201, response.text


async def test_a_host_that_turns_private_after_creation_is_refused_at_delivery(
    client_with: ClientWith,
    world: World,
    connection: AsyncConnection,
    receiver: Receiver,
    live: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    region, admin = await region_admin(world)
    resolving_to(monkeypatch, str(PUBLIC))
    async with client_with() as client:
        subscription = await subscribe(client, admin, f"http://{HOST}:{receiver.port}/hook")
        # The name now answers with a private address (DNS rebinding).
        resolving_to(monkeypatch, "10.9.8.7")
        await put_event(connection, region.id)
        retry_at = await deliver_all(connection, live, region.id, subscription["id"])
        [made] = await deliveries(client, admin, subscription)
    assert retry_at is not None, "a refused attempt is a failed attempt, retried"
    assert receiver.requests == []
    [attempt] = made["attempts"]
    assert attempt["succeeded"] is False
    assert attempt["http_status"] is None
    assert attempt["error"].startswith("refused: ")
    assert "private" in attempt["error"]
    assert "10.9.8.7" in attempt["error"]


async def test_a_delivery_connects_to_the_address_it_checked_and_keeps_the_name(
    client_with: ClientWith,
    world: World,
    connection: AsyncConnection,
    receiver: Receiver,
    live: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The name resolves to the receiver's address (allowed for the test); the request reaches
    that very address, and the receiver still sees the name in `Host`."""
    region, admin = await region_admin(world)
    resolving_to(monkeypatch, "127.0.0.1")
    allowed = live.model_copy(update={"webhook_allowed_hosts": [HOST]})
    async with client_with(webhook_allowed_hosts=[HOST]) as client:
        subscription = await subscribe(client, admin, f"http://{HOST}:{receiver.port}/hook")
        await put_event(connection, region.id)
        await deliver_all(connection, allowed, region.id, subscription["id"])
    [request] = receiver.requests
    assert request.headers["host"] == f"{HOST}:{receiver.port}"
    assert json.loads(request.body)["type"] == "survey.received"


async def test_redirects_are_not_followed(
    client_with: ClientWith,
    world: World,
    connection: AsyncConnection,
    receiver: Receiver,
    live: Settings,
) -> None:
    region, admin = await region_admin(world)
    receiver.answer("/hook", 307)
    async with client_with(webhook_allowed_hosts=["127.0.0.1"]) as client:
        subscription = await subscribe(client, admin, receiver.url())
        await put_event(connection, region.id)
        await deliver_all(connection, live, region.id, subscription["id"])
        [made] = await deliveries(client, admin, subscription)
    assert len(receiver.requests) == 1
    [attempt] = made["attempts"]
    assert (attempt["http_status"], attempt["error"]) == (307, "redirects are not followed")
