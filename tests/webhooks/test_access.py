"""Who manages webhooks: region administrators and service accounts with `webhooks:manage`;
superadmins read every region's, and change none (a subscription is its region's). Every other
role, and service accounts without the scope, are refused on every route; another region's
subscription is a 404."""

import uuid
from typing import Any

import httpx

from kinerja_api.models.org import Role
from tests.conftest import ClientWith
from tests.factories import World
from tests.webhooks.helpers import ALLOWED, URL, subscribe

BODY = {"url": "http://127.0.0.1:9/hook", "event_types": ["plan.*"]}


def routes(subscription_id: str, delivery_id: str) -> list[tuple[str, str, Any]]:
    path = f"{URL}/{subscription_id}"
    return [
        ("GET", URL, None),
        ("POST", URL, BODY),
        ("GET", path, None),
        ("PATCH", path, {"active": False}),
        ("DELETE", path, None),
        ("POST", f"{path}/rotate-secret", None),
        ("POST", f"{path}/ping", None),
        ("GET", f"{path}/deliveries", None),
        ("POST", f"{path}/deliveries/{delivery_id}/redeliver", None),
    ]


async def _call(
    client: httpx.AsyncClient, method: str, path: str, body: Any, headers: dict[str, str]
) -> httpx.Response:
    return await client.request(method, path, json=body, headers={**headers, "If-Match": '"1"'})


async def test_every_other_role_and_scope_is_refused_on_every_route(
    client_with: ClientWith, world: World
) -> None:
    region = await world.region()
    agency = await world.agency(region)
    employee = await world.employee(region, agency)
    admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    refused: list[dict[str, str]] = [
        world.auth(await world.service_account(region, "org:read", "progress:read")),
    ]
    for role in sorted(set(Role) - {Role.SUPERADMIN, Role.REGION_ADMIN}):
        linked = employee if role is Role.EMPLOYEE else None
        refused.append(world.auth(await world.user(region, role, employee=linked, agency=agency)))
    async with client_with(**ALLOWED) as client:
        subscription = await subscribe(client, admin, BODY["url"], "plan.*")
        for headers in refused:
            for method, path, body in routes(subscription["id"], str(uuid.uuid4())):
                response = await _call(client, method, path, body, headers)
                assert response.status_code == 403, (method, path, response.text)
                assert response.headers["content-type"] == "application/problem+json"
        anonymous = await client.get(URL)
        assert anonymous.status_code == 401


async def test_superadmins_read_every_regions_subscriptions_and_change_none(
    client_with: ClientWith, world: World
) -> None:
    region = await world.region()
    admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    superadmin = world.auth(await world.user(None, Role.SUPERADMIN))
    async with client_with(**ALLOWED) as client:
        subscription = await subscribe(client, admin, BODY["url"], "plan.*")
        reads = {("GET", URL), ("GET", f"{URL}/{subscription['id']}")}
        reads.add(("GET", f"{URL}/{subscription['id']}/deliveries"))
        for method, path, body in routes(subscription["id"], str(uuid.uuid4())):
            response = await _call(client, method, path, body, superadmin)
            expected = 200 if (method, path) in reads else 403
            assert response.status_code == expected, (method, path, response.text)
        listed = await client.get(URL, headers=superadmin)
        assert subscription["id"] in [item["id"] for item in listed.json()["items"]]


async def test_a_service_account_with_the_scope_manages_its_regions_subscriptions(
    client_with: ClientWith, world: World
) -> None:
    region = await world.region()
    account = world.auth(await world.service_account(region, "webhooks:manage", "progress:read"))
    admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    async with client_with(**ALLOWED) as client:
        by_admin = await subscribe(client, admin, BODY["url"], "plan.*")
        listed = await client.get(URL, headers=account)
        assert [item["id"] for item in listed.json()["items"]] == [by_admin["id"]]
        path = f"{URL}/{by_admin['id']}"
        expected = [
            ("POST", URL, BODY, 201),
            ("GET", path, None, 200),
            ("PATCH", path, {"active": False}, 200),
            ("POST", f"{path}/rotate-secret", None, 200),
            ("POST", f"{path}/ping", None, 202),
            ("GET", f"{path}/deliveries", None, 200),
            ("POST", f"{path}/deliveries/{uuid.uuid4()}/redeliver", None, 404),
            ("DELETE", path, None, 204),
        ]
        for method, route, body, status in expected:
            response = await _call(client, method, route, body, account)
            assert response.status_code == status, (method, route, response.text)


async def test_another_regions_subscription_is_404_on_every_route(
    client_with: ClientWith, world: World
) -> None:
    home, foreign = await world.region(), await world.region()
    foreign_admin = world.auth(await world.user(foreign, Role.REGION_ADMIN))
    callers = [
        world.auth(await world.user(home, Role.REGION_ADMIN)),
        world.auth(await world.service_account(home, "webhooks:manage", "progress:read")),
    ]
    async with client_with(**ALLOWED) as client:
        theirs = await subscribe(client, foreign_admin, BODY["url"], "plan.*")
        pinged = await client.post(f"{URL}/{theirs['id']}/ping", headers=foreign_admin)
        delivery_id = pinged.json()["id"]
        for headers in callers:
            listed = await client.get(URL, headers=headers)
            assert listed.json()["items"] == []
            for method, path, body in routes(theirs["id"], delivery_id)[2:]:
                response = await _call(client, method, path, body, headers)
                assert response.status_code == 404, (method, path, response.text)
                assert response.headers["content-type"] == "application/problem+json"
        still = await client.get(f"{URL}/{theirs['id']}", headers=foreign_admin)
        assert still.status_code == 200
        assert still.json()["version"] == 1, "nothing was changed by the other region"
