"""The token endpoint: password and client-credentials grants, throttling, refresh rotation."""

import base64
from typing import Any

import httpx
import pytest

from kinerja_api.auth import throttle
from kinerja_api.models.org import Role
from tests.factories import PASSWORD, World

TOKEN = "/api/v1/auth/token"


async def _sign_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> Any:
    return await client.post(
        TOKEN, data={"grant_type": "password", "username": username, "password": password}
    )


async def test_password_grant_by_email_and_by_nip(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    agency = await world.agency(region)
    employee = await world.employee(region, agency)
    user = await world.user(region, Role.EMPLOYEE, employee=employee, email="Siti@Bungo.go.id")
    for username in ("siti@bungo.go.id", employee.nip):
        response = await _sign_in(client, username)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["token_type"] == "bearer"
        assert body["refresh_token"].startswith("krt_")
        me = await client.get(
            "/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"}
        )
        assert me.json()["id"] == str(user.id)


@pytest.mark.parametrize(
    ("extra_form", "headers"),
    [
        # Swagger UI's Authorize dialog by default: empty client credentials in HTTP Basic.
        ({}, {"Authorization": "Basic " + base64.b64encode(b":").decode()}),
        # "Client credentials location: Request body", with a client id typed in.
        ({"client_id": "swagger-ui"}, {}),
    ],
)
async def test_password_grant_as_swagger_ui_sends_it(
    client: httpx.AsyncClient, world: World, extra_form: dict[str, str], headers: dict[str, str]
) -> None:
    region = await world.region()
    user = await world.user(region, Role.EMPLOYEE)
    form = {"grant_type": "password", "scope": "", "username": user.email, "password": PASSWORD}
    response = await client.post(TOKEN, data=form | extra_form, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["token_type"] == "bearer"


async def test_unknown_user_and_wrong_password_answer_identically(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    await world.user(region, Role.EMPLOYEE, email="ada@example.go.id")
    wrong = await _sign_in(client, "ada@example.go.id", "salah-sekali-passwordnya")
    unknown = await _sign_in(client, "tidak-ada@example.go.id")
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"] == "invalid_grant"


async def test_inactive_user_cannot_sign_in(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    user = await world.user(region, Role.EMPLOYEE)
    from sqlalchemy import update

    from kinerja_api.models.org import User

    await world.connection.execute(update(User).where(User.id == user.id).values(active=False))
    assert (await _sign_in(client, user.email)).status_code == 400


async def test_repeated_failures_lock_the_account(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    user = await world.user(region, Role.EMPLOYEE)
    for _ in range(throttle.ACCOUNT_LIMIT):
        assert (await _sign_in(client, user.email, "bukan-passwordnya-x")).status_code == 400
    locked = await _sign_in(client, user.email)
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert locked.json()["type"].endswith("/rate-limited")


async def test_repeated_failures_lock_the_client_address(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    user = await world.user(region, Role.EMPLOYEE)
    for attempt in range(throttle.ADDRESS_LIMIT):
        await _sign_in(client, f"nobody{attempt}@example.go.id", "bukan-passwordnya-x")
    assert (await _sign_in(client, user.email)).status_code == 429


async def test_missing_fields_are_422(client: httpx.AsyncClient) -> None:
    response = await client.post(TOKEN, data={"grant_type": "password", "username": "x"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.password"
    bad_grant = await client.post(TOKEN, data={"grant_type": "implicit"})
    assert bad_grant.status_code == 422


async def test_nul_characters_are_422_not_a_database_error(client: httpx.AsyncClient) -> None:
    in_the_form = await client.post(
        TOKEN, data={"grant_type": "password", "username": "a\x00b", "password": "x"}
    )
    assert in_the_form.status_code == 422, in_the_form.text
    assert in_the_form.json()["errors"][0]["field"] == "body.username"
    basic = base64.b64encode(b"client\x00id:secret").decode()
    in_basic_auth = await client.post(
        TOKEN,
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert in_basic_auth.status_code == 422, in_basic_auth.text
    assert in_basic_auth.json()["errors"][0]["field"] == "body.client_id"


async def test_client_credentials_grant(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    account = await world.service_account(region, "org:read", "org:write")
    form = await client.post(
        TOKEN,
        data={
            "grant_type": "client_credentials",
            "client_id": account.client_id,
            "client_secret": PASSWORD,
            "scope": "org:read",
        },
    )
    assert form.status_code == 200, form.text
    assert form.json()["scope"] == "org:read"
    assert form.json()["refresh_token"] is None
    basic = await client.post(
        TOKEN,
        data={"grant_type": "client_credentials"},
        auth=(account.client_id, PASSWORD),
    )
    assert basic.status_code == 200
    assert basic.json()["scope"] == "org:read org:write"
    wrong = await client.post(
        TOKEN, data={"grant_type": "client_credentials"}, auth=(account.client_id, "nope")
    )
    assert wrong.status_code == 401
    too_wide = await client.post(
        TOKEN,
        data={"grant_type": "client_credentials", "scope": "audit:read"},
        auth=(account.client_id, PASSWORD),
    )
    assert too_wide.status_code == 400


@pytest.mark.parametrize("via_token_endpoint", [False, True])
async def test_refresh_rotates_and_reuse_revokes_the_family(
    client: httpx.AsyncClient, world: World, via_token_endpoint: bool
) -> None:
    region = await world.region()
    user = await world.user(region, Role.EMPLOYEE)
    first = (await _sign_in(client, user.email)).json()["refresh_token"]

    async def refresh(token: str) -> httpx.Response:
        if via_token_endpoint:
            return await client.post(
                TOKEN, data={"grant_type": "refresh_token", "refresh_token": token}
            )
        return await client.post("/api/v1/auth/refresh", json={"refresh_token": token})

    rotated = await refresh(first)
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()["refresh_token"]
    assert second != first
    reused = await refresh(first)
    assert reused.status_code == 400
    # The reuse revoked the whole family, including the newest link.
    assert (await refresh(second)).status_code == 400


async def test_logout_revokes_the_family(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    user = await world.user(region, Role.EMPLOYEE)
    token = (await _sign_in(client, user.email)).json()["refresh_token"]
    assert (
        await client.post("/api/v1/auth/logout", json={"refresh_token": token})
    ).status_code == 204
    after = await client.post("/api/v1/auth/refresh", json={"refresh_token": token})
    assert after.status_code == 400
    garbage = await client.post("/api/v1/auth/refresh", json={"refresh_token": "krt_zz.yy-xx"})
    assert garbage.status_code == 400
