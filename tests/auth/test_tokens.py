"""Access-token verification: every forged, stale or misdirected token is a 401 problem."""

import asyncio
import base64
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from jose import jwt
from pydantic import SecretStr

from kinerja_api.auth.tokens import InvalidToken
from kinerja_api.config import Settings
from kinerja_api.main import create_app
from kinerja_api.models.org import Role
from tests.factories import World

ME = "/api/v1/me"


def _claims(user: Any, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": "kinerja-api",
        "aud": "kinerja-api",
        "sub": str(user.id),
        "iat": now,
        "exp": now + 300,
        "kind": "user",
        "region": str(user.region_id),
        "roles": ["region_admin"],
        "scope": "",
    }
    claims.update(overrides)
    return claims


def _key(app: FastAPI) -> str:
    settings: Settings = app.state.settings
    return settings.jwt_keys[settings.jwt_active_kid].get_secret_value()


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _rsa_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


FORGERIES: dict[str, Callable[[FastAPI, Any], str]] = {
    "alg none": lambda app, user: (
        f"{_b64({'alg': 'none', 'typ': 'at+jwt', 'kid': 'dev-1'})}.{_b64(_claims(user))}."
    ),
    "signed with another key": lambda app, user: jwt.encode(
        _claims(user), "x" * 64, algorithm="HS256", headers={"kid": "dev-1", "typ": "at+jwt"}
    ),
    "RS256 instead of the pinned HS256": lambda app, user: jwt.encode(
        _claims(user), _rsa_pem(), algorithm="RS256", headers={"kid": "dev-1", "typ": "at+jwt"}
    ),
    "HS512 with the right secret": lambda app, user: jwt.encode(
        _claims(user), _key(app), algorithm="HS512", headers={"kid": "dev-1", "typ": "at+jwt"}
    ),
    "expired": lambda app, user: jwt.encode(
        _claims(user, iat=int(time.time()) - 900, exp=int(time.time()) - 60),
        _key(app),
        algorithm="HS256",
        headers={"kid": "dev-1", "typ": "at+jwt"},
    ),
    "wrong audience": lambda app, user: jwt.encode(
        _claims(user, aud="someone-else"),
        _key(app),
        algorithm="HS256",
        headers={"kid": "dev-1", "typ": "at+jwt"},
    ),
    "wrong issuer": lambda app, user: jwt.encode(
        _claims(user, iss="evil"),
        _key(app),
        algorithm="HS256",
        headers={"kid": "dev-1", "typ": "at+jwt"},
    ),
    "wrong typ (an ID token)": lambda app, user: jwt.encode(
        _claims(user), _key(app), algorithm="HS256", headers={"kid": "dev-1", "typ": "JWT"}
    ),
    "unknown kid": lambda app, user: jwt.encode(
        _claims(user), _key(app), algorithm="HS256", headers={"kid": "other", "typ": "at+jwt"}
    ),
    "no exp": lambda app, user: jwt.encode(
        {k: v for k, v in _claims(user).items() if k != "exp"},
        _key(app),
        algorithm="HS256",
        headers={"kid": "dev-1", "typ": "at+jwt"},
    ),
}


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
async def test_forged_tokens_are_refused(
    client: httpx.AsyncClient, world: World, app: FastAPI, forgery: str
) -> None:
    region = await world.region()
    user = await world.user(region, Role.REGION_ADMIN)
    token = FORGERIES[forgery](app, user)
    response = await client.get(ME, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_tampered_payload_is_refused(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    user = await world.user(region, Role.EMPLOYEE)
    header, _payload, signature = world.token(user).split(".")
    escalated = _b64(_claims(user, roles=["superadmin"]))
    response = await client.get(
        ME, headers={"Authorization": f"Bearer {header}.{escalated}.{signature}"}
    )
    assert response.status_code == 401


@pytest.mark.parametrize("authorization", [None, "Bearer", "Basic abc", "Bearer not-a-jwt"])
async def test_missing_or_malformed_authorization(
    client: httpx.AsyncClient, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = await client.get(ME, headers=headers)
    assert response.status_code == 401
    assert response.json()["status"] == 401


async def test_valid_token_identifies_the_caller(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    agency = await world.agency(region)
    boss = await world.employee(region, agency)
    staff = await world.employee(region, agency, supervisor=boss)
    user = await world.user(region, Role.EMPLOYEE, employee=boss)
    response = await client.get(ME, headers=world.auth(user))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(user.id)
    assert body["region_id"] == str(region.id)
    assert body["roles"] == ["employee"]
    assert body["is_supervisor"] is True
    assert staff.supervisor_id == boss.id


async def test_keys_rotate_old_kid_still_verifies(settings: Settings, world: World) -> None:
    old_app = create_app(
        settings.model_copy(
            update={"jwt_keys": {"k-old": SecretStr("o" * 40)}, "jwt_active_kid": "k-old"}
        )
    )
    rotated = create_app(
        settings.model_copy(
            update={
                "jwt_keys": {"k-old": SecretStr("o" * 40), "k-new": SecretStr("n" * 40)},
                "jwt_active_kid": "k-new",
            }
        )
    )
    retired = create_app(
        settings.model_copy(
            update={"jwt_keys": {"k-new": SecretStr("n" * 40)}, "jwt_active_kid": "k-new"}
        )
    )
    region = await world.region()
    user = await world.user(region, Role.EMPLOYEE)
    token = World(world.connection, old_app).token(user)
    assert rotated.state.token_service.verify(token).id == user.id
    assert jwt.get_unverified_header(World(world.connection, rotated).token(user))["kid"] == "k-new"
    with pytest.raises(InvalidToken):
        retired.state.token_service.verify(token)


def _signed(app: FastAPI, claims: dict[str, Any]) -> str:
    return jwt.encode(
        claims, _key(app), algorithm="HS256", headers={"kid": "dev-1", "typ": "at+jwt"}
    )


async def test_a_verified_token_is_not_trusted_past_its_expiry(app: FastAPI, world: World) -> None:
    region = await world.region()
    user = await world.user(region, Role.EMPLOYEE)
    now = int(time.time())
    token = _signed(app, _claims(user, iat=now, exp=now + 1))
    verifier = app.state.token_service
    assert verifier.verify(token).id == user.id
    assert verifier.verify(token).id == user.id  # from memory, the second time
    await asyncio.sleep(now + 2.05 - time.time())  # past `exp`, in jose's whole seconds too
    with pytest.raises(InvalidToken):
        verifier.verify(token)


async def test_verified_tokens_kept_are_bounded(
    app: FastAPI, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kinerja_api.auth.tokens.VERIFIED_CACHE_SIZE", 3)
    region = await world.region()
    user = await world.user(region, Role.EMPLOYEE)
    verifier = create_app(app.state.settings).state.token_service
    tokens = [_signed(app, _claims(user, jti=str(n))) for n in range(5)]
    for token in tokens:
        assert verifier.verify(token).id == user.id
    assert list(verifier._verified) == tokens[2:]
    # A forgery of a remembered token (its claims changed, its signature kept) is still refused.
    header, _payload, signature = tokens[-1].split(".")
    with pytest.raises(InvalidToken):
        verifier.verify(f"{header}.{_b64(_claims(user, roles=['superadmin']))}.{signature}")
