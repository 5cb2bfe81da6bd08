"""Webhook subscriptions: created with a secret shown once (idempotently), read with ETags,
listed with cursors, changed with If-Match, deleted; event types checked against the catalogue
and a service account's scopes; every change audited."""

import uuid
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.config import Settings
from kinerja_api.models.audit import AuditEvent
from kinerja_api.models.org import Role
from kinerja_api.models.webhooks import WebhookSubscription
from kinerja_api.webhooks.secret_box import unseal
from tests.conftest import ClientWith
from tests.factories import World
from tests.webhooks.helpers import URL

RECEIVER = "http://127.0.0.1:9/hook"
ALLOWED = {"webhook_allowed_hosts": ["127.0.0.1"]}


def body(**values: Any) -> dict[str, Any]:
    return {"url": RECEIVER, "event_types": ["plan.approved", "progress.*"], **values}


async def test_a_subscription_is_created_with_its_secret_shown_once(
    client_with: ClientWith, world: World, connection: AsyncConnection, settings: Settings
) -> None:
    region = await world.region()
    admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    async with client_with(**ALLOWED) as client:
        headers = {**admin, "Idempotency-Key": "sub-1"}
        created = await client.post(URL, json=body(description="SIMPEG"), headers=headers)
        assert created.status_code == 201, created.text
        out = created.json()
        assert out["secret"].startswith("whsec_")
        assert out["event_types"] == ["plan.approved", "progress.*"]
        assert (out["active"], out["owner_type"], out["description"]) == (True, "user", "SIMPEG")
        assert created.headers["Location"] == f"{URL}/{out['id']}"
        replay = await client.post(URL, json=body(description="SIMPEG"), headers=headers)
        assert replay.status_code == 201
        assert replay.headers["Idempotent-Replayed"] == "true"
        assert replay.json()["id"] == out["id"]
        assert replay.json()["secret"] is None, "a lost secret is rotated, never replayed"
        read = await client.get(f"{URL}/{out['id']}", headers=admin)
        assert read.status_code == 200
        assert "secret" not in read.json()
        assert read.headers["ETag"] == '"1"'

    await enter_all_regions(connection)
    stored = await connection.scalar(
        select(WebhookSubscription.secret_ciphertext).where(
            WebhookSubscription.id == uuid.UUID(out["id"])
        )
    )
    assert stored is not None
    assert out["secret"] not in stored, "stored encrypted"
    assert unseal(settings, stored) == out["secret"]
    audited = await connection.scalars(
        select(AuditEvent.changes).where(AuditEvent.entity_id == out["id"])
    )
    assert all(out["secret"] not in str(changes) for changes in audited)


async def test_list_update_and_delete(client_with: ClientWith, world: World) -> None:
    region = await world.region()
    admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    async with client_with(**ALLOWED) as client:
        ids = [
            (await client.post(URL, json=body(description=f"n{i}"), headers=admin)).json()["id"]
            for i in range(3)
        ]
        first = await client.get(URL, params={"limit": 2}, headers=admin)
        rest = await client.get(
            URL, params={"limit": 2, "cursor": first.json()["next_cursor"]}, headers=admin
        )
        listed = [item["id"] for item in first.json()["items"] + rest.json()["items"]]
        # One transaction in a test: the same created_at, so the id decides.
        assert listed == sorted(ids)
        assert rest.json()["next_cursor"] is None

        path = f"{URL}/{ids[0]}"
        missing = await client.patch(path, json={"active": False}, headers=admin)
        assert missing.status_code == 428
        stale = await client.patch(
            path, json={"active": False}, headers={**admin, "If-Match": '"7"'}
        )
        assert stale.status_code == 412
        changed = await client.patch(
            path,
            json={"active": False, "description": None, "event_types": ["training.*"]},
            headers={**admin, "If-Match": '"1"'},
        )
        assert changed.status_code == 200, changed.text
        assert changed.headers["ETag"] == '"2"'
        out = changed.json()
        assert (out["active"], out["description"], out["event_types"]) == (
            False,
            None,
            ["training.*"],
        )
        inactive = await client.get(URL, params={"active": "false"}, headers=admin)
        assert [item["id"] for item in inactive.json()["items"]] == [ids[0]]

        deleted = await client.delete(path, headers=admin)
        assert deleted.status_code == 204
        assert (await client.get(path, headers=admin)).status_code == 404


@pytest.mark.parametrize(
    ("event_types", "refused"),
    [
        (["plan.nonsense"], "plan.nonsense"),
        (["nowhere.*"], "nowhere.*"),
        # A rater's own evaluation events go to the rater alone, never to a webhook.
        (["evaluation.assigned"], "evaluation.assigned"),
        (["evaluation.submitted", "plan.approved"], "evaluation.submitted"),
    ],
)
async def test_event_types_come_from_the_catalogue(
    client_with: ClientWith, world: World, event_types: list[str], refused: str
) -> None:
    region = await world.region()
    admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    async with client_with(**ALLOWED) as client:
        response = await client.post(URL, json=body(event_types=event_types), headers=admin)
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert (error["field"], error["code"]) == ("body.event_types", "event_type_unknown")
    assert refused in error["message"]


@pytest.mark.parametrize(
    "url",
    [
        "ftp://127.0.0.1/hook",
        "https://user:pw@127.0.0.1/hook",
        "https://127.0.0.1/hook#fragment",
        "not a url at all",
    ],
)
async def test_malformed_urls_are_refused(client_with: ClientWith, world: World, url: str) -> None:
    region = await world.region()
    admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    async with client_with(**ALLOWED) as client:
        response = await client.post(URL, json=body(url=url), headers=admin)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] in ("body.url",)


async def test_production_takes_https_only(client_with: ClientWith, world: World) -> None:
    region = await world.region()
    admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    async with client_with(env="production", **ALLOWED) as client:
        plain = await client.post(URL, json=body(), headers=admin)
        secure = await client.post(URL, json=body(url="https://127.0.0.1/hook"), headers=admin)
    assert plain.status_code == 422
    assert "https" in plain.json()["errors"][0]["message"]
    assert secure.status_code == 201, secure.text


async def test_a_service_account_subscribes_to_what_its_scopes_read(
    client_with: ClientWith, world: World
) -> None:
    region = await world.region()
    account = await world.service_account(region, "webhooks:manage", "plans:read")
    headers = world.auth(account)
    async with client_with(**ALLOWED) as client:
        plans = await client.post(
            URL, json=body(event_types=["plan.*", "target.created"]), headers=headers
        )
        streamed = await client.post(URL, json=body(event_types=["progress.*"]), headers=headers)
        complaints = await client.post(
            URL, json=body(event_types=["complaint.submitted"]), headers=headers
        )
    # Plan events travel on the progress stream, which a service account reads with
    # progress:read; target edits with plans:read; complaints with no scope at all.
    assert plans.status_code == 422
    message = plans.json()["errors"][0]["message"]
    assert "plan.*" in message
    assert "target.created" not in message
    assert streamed.status_code == 422
    assert complaints.status_code == 422
    assert complaints.json()["errors"][0]["code"] == "event_type_unreadable"


async def test_a_service_account_with_the_stream_scope_subscribes(
    client_with: ClientWith, world: World
) -> None:
    region = await world.region()
    account = await world.service_account(region, "webhooks:manage", "progress:read")
    async with client_with(**ALLOWED) as client:
        created = await client.post(
            URL,
            json=body(event_types=["plan.*", "training.completed"]),
            headers=world.auth(account),
        )
    assert created.status_code == 201, created.text
    assert (created.json()["owner_type"], created.json()["owner_id"]) == (
        "service_account",
        str(account.id),
    )


async def test_changing_where_events_go_makes_the_caller_the_owner(
    client_with: ClientWith, world: World
) -> None:
    region = await world.region()
    admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    account = await world.service_account(region, "webhooks:manage", "progress:read")
    as_account = world.auth(account)
    async with client_with(**ALLOWED) as client:
        plans = (await client.post(URL, json=body(event_types=["plan.*"]), headers=admin)).json()
        path = f"{URL}/{plans['id']}"
        described = await client.patch(
            path, json={"description": "x"}, headers={**as_account, "If-Match": '"1"'}
        )
        assert described.json()["owner_type"] == "user", "a description changes no owner"
        moved = await client.patch(
            path,
            json={"url": "http://127.0.0.1:10/other"},
            headers={**as_account, "If-Match": '"2"'},
        )
        assert (moved.json()["owner_type"], moved.json()["owner_id"]) == (
            "service_account",
            str(account.id),
        )
        # Taking over a subscription to what the account may not read is refused.
        complaints = (
            await client.post(URL, json=body(event_types=["complaint.*"]), headers=admin)
        ).json()
        refused = await client.patch(
            f"{URL}/{complaints['id']}",
            json={"url": "http://127.0.0.1:10/mine"},
            headers={**as_account, "If-Match": '"1"'},
        )
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["code"] == "event_type_unreadable"


async def test_changes_are_audited(
    client_with: ClientWith, world: World, connection: AsyncConnection
) -> None:
    region = await world.region()
    admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    async with client_with(**ALLOWED) as client:
        created = (await client.post(URL, json=body(), headers=admin)).json()
        path = f"{URL}/{created['id']}"
        await client.patch(path, json={"active": False}, headers={**admin, "If-Match": '"1"'})
        await client.post(f"{path}/rotate-secret", headers=admin)
        await client.delete(path, headers=admin)
    await enter_all_regions(connection)
    actions = list(
        await connection.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity_id == created["id"])
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
        )
    )
    assert actions == [
        "webhook_subscription.created",
        "webhook_subscription.updated",
        "webhook_subscription.secret_rotated",
        "webhook_subscription.deleted",
    ]


async def test_bad_input_is_a_422(client_with: ClientWith, world: World) -> None:
    region = await world.region()
    admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    async with client_with(**ALLOWED) as client:
        for bad in (
            body(event_types=[]),
            body(event_types=["plan.approved\x00"]),
            body(url="http://127.0.0.1/\x00"),
            body(secret="mine"),
            body(description="x" * 1001),
        ):
            response = await client.post(URL, json=bad, headers=admin)
            assert response.status_code == 422, (bad, response.text)


async def test_messages_follow_accept_language(client_with: ClientWith, world: World) -> None:
    region = await world.region()
    admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    bad = body(event_types=["plan.nonsense"])
    async with client_with(**ALLOWED) as client:
        indonesian = await client.post(URL, json=bad, headers=admin)
        english = await client.post(URL, json=bad, headers={**admin, "Accept-Language": "en"})
    assert "Jenis kejadian tidak dikenal" in indonesian.json()["detail"]
    assert "Event types unknown" in english.json()["detail"]
