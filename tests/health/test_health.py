import asyncio

import httpx
import pytest
from fastapi import FastAPI

from kinerja_api.config import Settings
from kinerja_api.main import create_app
from kinerja_api.migrations_info import migration_head


async def test_live(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "migration": None}


async def test_ready_reports_the_migration_head(committing_app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=committing_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        response = await http.get("/health/ready")
    await committing_app.state.db.dispose()
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "migration": migration_head()}


async def test_ready_is_503_when_schema_is_behind(committing_app: FastAPI) -> None:
    committing_app.state.migration_head = "9999"
    transport = httpx.ASGITransport(app=committing_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        response = await http.get("/health/ready", headers={"Accept-Language": "en"})
    await committing_app.state.db.dispose()
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/service-unavailable")
    assert "9999" in body["detail"]


async def test_ready_is_503_when_database_unreachable() -> None:
    settings = Settings(
        env="test", database_url="postgresql://nobody@127.0.0.1:1/none", access_log=False
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        response = await http.get("/health/ready")
    await app.state.db.dispose()
    assert response.status_code == 503
    assert response.json()["status"] == 503
    assert response.headers["retry-after"] == "5"


@pytest.mark.parametrize("path", ["/health/live", "/nope"])
async def test_metrics_count_requests_by_route_template(
    client: httpx.AsyncClient, path: str
) -> None:
    await client.get(path)
    metrics = (await client.get("/metrics")).text
    template = path if path != "/nope" else "unmatched"
    assert f'kinerja_http_requests_total{{method="GET",route="{template}"' in metrics
    assert "kinerja_http_request_duration_seconds_bucket" in metrics


async def test_a_probe_cut_short_returns_its_connection(committing_app: FastAPI) -> None:
    db = committing_app.state.db
    try:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.2):
                await db.fetch_value("select pg_sleep(5)")
        assert db.engine.pool.checkedout() == 0
        assert await db.fetch_value("select 1") == 1
    finally:
        await db.dispose()
