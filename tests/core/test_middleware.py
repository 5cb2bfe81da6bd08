"""Request ids and request body limits (pure ASGI middleware)."""

import json
import re
from collections.abc import AsyncIterator, MutableMapping
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request

from kinerja_api.config import Settings
from kinerja_api.core.problems import PROBLEM_BASE_URI, PROBLEM_MEDIA_TYPE
from kinerja_api.main import create_app

DEFAULT_LIMIT = 1000
PUBLIC_LIMIT = 100
GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")

router = APIRouter()


@router.post("/api/v1/test-limits/echo")
async def echo(payload: dict[str, Any], request: Request) -> dict[str, int]:
    request.app.state.calls += 1
    return {"keys": len(payload)}


@router.post("/api/v1/public/test-limits/echo")
async def public_echo(payload: dict[str, Any], request: Request) -> dict[str, int]:
    request.app.state.calls += 1
    return {"keys": len(payload)}


@router.post("/api/v1/test-limits/raw")
async def raw(request: Request) -> dict[str, int]:
    request.app.state.calls += 1
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
    return {"size": size}


@router.get("/api/v1/test-limits/boom")
async def boom() -> None:
    raise RuntimeError("boom")


@pytest.fixture
async def limited_app(settings: Settings) -> AsyncIterator[FastAPI]:
    small = settings.model_copy(
        update={"body_limit_bytes": DEFAULT_LIMIT, "public_body_limit_bytes": PUBLIC_LIMIT}
    )
    application = create_app(small)
    application.include_router(router)
    application.state.calls = 0
    yield application
    await application.state.db.dispose()


@pytest.fixture
async def http(limited_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=limited_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def json_of_size(size: int) -> bytes:
    """A JSON object of exactly `size` bytes."""
    envelope = b'{"k":""}'
    return b'{"k":"' + b"x" * (size - len(envelope)) + b'"}'


async def chunks(data: bytes, size: int = 64) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def assert_too_large(response: httpx.Response, limit: int) -> None:
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body = response.json()
    assert body["type"] == PROBLEM_BASE_URI + "payload-too-large"
    assert body["status"] == 413
    assert body["limit_bytes"] == limit
    assert str(limit) in body["detail"]


# --- request id -----------------------------------------------------------------------------


@pytest.mark.parametrize("request_id", ["abc-123", "A.b_c:d-9", "x" * 128, "7f3c9e"])
async def test_valid_request_id_is_echoed(http: httpx.AsyncClient, request_id: str) -> None:
    response = await http.get("/health/live", headers={"X-Request-ID": request_id})
    assert response.status_code == 200
    assert response.headers.get_list("x-request-id") == [request_id]


async def test_request_id_is_generated_when_absent(http: httpx.AsyncClient) -> None:
    first = await http.get("/health/live")
    second = await http.get("/health/live")
    assert GENERATED_ID.match(first.headers["x-request-id"])
    assert GENERATED_ID.match(second.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


@pytest.mark.parametrize(
    "request_id",
    ["x" * 129, "has space", "semi;colon", "tab\there", "<script>", "ü", "abc\n", "abc\r\n"],
)
async def test_invalid_request_id_is_replaced(http: httpx.AsyncClient, request_id: str) -> None:
    response = await http.get("/health/live", headers={b"X-Request-ID": request_id.encode()})
    assert response.status_code == 200
    echoed = response.headers.get_list("x-request-id")
    assert len(echoed) == 1
    assert GENERATED_ID.match(echoed[0])


async def test_request_id_on_error_responses(http: httpx.AsyncClient) -> None:
    for method, path in [("GET", "/nowhere"), ("GET", "/api/v1/test-limits/boom")]:
        response = await http.request(method, path, headers={"X-Request-ID": "err-1"})
        assert response.status_code in (404, 500)
        assert response.headers.get_list("x-request-id") == ["err-1"]


# --- body limits ----------------------------------------------------------------------------


async def test_body_at_the_limit_is_accepted(http: httpx.AsyncClient, limited_app: FastAPI) -> None:
    response = await http.post(
        "/api/v1/test-limits/echo",
        content=json_of_size(DEFAULT_LIMIT),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert limited_app.state.calls == 1


async def test_declared_length_over_the_limit_is_413(
    http: httpx.AsyncClient, limited_app: FastAPI
) -> None:
    response = await http.post(
        "/api/v1/test-limits/echo",
        content=json_of_size(DEFAULT_LIMIT + 1),
        headers={"Content-Type": "application/json", "X-Request-ID": "big-1"},
    )
    assert_too_large(response, DEFAULT_LIMIT)
    assert response.headers.get_list("x-request-id") == ["big-1"]
    assert limited_app.state.calls == 0


async def test_streamed_body_over_the_limit_is_413(
    http: httpx.AsyncClient, limited_app: FastAPI
) -> None:
    response = await http.post(
        "/api/v1/test-limits/echo",
        content=chunks(json_of_size(DEFAULT_LIMIT * 3)),
        headers={"Content-Type": "application/json", "X-Request-ID": "big-2"},
    )
    assert "content-length" not in response.request.headers
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert_too_large(response, DEFAULT_LIMIT)
    assert response.headers.get_list("x-request-id") == ["big-2"]
    assert limited_app.state.calls == 0


async def test_streamed_body_over_the_limit_is_413_for_raw_readers(
    http: httpx.AsyncClient,
) -> None:
    response = await http.post(
        "/api/v1/test-limits/raw", content=chunks(b"z" * (DEFAULT_LIMIT + 10))
    )
    assert_too_large(response, DEFAULT_LIMIT)


async def test_streamed_body_under_the_limit_is_accepted(http: httpx.AsyncClient) -> None:
    response = await http.post("/api/v1/test-limits/raw", content=chunks(b"z" * DEFAULT_LIMIT))
    assert response.status_code == 200
    assert response.json() == {"size": DEFAULT_LIMIT}


async def _raw_request(
    app: FastAPI, chunks: list[bytes], *, http_version: str, headers: list[tuple[bytes, bytes]]
) -> list[dict[str, Any]]:
    """Sends a POST whose body arrives in `chunks` straight through the ASGI interface, with
    exactly the given headers (httpx would correct a false Content-Length); returns what the app
    sent."""
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": chunk, "more_body": number < len(chunks) - 1}
        for number, chunk in enumerate(chunks)
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": http_version,
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/test-limits/echo",
        "raw_path": b"/api/v1/test-limits/echo",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)
    return sent


async def test_understated_content_length_is_still_counted(limited_app: FastAPI) -> None:
    """A client cannot slip a large body past the limit by declaring a small Content-Length."""
    body = json_of_size(DEFAULT_LIMIT * 2)
    sent = await _raw_request(
        limited_app,
        [body[:500], body[500:]],
        http_version="1.1",
        headers=[(b"content-length", b"10"), (b"x-request-id", b"liar-1")],
    )
    starts = [m for m in sent if m["type"] == "http.response.start"]
    assert len(starts) == 1
    assert starts[0]["status"] == 413
    headers = dict(starts[0]["headers"])
    assert headers[b"content-type"] == PROBLEM_MEDIA_TYPE.encode()
    assert [v for k, v in starts[0]["headers"] if k == b"x-request-id"] == [b"liar-1"]
    payload = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert int(headers[b"content-length"]) == len(payload)
    assert json.loads(payload)["limit_bytes"] == DEFAULT_LIMIT
    assert limited_app.state.calls == 0


async def test_a_body_framed_by_http2_is_counted_without_length_headers(
    limited_app: FastAPI,
) -> None:
    """HTTP/2 announces no body in its headers: with neither Content-Length nor
    Transfer-Encoding, only an HTTP/1.x request is known to have no body."""
    sent = await _raw_request(
        limited_app, [json_of_size(DEFAULT_LIMIT + 10)], http_version="2", headers=[]
    )
    starts = [m for m in sent if m["type"] == "http.response.start"]
    assert [start["status"] for start in starts] == [413]
    assert limited_app.state.calls == 0


async def test_public_paths_use_the_smaller_limit(
    http: httpx.AsyncClient, limited_app: FastAPI
) -> None:
    body = json_of_size(PUBLIC_LIMIT + 1)
    headers = {"Content-Type": "application/json"}
    private = await http.post("/api/v1/test-limits/echo", content=body, headers=headers)
    assert private.status_code == 200

    public = await http.post("/api/v1/public/test-limits/echo", content=body, headers=headers)
    assert_too_large(public, PUBLIC_LIMIT)

    streamed = await http.post(
        "/api/v1/public/test-limits/echo", content=chunks(body, 16), headers=headers
    )
    assert_too_large(streamed, PUBLIC_LIMIT)

    at_limit = await http.post(
        "/api/v1/public/test-limits/echo", content=json_of_size(PUBLIC_LIMIT), headers=headers
    )
    assert at_limit.status_code == 200
    assert limited_app.state.calls == 2


async def test_too_large_problem_follows_accept_language(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/api/v1/public/test-limits/echo",
        content=json_of_size(PUBLIC_LIMIT * 2),
        headers={"Content-Type": "application/json", "Accept-Language": "en"},
    )
    assert_too_large(response, PUBLIC_LIMIT)
    assert response.json()["title"] == "Payload too large"
    assert response.json()["detail"] == f"The request body exceeds {PUBLIC_LIMIT} bytes."
