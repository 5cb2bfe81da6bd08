"""Pure ASGI middleware: request id, access log, metrics, error boundary and body limits."""

import json
import logging
import os
import re
import time
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kinerja_api.core.i18n import Language, Msg, current_language, negotiate_language
from kinerja_api.core.logging import request_id_var
from kinerja_api.core.problems import INTERNAL, PAYLOAD_TOO_LARGE, PROBLEM_MEDIA_TYPE, Problem

REQUEST_ID_HEADER = "x-request-id"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_logger = logging.getLogger("kinerja_api.access")
error_logger = logging.getLogger("kinerja_api.errors")

REQUESTS = Counter(
    "kinerja_http_requests_total", "HTTP requests handled", ["method", "route", "status"]
)
LATENCY = Histogram(
    "kinerja_http_request_duration_seconds",
    "HTTP request latency by route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


_REQUEST_ID_KEY = REQUEST_ID_HEADER.encode()
_ACCEPT_LANGUAGE_KEY = b"accept-language"
_metric_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def _metrics_for(method: str, route: str, status: int) -> tuple[Any, Any]:
    """The labelled counter and histogram children, looked up once per label set rather than
    through `labels()` (a lock and several allocations) on every request."""
    key = (method, route, status)
    children = _metric_children.get(key)
    if children is None:
        children = (REQUESTS.labels(method, route, str(status)), LATENCY.labels(method, route))
        _metric_children[key] = children
    return children


def _new_request_id() -> str:
    # 128 random bits as 32 hex digits, like uuid4().hex without building a UUID on every request.
    return os.urandom(16).hex()


@lru_cache(maxsize=512)
def _language_of(accept_language: str | None) -> Language:
    return negotiate_language(accept_language)


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


async def _send_problem(send: Send, problem: Problem, request_id: str | None = None) -> None:
    body = json.dumps(problem.body()).encode()
    headers = [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    if request_id is not None:
        headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
    headers.extend((k.lower().encode(), v.encode()) for k, v in problem.headers.items())
    await send({"type": "http.response.start", "status": problem.kind.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class RequestContextMiddleware:
    """Outermost layer: assigns the request id and language, logs, measures, and turns any
    unhandled exception into a 500 problem without internals."""

    def __init__(self, app: ASGIApp, *, access_log: bool = True) -> None:
        self.app = app
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # One pass over the raw headers; the first occurrence wins, as with starlette's Headers.
        incoming: bytes | None = None
        accept_language: bytes | None = None
        for key, value in scope["headers"]:
            if key == _REQUEST_ID_KEY:
                if incoming is None:
                    incoming = value
            elif key == _ACCEPT_LANGUAGE_KEY and accept_language is None:
                accept_language = value
        claimed = incoming.decode("latin-1") if incoming else None
        request_id = (
            claimed if claimed and _VALID_REQUEST_ID.fullmatch(claimed) else _new_request_id()
        )
        id_token = request_id_var.set(request_id)
        language = _language_of(accept_language.decode("latin-1") if accept_language else None)
        lang_token = current_language.set(language)
        scope.setdefault("state", {})["request_id"] = request_id
        request_id_header = (_REQUEST_ID_KEY, request_id.encode())
        status = 500
        started = False
        begin = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                message["headers"] = [*message.get("headers", []), request_id_header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            error_logger.exception("unhandled error", extra={"path": scope.get("path")})
            if not started:
                status = 500
                await _send_problem(send, Problem(INTERNAL), request_id)
        finally:
            elapsed = time.perf_counter() - begin
            route = _route_template(scope)
            method = scope.get("method", "")
            requests_total, latency = _metrics_for(method, route, status)
            requests_total.inc()
            latency.observe(elapsed)
            if self.access_log:
                access_logger.info(
                    "request",
                    extra={
                        "method": method,
                        "path": scope.get("path"),
                        "route": route,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                    },
                )
            request_id_var.reset(id_token)
            current_language.reset(lang_token)


class _BodyTooLarge(Exception):  # noqa: N818
    pass


class BodyLimitMiddleware:
    """Answers 413 when a request body exceeds its limit: smaller for public endpoints, and
    larger for the paths in `upload_limits` (file uploads, which read their body as a stream)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        default_limit: int,
        public_limit: int,
        upload_limits: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.default_limit = default_limit
        self.public_limit = public_limit
        self.upload_limits = dict(upload_limits or {})

    def _limit_for(self, path: str) -> int:
        upload = self.upload_limits.get(path)
        if upload is not None:
            return upload
        return self.public_limit if path.startswith("/api/v1/public/") else self.default_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared, chunked = _body_headers(scope)
        if declared is None and not chunked and scope.get("http_version") in _FRAMED_BY_HEADERS:
            # No body to count (most GETs): nothing to wrap.
            await self.app(scope, receive, send)
            return
        limit = self._limit_for(scope.get("path", ""))
        # `send` is the outer RequestContextMiddleware's, which adds the X-Request-ID header.
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _send_problem(send, _too_large(limit))
            return
        received = 0
        exceeded = False
        response_started = False
        replaced = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise _BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started, replaced
            if message["type"] == "http.response.start":
                response_started = True
                if exceeded:
                    # The app caught the overflow (FastAPI turns any error while reading a body
                    # into a 400 problem): whatever it answers instead, the answer is 413.
                    replaced = True
                    await _send_problem(send, _too_large(limit))
            if not replaced:
                await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _BodyTooLarge:
            if not response_started:
                await _send_problem(send, _too_large(limit))


# HTTP/2 and later frame bodies themselves; only HTTP/1.x announces every body in its headers.
_FRAMED_BY_HEADERS = frozenset({"1.0", "1.1"})


def _body_headers(scope: Scope) -> tuple[str | None, bool]:
    """The declared Content-Length (first occurrence) and whether a Transfer-Encoding is given:
    without either, an HTTP/1.1 request has no body."""
    declared: str | None = None
    chunked = False
    for key, value in scope["headers"]:
        if key == b"content-length" and declared is None:
            declared = value.decode("latin-1")
        elif key == b"transfer-encoding":
            chunked = True
    return declared, chunked


def _too_large(limit: int) -> Problem:
    # Built only when needed: most requests never come near their limit.
    return Problem(PAYLOAD_TOO_LARGE, _limit_detail(limit), limit_bytes=limit)


def _limit_detail(limit: int) -> Msg:
    return Msg(
        f"Isi permintaan melebihi batas {limit} bita.", f"The request body exceeds {limit} bytes."
    )
