"""The published contract: FastAPI's OpenAPI document, finished in one place.

Clients are generated from `openapi/openapi.json` alone (TypeScript, Python, mobile), so the
document says everything the service does on the wire, in names a generator can use:

- schema names read as the domain's (`Period`, `PlanPage`, `Problem`, `TokenRequest`), one title
  per name; a name the rules cannot make clean (a module path, a duplicate) stops the build;
- who may call each operation: the OAuth2 scopes a service account needs (none listed: people
  only, as the description says), `security: []` on open operations;
- the headers each response carries (`components.headers`), `If-Match` required where its absence
  is a 428, examples on request bodies, main responses and errors;
- the Server-Sent Events of a stream: each event type and the schema of its `data`;
- the webhooks the service sends (OpenAPI 3.1 `webhooks`), declared on `app.webhooks`.

`install_openapi` makes this the app's `app.openapi`, so `/openapi.json` and the committed file
are the same document.
"""

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from kinerja_api.core.csv_export import CSV_MEDIA_TYPE
from kinerja_api.core.openapi_schemas import (
    SCHEMAS,
    Document,
    example_of,
    problem_example,
    rename_schemas,
    resolve,
)
from kinerja_api.core.problems import KIND_BY_STATUS, PROBLEM_MEDIA_TYPE

HEADERS = "#/components/headers/"
OAUTH2 = "OAuth2"
EVENT_STREAM = "text/event-stream"
_JSON = "application/json"


@dataclass(frozen=True, slots=True)
class OperationAccess:
    """Who may call an operation, as the contract states it. `scopes`: what a service account
    needs (none: service accounts are refused); `roles`: the people admitted (empty: any
    signed-in person, the object decides)."""

    public: bool = False
    scopes: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    any_token: bool = False


@dataclass(frozen=True, slots=True)
class Tag:
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class ContractInfo:
    """What the document says about itself and about the service's own rules."""

    tags: Sequence[Tag]
    servers: Sequence[Mapping[str, str]]
    contact: Mapping[str, str]
    license: Mapping[str, str]
    security_schemes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


AccessOf = Callable[[APIRoute], OperationAccess]


# --- Response headers ------------------------------------------------------------------------

_TEXT = {"type": "string"}
RESPONSE_HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {
        "description": "The request's id, taken from the request's own `X-Request-ID` when it is "
        "1-128 characters of `A-Za-z0-9._:-`, else generated; every log line of the request "
        "carries it.",
        "schema": {**_TEXT, "pattern": r"^[A-Za-z0-9._:-]{1,128}$"},
        "example": "5f0c2a7e9b1d4c3e8a6f0b2d4e6f8a1c",
    },
    "ETag": {
        "description": "The resource's current version; send it back in `If-Match` to update.",
        "schema": {**_TEXT, "pattern": r'^"[0-9]+"$'},
        "example": '"3"',
    },
    "Location": {
        "description": "The path of the resource just created (or, with 202, of the job "
        "just accepted).",
        "schema": _TEXT,
        "example": "/api/v1/plans/0b5c3f9e-6a1d-4c1e-9a57-3d2f6c1b8e42",
    },
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored answer to an earlier request with the "
        "same `Idempotency-Key` and body; absent on the first answer.",
        "schema": {**_TEXT, "enum": ["true"]},
        "example": "true",
    },
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {**_TEXT, "pattern": r"^[0-9]+$"},
        "example": "30",
    },
    "WWW-Authenticate": {
        "description": "The authentication challenge: a bearer token is required.",
        "schema": _TEXT,
        "example": 'Bearer realm="kinerja-api"',
    },
    "Cache-Control": {
        "description": "`no-store`: a stream is never cached.",
        "schema": {**_TEXT, "enum": ["no-store"]},
        "example": "no-store",
    },
    "Content-Disposition": {
        "description": "A file to save (a list as CSV, an export's file), named by the list "
        "and the day in the region's calendar.",
        "schema": {**_TEXT, "pattern": r'^attachment; filename="[A-Za-z0-9._-]+"$'},
        "example": 'attachment; filename="employees-2026-12-07.csv"',
    },
    "X-Accel-Buffering": {
        "description": "`no`: tells nginx not to buffer the stream.",
        "schema": {**_TEXT, "enum": ["no"]},
        "example": "no",
    },
}
_ALWAYS_SENT = frozenset({"X-Request-ID"})


def _header_ref(name: str) -> dict[str, str]:
    return {"$ref": HEADERS + name}


def _headers_of(status: str, operation: Document, document: Document) -> list[str]:
    """The headers the service sends with `status` of this operation (see etag, idempotency,
    ratelimit, middleware and the access rules), by the mechanism that sends them."""
    names = ["X-Request-ID"]
    parameters = {p.get("name") for p in operation.get("parameters", [])}
    answer = operation["responses"][status]
    idempotent = "Idempotency-Key" in parameters
    if status.startswith("2"):
        if _versioned(answer, document):
            names.append("ETag")
        # 201: the resource created; 202: the job accepted, to follow (an import, an export).
        if status in ("201", "202"):
            names.append("Location")
        if idempotent:
            names.append("Idempotent-Replayed")
        if EVENT_STREAM in answer.get("content", {}):
            names += ["Cache-Control", "X-Accel-Buffering"]
        if CSV_MEDIA_TYPE in answer.get("content", {}):
            names.append("Content-Disposition")
    if status in ("429", "503") or (status == "409" and idempotent):
        names.append("Retry-After")
    if status == "401" and any(OAUTH2 in req for req in operation.get("security", [])):
        names.append("WWW-Authenticate")
    return names


def _versioned(answer: Document, document: Document) -> bool:
    """A single resource with a `version` is answered with its `ETag` (`core.etag`)."""
    schema = answer.get("content", {}).get(_JSON, {}).get("schema", {})
    properties = resolve(schema, document).get("properties", {})
    return "version" in properties


# --- Operations ------------------------------------------------------------------------------


def _operations(document: Document) -> Iterator[tuple[str, str, Document]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def api_routes(routes: Sequence[Any]) -> list[APIRoute]:
    """Every API route, including those of included routers."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found.extend(api_routes(route.original_router.routes))
    return found


def _routes_by_operation(routes: Sequence[Any]) -> dict[tuple[str, str], APIRoute]:
    found: dict[tuple[str, str], APIRoute] = {}
    for route in api_routes(routes):
        if route.include_in_schema:
            for method in route.methods or ():
                found[(route.path_format, method.lower())] = route
    return found


def _describe_access(access: OperationAccess) -> str:
    if access.public:
        return "**Access:** open, no token needed."
    if access.any_token:
        return "**Access:** any valid token, a person's or a service account's."
    people = (
        "people with the role " + ", ".join(f"`{role}`" for role in access.roles)
        if access.roles
        else "any signed-in person (what they may reach is decided per object)"
    )
    if access.scopes:
        scopes = ", ".join(f"`{scope}`" for scope in access.scopes)
        return f"**Access:** {people}; service accounts with the scope {scopes}."
    return f"**Access:** {people}. People only: a service account's token is refused (403)."


def _apply_access(operation: Document, access: OperationAccess) -> None:
    if access.public:
        # An operation with optional credentials (HTTP Basic on the token endpoint) keeps them
        # as an alternative to none.
        declared = [req for req in operation.get("security", []) if req]
        operation["security"] = [{}, *declared] if declared else []
    else:
        operation["security"] = [{OAUTH2: list(access.scopes)}]
    description = operation.get("description", "").rstrip()
    operation["description"] = f"{description}\n\n{_describe_access(access)}".lstrip()


def _without_authorization_header(operation: Document) -> None:
    """OpenAPI ignores an `Authorization` header parameter: credentials are security schemes."""
    parameters = [
        p
        for p in operation.get("parameters", [])
        if not (p.get("in") == "header" and p.get("name", "").lower() == "authorization")
    ]
    if parameters:
        operation["parameters"] = parameters
    else:
        operation.pop("parameters", None)


def _require_if_match(operation: Document) -> None:
    """Where a missing `If-Match` is answered with 428, the header is required."""
    if "428" not in operation["responses"]:
        return
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "header" and parameter.get("name") == "If-Match":
            parameter["required"] = True
            parameter["schema"] = {"type": "string", "example": '"3"'}


def _stream_events(operation: Document, document: Document) -> None:
    """A stream's answer is SSE frames (a string); the model the route declares for it is the
    JSON of an event's `data`, a union of models whose `type` names their event types. It
    becomes the operation's `x-events`, one entry per event type, and the string's
    `contentSchema`: the decoded stream, each event's `data` a JSON object of its type's schema
    (what OpenAPI 3.2 calls the `itemSchema` of an event stream). FastAPI files a declared model
    under `application/json` (the SSE response class names no media type of its own); a stream
    answers with `text/event-stream` only."""
    for answer in operation["responses"].values():
        content = answer.get("content", {})
        media = content.get(EVENT_STREAM)
        if media is None:
            continue
        schema = (content.pop(_JSON, None) or media).get("schema")
        if schema is None:
            continue
        variants = schema.get("anyOf") or schema.get("oneOf") or [schema]
        by_schema = {v["$ref"]: _event_types(v, document) for v in variants if "$ref" in v}
        if not by_schema:
            continue
        operation["x-events"] = sorted(
            (
                {"event": event, "data": {"$ref": ref}}
                for ref, events in by_schema.items()
                for event in events
            ),
            key=lambda e: str(e["event"]),
        )
        lines = "\n".join(
            f"- `{e['event']}`: `data` is a [{e['data']['$ref'].removeprefix(SCHEMAS)}]"
            f"({e['data']['$ref']})"
            for e in operation["x-events"]
        )
        answer["description"] = f"{answer['description']}\n\nEvents:\n\n{lines}"
        media["schema"] = {
            "type": "string",
            "description": "Server-Sent Events: `id:`, `event:` and `data:` lines per event, "
            "`data` a JSON object (see `x-events`); `:` comment lines are heartbeats.",
            "contentMediaType": EVENT_STREAM,
            "contentSchema": _decoded_stream(by_schema),
        }


def _event_types(variant: Document, document: Document) -> list[Any]:
    """The event types a `data` model carries: its `type` property's `enum` or `const`."""
    types = resolve(resolve(variant, document)["properties"]["type"], document)
    return list(types.get("enum", [types.get("const")]))


def _decoded_stream(by_schema: Mapping[str, list[Any]]) -> Document:
    items = [
        {
            "type": "object",
            "properties": {
                "event": {"type": "string", "enum": sorted(events)},
                "id": {"type": "string", "description": "The outbox id."},
                "data": {
                    "type": "string",
                    "contentMediaType": _JSON,
                    "contentSchema": {"$ref": ref},
                },
            },
            "required": ["event", "id", "data"],
        }
        for ref, events in by_schema.items()
    ]
    return {
        "type": "array",
        "description": "The stream's events, in order, as an `EventSource` delivers them.",
        "items": items[0] if len(items) == 1 else {"oneOf": items},
    }


def _problems_only(operation: Document) -> None:
    """Errors are sent as `application/problem+json` only; FastAPI also lists the model under
    `application/json`."""
    for answer in operation["responses"].values():
        content = answer.get("content", {})
        if PROBLEM_MEDIA_TYPE in content:
            content.pop(_JSON, None)


def _examples(path: str, operation: Document, document: Document, info: ContractInfo) -> None:
    body = operation.get("requestBody", {}).get("content", {})
    for media in body.values():
        if "schema" in media and "example" not in media:
            media["example"] = example_of(media["schema"], document, every_property=False)
    for status, answer in operation["responses"].items():
        for media_type, media in answer.get("content", {}).items():
            if "schema" not in media or "example" in media:
                continue
            if media_type == PROBLEM_MEDIA_TYPE:
                kind = KIND_BY_STATUS.get(int(status))
                if kind is not None:
                    media["example"] = problem_example(kind, path)
            elif media_type == _JSON and status.startswith("2"):
                media["example"] = example_of(media["schema"], document, every_property=True)


def _declare_headers(operation: Document, document: Document) -> None:
    for status, answer in operation["responses"].items():
        answer["headers"] = {
            name: _header_ref(name) for name in _headers_of(status, operation, document)
        }


def _finish_operations(
    document: Document, routes: Sequence[Any], access_of: AccessOf, info: ContractInfo
) -> None:
    by_operation = _routes_by_operation(routes)
    for path, method, operation in _operations(document):
        route = by_operation[(path, method)]
        _without_authorization_header(operation)
        _apply_access(operation, access_of(route))
        _require_if_match(operation)
        _stream_events(operation, document)
        _problems_only(operation)
        _examples(path, operation, document, info)
        _declare_headers(operation, document)


# --- The document ----------------------------------------------------------------------------


def _headers_component() -> dict[str, Any]:
    return {
        name: {**deepcopy(header), **({"required": True} if name in _ALWAYS_SENT else {})}
        for name, header in RESPONSE_HEADERS.items()
    }


def _finish_webhooks(document: Document, info: ContractInfo) -> None:
    """A webhook is a request the service sends: the receiver's answers are the ones its
    declaration names, not the framework's defaults for a served operation (200, 422)."""
    for name, item in document.get("webhooks", {}).items():
        for operation in item.values():
            operation["responses"] = {
                status: answer
                for status, answer in operation["responses"].items()
                if status not in ("200", "422")
            }
            _examples(name, operation, document, info)
            for media in operation.get("requestBody", {}).get("content", {}).values():
                example = media.get("example")
                if isinstance(example, dict) and "type" in example:
                    example["type"] = name  # the body of this webhook names its own type


def finish(
    document: Document, routes: Sequence[Any], access_of: AccessOf, info: ContractInfo
) -> Document:
    """FastAPI's `document` as the contract publishes it (see the module's docstring)."""
    by_operation = _routes_by_operation(routes)
    form_bodies = {
        operation["operationId"]: _pascal(by_operation[(path, method)].name) + "Request"
        for path, method, operation in _operations(document)
    }
    rename_schemas(document, form_bodies)
    components = document["components"]
    components["headers"] = _headers_component()
    components.setdefault("securitySchemes", {}).update(deepcopy(dict(info.security_schemes)))
    _finish_operations(document, routes, access_of, info)
    _finish_webhooks(document, info)
    document["tags"] = [{"name": tag.name, "description": tag.description} for tag in info.tags]
    document["servers"] = [dict(server) for server in info.servers]
    document["info"]["contact"] = dict(info.contact)
    document["info"]["license"] = dict(info.license)
    return document


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[-_]", name))


def install_openapi(app: FastAPI, access_of: AccessOf, info: ContractInfo) -> None:
    """Make `app.openapi` build (once) and serve the finished contract."""

    def openapi() -> Document:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version=app.openapi_version,
                description=app.description,
                routes=app.routes,
                webhooks=app.webhooks.routes,
            )
            app.openapi_schema = finish(document, app.routes, access_of, info)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
