"""Property-based contract test: schemathesis generates requests for every operation of the
OpenAPI document the app serves, and every response must be free of 5xx and match the contract
(documented status code, content type, headers and body schema).

Where the requests run: the app must live on one event loop with the database connection its
sessions use (asyncpg connections belong to the loop that opened them). schemathesis' own ASGI
client runs apps on a private loop in another thread, and the suite's async fixtures live on
pytest-asyncio's loop, which is idle while a synchronous Hypothesis test runs. So this module
builds, on an `asyncio.Runner` of its own, the same arrangement as the `app` fixture: every
request's unit of work is a savepoint inside one transaction that is rolled back at the end, so
the fuzzing leaves no data behind. schemathesis serializes each case into a `requests` request
as it would for a real server; a transport adapter hands those bytes to the app through
`httpx.ASGITransport` on that runner and gives the raw response back to schemathesis' checks.

Determinism: a fixed seed, Hypothesis' derandomized mode and no example database, so CI runs
the same cases every time; `MAX_EXAMPLES` bounds the fuzzing phase per operation.
"""

import asyncio
import io
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from requests.adapters import HTTPAdapter
from sqlalchemy.ext.asyncio import async_sessionmaker
from urllib3 import HTTPResponse
from urllib3._collections import HTTPHeaderDict

from kinerja_api.config import Settings
from kinerja_api.db import create_engine
from kinerja_api.main import create_app
from kinerja_api.openapi_export import contract

BASE_URL = "http://testserver"
MAX_EXAMPLES = 20
REQUEST_TIMEOUT_SECONDS = 10.0
# What the contract promises, checked on every response. Checks about the API's semantics
# (e.g. that invalid input is rejected, that valid input is accepted without credentials) are
# left to the endpoint tests, which know the roles and fixtures they need.
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20261122,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
    }
)


@asynccontextmanager
async def rolled_back_app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The app as the `app` fixture builds it, on the running loop; everything it writes is
    rolled back on exit."""
    assert settings.database_url
    engine = create_engine(settings.database_url, settings, app_role=settings.db_app_role)
    app = create_app(settings)
    try:
        async with engine.connect() as connection:
            transaction = await connection.begin()
            app.state.db.sessions = async_sessionmaker(
                bind=connection,
                join_transaction_mode="create_savepoint",
                expire_on_commit=False,
                autoflush=False,
            )
            try:
                yield app
            finally:
                await transaction.rollback()
    finally:
        # The app's own engine serves the endpoints that do not use a session (readiness).
        await app.state.db.dispose()
        await engine.dispose()


class ASGIAdapter(HTTPAdapter):
    """A `requests` transport adapter that sends each prepared request to an ASGI app on the
    given runner's loop, byte for byte, and returns the response undecoded."""

    def __init__(self, runner: asyncio.Runner, app: FastAPI) -> None:
        super().__init__()
        self.runner = runner
        self.transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)

    async def _exchange(self, request: requests.PreparedRequest) -> tuple[httpx.Response, bytes]:
        body: Any = request.body
        if body is None:
            content = b""
        elif isinstance(body, str):
            content = body.encode()
        elif isinstance(body, bytes):
            content = body
        else:  # a streamed body: an iterable of chunks
            content = b"".join(part.encode() if isinstance(part, str) else part for part in body)
        # Header values travel as latin-1, as on the wire.
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in request.headers.items()]
        outgoing = httpx.Request(
            str(request.method), str(request.url), headers=headers, content=content
        )
        async with asyncio.timeout(REQUEST_TIMEOUT_SECONDS):
            response = await self.transport.handle_async_request(outgoing)
            raw = b"".join([chunk async for chunk in response.aiter_raw()])
            await response.aclose()
        return response, raw

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        response, raw = self.runner.run(self._exchange(request))
        headers = HTTPHeaderDict()
        for name, value in response.headers.multi_items():
            headers.add(name, value)
        return self.build_response(
            request,
            HTTPResponse(
                body=io.BytesIO(raw),
                headers=headers,
                status=response.status_code,
                reason=response.reason_phrase,
                version=11,
                preload_content=False,
                request_method=request.method,
            ),
        )


@pytest.fixture
def app_session(settings: Settings) -> Iterator[requests.Session]:
    """A `requests` session whose requests to BASE_URL are answered by the rolled-back app."""
    with asyncio.Runner(loop_factory=asyncio.new_event_loop) as runner:
        stack = AsyncExitStack()
        try:
            app = runner.run(stack.enter_async_context(rolled_back_app(settings)))
            with requests.Session() as session:
                session.mount(BASE_URL, ASGIAdapter(runner, app))
                yield session
        finally:
            runner.run(stack.aclose())


# The app's own OpenAPI document, as `make openapi` writes it (test_openapi_contract.py checks
# that it equals the committed contract). Loaded at import so that pytest collects one test per
# operation. (schemathesis.pytest.from_fixture would defer this, but it relies on a private
# attribute that pytest 9.2 removed.)
schema = schemathesis.openapi.from_dict(contract(), config=CONFIG)


@schema.parametrize()
# One rolled-back transaction spans all of an operation's examples (each request in a savepoint
# of its own, as with the `app` fixture), so later examples see earlier ones' writes, as they
# would on a real server. `too_slow` times data generation on a machine that also runs
# PostgreSQL, and must not make CI flaky.
@hypothesis_settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
def test_operation_honours_the_contract(
    case: schemathesis.Case, app_session: requests.Session
) -> None:
    case.call_and_validate(base_url=BASE_URL, session=app_session)


def test_every_operation_is_fuzzed() -> None:
    """Guards against the parametrized test above silently collecting nothing."""
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {"/health/live", "/health/ready"} <= {operation.path for operation in operations}
