"""Routing: a router passes over paths outside its prefix without trying its routes, and every
operation of the contract still reaches its own route."""

import re
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Match
from starlette.types import Receive, Scope, Send

from kinerja_api.config import Settings
from kinerja_api.core.routing import Router
from kinerja_api.main import create_app
from kinerja_api.routers import ROUTERS

_PARAMETER = re.compile(r"\{[^}]+\}")


def _scope(method: str, path: str, root_path: str = "") -> Scope:
    return {"type": "http", "method": method, "path": path, "root_path": root_path, "headers": []}


@pytest.fixture
def routed(monkeypatch: pytest.MonkeyPatch) -> list[APIRoute]:
    """The routes requests reach; their endpoints do not run."""
    reached: list[APIRoute] = []

    async def handle(route: APIRoute, scope: Scope, receive: Receive, send: Send) -> None:
        reached.append(route)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    monkeypatch.setattr(APIRoute, "handle", handle)
    return reached


async def _request(app: FastAPI, method: str, path: str) -> None:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        return None

    await app(
        {**_scope(method, path), "asgi": {"version": "3.0"}, "query_string": b"", "raw_path": b""},
        receive,
        send,
    )


async def test_every_operation_reaches_its_own_route(
    settings: Settings, routed: list[APIRoute]
) -> None:
    app = create_app(settings)
    operations = [
        (method.upper(), template)
        for template, item in app.openapi()["paths"].items()
        for method in item
    ]
    assert len(operations) > 50
    for method, template in operations:
        routed.clear()
        await _request(app, method, _PARAMETER.sub(str(uuid.uuid4()), template))
        assert [(route.path, method in route.methods) for route in routed] == [(template, True)]


def test_a_router_passes_over_paths_outside_its_prefix() -> None:
    router = Router(prefix="/api/v1/plans")
    assert router.matches(_scope("GET", "/api/v1/periods")) == (Match.NONE, {})
    assert router.matches(_scope("GET", "/api/v1/plansx")) == (Match.NONE, {})


def test_routers_are_mounted_under_their_own_prefix_only(settings: Settings) -> None:
    # The prefix check reads the router's own prefix, so none may be included under another.
    app = create_app(settings)
    included = [route for route in app.router.routes if hasattr(route, "original_router")]
    assert [route.original_router for route in included] == ROUTERS
    assert {route.include_context.prefix for route in included} == {""}
