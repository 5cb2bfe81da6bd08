"""Settings: production refuses weak secrets; docs can be switched off."""

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr, ValidationError

from kinerja_api.config import DEV_SECRET, MIN_SECRET_LENGTH, Settings
from kinerja_api.main import create_app

STRONG = "s" * MIN_SECRET_LENGTH
OTHER_STRONG = "t" * 48
THIRD_STRONG = "u" * 40
DATABASE_URL = "postgresql://kinerja:pw@db.internal/kinerja"


def production(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "env": "production",
        "database_url": DATABASE_URL,
        "jwt_keys": {"k1": STRONG},
        "jwt_active_kid": "k1",
        "cursor_secret": OTHER_STRONG,
        "webhook_secret_key": THIRD_STRONG,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests here construct Settings themselves; the runner's KINERJA_* must not leak in."""
    for name in [
        "KINERJA_ENV",
        "KINERJA_DATABASE_URL",
        "KINERJA_JWT_KEYS",
        "KINERJA_JWT_ACTIVE_KID",
        "KINERJA_CURSOR_SECRET",
        "KINERJA_WEBHOOK_SECRET_KEY",
        "KINERJA_DOCS_ENABLED",
    ]:
        monkeypatch.delenv(name, raising=False)


def test_strong_production_settings_are_accepted() -> None:
    settings = production()
    assert settings.env == "production"
    assert settings.jwt_keys["k1"].get_secret_value() == STRONG
    assert settings.cursor_secret.get_secret_value() == OTHER_STRONG
    assert STRONG not in repr(settings)


def test_rotation_with_several_strong_keys_is_accepted() -> None:
    settings = production(jwt_keys={"k1": STRONG, "k2": OTHER_STRONG}, jwt_active_kid="k2")
    assert set(settings.jwt_keys) == {"k1", "k2"}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"jwt_keys": {"dev-1": DEV_SECRET}, "jwt_active_kid": "dev-1"}, "jwt_keys[dev-1]"),
        ({"jwt_keys": {"k1": "short"}}, "jwt_keys[k1]"),
        ({"jwt_keys": {"k1": "x" * (MIN_SECRET_LENGTH - 1)}}, "jwt_keys[k1]"),
        ({"jwt_keys": {"k1": STRONG, "old": "weak"}}, "jwt_keys[old]"),
        ({"cursor_secret": DEV_SECRET}, "cursor_secret"),
        ({"cursor_secret": "short"}, "cursor_secret"),
        ({"webhook_secret_key": DEV_SECRET}, "webhook_secret_key"),
        ({"webhook_secret_key": "short"}, "webhook_secret_key"),
        ({"jwt_active_kid": "missing"}, "jwt_active_kid"),
        ({"jwt_keys": {}}, "jwt_active_kid"),
        ({"database_url": None}, "database_url"),
        ({"database_url": ""}, "database_url"),
    ],
)
def test_weak_production_settings_are_refused(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        production(**overrides)
    assert message in str(caught.value)


def test_production_defaults_are_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(_env_file=None, env="production", database_url=DATABASE_URL)
    with pytest.raises(ValidationError):
        Settings(_env_file=None, env="production")


def test_refusal_does_not_print_the_secret() -> None:
    with pytest.raises(ValidationError) as caught:
        production(jwt_keys={"k1": "tiny-but-secret"})
    assert "tiny-but-secret" not in str(caught.value)


def test_production_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINERJA_ENV", "production")
    monkeypatch.setenv("KINERJA_DATABASE_URL", DATABASE_URL)
    monkeypatch.setenv("KINERJA_JWT_KEYS", json.dumps({"a": STRONG, "b": OTHER_STRONG}))
    monkeypatch.setenv("KINERJA_JWT_ACTIVE_KID", "b")
    monkeypatch.setenv("KINERJA_CURSOR_SECRET", OTHER_STRONG)
    monkeypatch.setenv("KINERJA_WEBHOOK_SECRET_KEY", THIRD_STRONG)
    settings = Settings(_env_file=None)
    assert settings.env == "production"
    assert settings.jwt_keys == {"a": SecretStr(STRONG), "b": SecretStr(OTHER_STRONG)}
    assert settings.jwt_active_kid == "b"

    monkeypatch.setenv("KINERJA_CURSOR_SECRET", "short")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)


@pytest.mark.parametrize("env", ["development", "test"])
def test_development_defaults_are_allowed_outside_production(env: str) -> None:
    settings = Settings(_env_file=None, env=env)
    assert settings.cursor_secret.get_secret_value() == DEV_SECRET
    assert settings.database_url is None


def test_unknown_environment_is_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(_env_file=None, env="staging")


@pytest.fixture
async def docs_off(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"docs_enabled": False}))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
    await app.state.db.dispose()


async def test_docs_enabled_serves_docs_and_schema(client: httpx.AsyncClient) -> None:
    assert (await client.get("/docs")).status_code == 200
    schema = await client.get("/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "kinerja-api"


@pytest.mark.parametrize(
    "path",
    ["/docs", "/openapi.json", "/docs/oauth2-redirect", "/docs/static/swagger-ui.css", "/redoc"],
)
async def test_docs_disabled_hides_docs_and_schema(docs_off: httpx.AsyncClient, path: str) -> None:
    response = await docs_off.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert (await docs_off.get("/health/live")).status_code == 200
