"""No route may be mounted without a declared access rule."""

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from kinerja_api.auth.access import AccessRule


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def _rules(route: APIRoute) -> tuple[list[AccessRule], bool]:
    calls = list(_calls(route.dependant))
    rules = [call.__access_rule__ for call in calls if hasattr(call, "__access_rule__")]
    public = getattr(route.endpoint, "__public_route__", False)
    return rules, public


def api_routes(routes: list[Any]) -> list[APIRoute]:
    """Every API route, including those of included routers."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found.extend(api_routes(route.original_router.routes))
    return found


def test_every_route_declares_exactly_one_access_rule(app: FastAPI) -> None:
    routes = api_routes(app.routes)
    assert len(routes) > 10
    undeclared = []
    for route in routes:
        rules, public = _rules(route)
        if (len(rules) == 1) == public or len(rules) > 1:
            undeclared.append(f"{sorted(route.methods)} {route.path}")
    assert undeclared == [], f"routes without exactly one access rule: {undeclared}"


def test_protected_routes_show_their_security_in_openapi(app: FastAPI) -> None:
    """Open operations say `security: []` (or list optional credentials beside `{}`); protected
    ones require OAuth2 with exactly the scopes a service account needs."""
    document = app.openapi()
    for route in api_routes(app.routes):
        rules, public = _rules(route)
        for method in route.methods:
            security = document["paths"][route.path][method.lower()]["security"]
            if public:
                assert security == [] or security[0] == {}, f"{method} {route.path}"
            else:
                scopes = sorted(rules[0].scopes)
                assert security == [{"OAuth2": scopes}], f"{method} {route.path}"
