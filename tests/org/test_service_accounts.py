from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.models.audit import AuditEvent
from kinerja_api.models.org import Role
from kinerja_api.models.platform import IdempotencyRecord
from tests.factories import World

ACCOUNTS = "/api/v1/service-accounts"


def error_fields(response: httpx.Response) -> set[str]:
    assert response.status_code == 422, response.text
    return {e["field"] for e in response.json()["errors"]}


async def client_token(client: httpx.AsyncClient, client_id: str, secret: str) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )


async def audit_changes(connection: AsyncConnection, entity_id: object) -> list[dict[str, Any]]:
    await enter_all_regions(connection)
    rows = await connection.execute(
        select(AuditEvent.changes)
        .where(AuditEvent.entity_id == str(entity_id))
        .order_by(AuditEvent.id)
    )
    return list(rows.scalars())


async def test_region_admin_creates_updates_and_rotates_a_service_account(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    region = await world.region()
    admin = await world.user(region, Role.REGION_ADMIN)
    headers = world.auth(admin)
    body = {"name": "SIMPEG Bungo", "scopes": ["org:write", "org:read", "org:read"]}

    created = await client.post(ACCOUNTS, json=body, headers=headers)
    assert created.status_code == 201, created.text
    account = created.json()
    assert created.headers["location"] == f"{ACCOUNTS}/{account['id']}"
    assert created.headers["etag"] == f'"{account["version"]}"'
    assert account["region_id"] == str(region.id)
    assert account["scopes"] == ["org:read", "org:write"]
    assert account["client_id"].startswith("svc_")
    secret = account["client_secret"]
    assert len(secret) >= 43
    granted = await client_token(client, account["client_id"], secret)
    assert granted.status_code == 200, granted.text

    fetched = await client.get(f"{ACCOUNTS}/{account['id']}", headers=headers)
    assert fetched.status_code == 200
    assert "client_secret" not in fetched.json()
    assert "secret_hash" not in fetched.json()
    etag = fetched.headers["etag"]
    patch = await client.patch(
        f"{ACCOUNTS}/{account['id']}",
        json={"name": "SIMPEG", "scopes": ["audit:read"]},
        headers={**headers, "If-Match": etag},
    )
    assert patch.status_code == 200, patch.text
    assert patch.json()["scopes"] == ["audit:read"]
    assert patch.json()["version"] == account["version"] + 1

    rotated = await client.post(f"{ACCOUNTS}/{account['id']}/rotate-secret", headers=headers)
    assert rotated.status_code == 200, rotated.text
    new_secret = rotated.json()["client_secret"]
    assert new_secret != secret
    assert rotated.headers["etag"] == f'"{rotated.json()["version"]}"'
    assert (await client_token(client, account["client_id"], secret)).status_code == 401
    assert (await client_token(client, account["client_id"], new_secret)).status_code == 200

    assert await world.audit_actions(account["id"]) == [
        "service_account.created",
        "service_account.updated",
        "service_account.secret_rotated",
    ]
    changes = await audit_changes(connection, account["id"])
    assert changes[0]["after"]["secret_hash"] == "[redacted]"
    assert changes[0]["after"]["client_id"] == account["client_id"]
    assert changes[2] == {"after": {"secret_hash": "[redacted]"}}
    assert secret not in str(changes)
    assert new_secret not in str(changes)


async def test_deactivated_account_gets_no_tokens(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    admin = await world.user(region, Role.REGION_ADMIN)
    created = (
        await client.post(
            ACCOUNTS, json={"name": "Lama", "scopes": ["org:read"]}, headers=world.auth(admin)
        )
    ).json()
    url = f"{ACCOUNTS}/{created['id']}"
    missing = await client.patch(url, json={"active": False}, headers=world.auth(admin))
    assert missing.status_code == 428
    stale = await client.patch(
        url, json={"active": False}, headers={**world.auth(admin), "If-Match": '"7"'}
    )
    assert stale.status_code == 412
    done = await client.patch(
        url, json={"active": False}, headers={**world.auth(admin), "If-Match": '"1"'}
    )
    assert done.status_code == 200, done.text
    token = await client_token(client, created["client_id"], created["client_secret"])
    assert token.status_code == 401


async def test_service_account_input_is_validated(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    admin = await world.user(region, Role.REGION_ADMIN)
    headers = world.auth(admin)
    response = await client.post(
        ACCOUNTS,
        json={
            "name": "",
            "scopes": ["org:read", "payroll:write"],
            "client_id": "svc_mine",
            "client_secret": "chosen-by-me",
            "region_id": str(region.id),
        },
        headers=headers,
    )
    assert error_fields(response) == {
        "body.name",
        "body.scopes.1",
        "body.client_id",
        "body.client_secret",
        "body.region_id",
    }
    empty = await client.post(ACCOUNTS, json={"name": "X", "scopes": []}, headers=headers)
    assert error_fields(empty) == {"body.scopes"}
    account = await world.service_account(region, "org:read")
    patch = await client.patch(
        f"{ACCOUNTS}/{account.id}",
        json={"scopes": ["root"], "secret_hash": "x"},
        headers={**headers, "If-Match": '"1"'},
    )
    assert error_fields(patch) == {"body.scopes.0", "body.secret_hash"}


async def test_create_replay_never_reveals_or_stores_the_secret(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    region = await world.region()
    admin = await world.user(region, Role.REGION_ADMIN)
    headers = {**world.auth(admin), "Idempotency-Key": "svc-1"}
    body = {"name": "e-Kinerja", "scopes": ["org:read"]}
    first = await client.post(ACCOUNTS, json=body, headers=headers)
    assert first.status_code == 201, first.text
    secret = first.json()["client_secret"]
    assert secret

    again = await client.post(ACCOUNTS, json=body, headers=headers)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == {**first.json(), "client_secret": None}
    assert again.headers["location"] == first.headers["location"]
    different = await client.post(ACCOUNTS, json={**body, "name": "Lain"}, headers=headers)
    assert different.status_code == 422

    stored = await connection.scalar(
        select(IdempotencyRecord.response_body).where(IdempotencyRecord.key == "svc-1")
    )
    assert stored is not None
    assert secret not in str(stored)
    assert await world.audit_actions(first.json()["id"]) == ["service_account.created"]


async def test_service_account_list_filters_and_pages(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    admin = await world.user(region, Role.REGION_ADMIN)
    headers = world.auth(admin)
    ids = []
    for name in ("Beta", "Alfa", "Gamma"):
        response = await client.post(
            ACCOUNTS, json={"name": name, "scopes": ["org:read"]}, headers=headers
        )
        ids.append(response.json()["id"])
    beta, alfa, gamma = ids
    await client.patch(
        f"{ACCOUNTS}/{gamma}", json={"active": False}, headers={**headers, "If-Match": '"1"'}
    )

    async def listed(**params: Any) -> list[str]:
        response = await client.get(ACCOUNTS, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [a["id"] for a in response.json()["items"]]

    assert await listed() == [alfa, beta, gamma]
    assert await listed(active=True) == [alfa, beta]
    assert await listed(active=False) == [gamma]
    assert await listed(updated_since="2999-01-01T00:00:00Z") == []
    assert sorted(await listed(sort="updated_at")) == sorted(ids)
    first = await client.get(ACCOUNTS, params={"limit": 2}, headers=headers)
    assert [a["id"] for a in first.json()["items"]] == [alfa, beta]
    cursor = first.json()["next_cursor"]
    second = await client.get(ACCOUNTS, params={"limit": 2, "cursor": cursor}, headers=headers)
    assert [a["id"] for a in second.json()["items"]] == [gamma]
    assert second.json()["next_cursor"] is None
    assert all("client_secret" not in a for a in first.json()["items"])
    wrong = await client.get(ACCOUNTS, params={"cursor": cursor, "active": True}, headers=headers)
    assert wrong.status_code == 400


async def test_only_region_admins_manage_and_superadmins_read(
    client: httpx.AsyncClient, world: World
) -> None:
    region, other = await world.region(), await world.region()
    agency = await world.agency(region)
    account = await world.service_account(region, "org:read")
    foreign = await world.service_account(other, "org:read")
    url = f"{ACCOUNTS}/{account.id}"

    superadmin = world.auth(await world.user(None, Role.SUPERADMIN))
    listed = await client.get(ACCOUNTS, params={"limit": 200}, headers=superadmin)
    assert {str(account.id), str(foreign.id)} <= {a["id"] for a in listed.json()["items"]}
    assert (await client.get(url, headers=superadmin)).status_code == 200
    body = {"name": "X", "scopes": ["org:read"]}
    assert (await client.post(ACCOUNTS, json=body, headers=superadmin)).status_code == 403
    patch = await client.patch(url, json={"name": "Y"}, headers={**superadmin, "If-Match": '"1"'})
    assert patch.status_code == 403
    assert (await client.post(f"{url}/rotate-secret", headers=superadmin)).status_code == 403

    refused = [
        await world.user(region, Role.AGENCY_ADMIN, agency=agency),
        await world.user(region, Role.AUDITOR),
        await world.user(region, Role.EMPLOYEE),
        await world.user(region, Role.TRAINING_ADMIN),
        await world.service_account(region, "org:read", "org:write", "audit:read"),
    ]
    for principal in refused:
        headers = world.auth(principal)
        assert (await client.get(ACCOUNTS, headers=headers)).status_code == 403
        assert (await client.get(url, headers=headers)).status_code == 403
        assert (await client.post(ACCOUNTS, json=body, headers=headers)).status_code == 403
        assert (await client.post(f"{url}/rotate-secret", headers=headers)).status_code == 403
    assert (await client.get(ACCOUNTS)).status_code == 401
    assert await world.audit_actions(account.id) == []


async def test_another_regions_accounts_do_not_exist(
    client: httpx.AsyncClient, world: World
) -> None:
    region, other = await world.region(), await world.region()
    foreign = await world.service_account(other, "org:read")
    admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    url = f"{ACCOUNTS}/{foreign.id}"
    listed = await client.get(ACCOUNTS, headers=admin)
    assert str(foreign.id) not in {a["id"] for a in listed.json()["items"]}
    assert (await client.get(url, headers=admin)).status_code == 404
    patch = await client.patch(url, json={"name": "X"}, headers={**admin, "If-Match": '"1"'})
    assert patch.status_code == 404
    assert (await client.post(f"{url}/rotate-secret", headers=admin)).status_code == 404
    assert await world.audit_actions(foreign.id) == []
