"""Swagger UI loads everything it needs from the service itself, never from a CDN."""

import re

import httpx
import pytest

ASSETS = {
    "/docs/static/swagger-ui-bundle.js": "text/javascript",
    "/docs/static/swagger-ui.css": "text/css",
    "/docs/static/favicon.png": "image/png",
}


async def test_docs_page_names_only_the_services_own_assets(client: httpx.AsyncClient) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200
    linked = set(re.findall(r'(?:src|href)="([^"]+)"', page.text))
    assert linked == set(ASSETS)
    assert "http://" not in page.text
    assert "https://" not in page.text


@pytest.mark.parametrize(("path", "content_type"), ASSETS.items())
async def test_docs_assets_are_served(
    client: httpx.AsyncClient, path: str, content_type: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(content_type)
    assert len(response.content) > 1000


async def test_oauth2_redirect_page_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs/oauth2-redirect")
    assert response.status_code == 200
    assert "oauth2" in response.text


async def test_unknown_asset_is_a_problem_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs/static/nope.js")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
