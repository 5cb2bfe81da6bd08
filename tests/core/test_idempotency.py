"""Idempotency-Key on creates: replay, reuse, in-flight retries, failures and expiry."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from kinerja_api.core.i18n import Msg
from kinerja_api.core.idempotency import (
    REPLAY_HEADER,
    IdempotencyKey,
    idempotent_create,
    purge_expired,
)
from kinerja_api.core.problems import CONFLICT, PROBLEM_BASE_URI, Problem
from kinerja_api.core.uow import DbSession

DEFAULT_PRINCIPAL = "user:idempotency-test"
Principal = Annotated[str, Header(alias="X-Test-Principal")]


class WidgetIn(BaseModel):
    name: str
    size: int = 1


class WidgetOut(BaseModel):
    id: uuid.UUID
    name: str
    size: int


router = APIRouter(prefix="/api/v1/test-idempotency")


async def _create(
    kind: str,
    request: Request,
    session: AsyncSession,
    body: WidgetIn,
    principal: str,
    key: str | None,
) -> JSONResponse:
    state = request.app.state

    async def run() -> tuple[WidgetOut, dict[str, str]]:
        state.calls += 1
        if body.name == "slow":
            state.started.set()
            await asyncio.wait_for(state.release.wait(), timeout=10)
        if state.fail_next:
            state.fail_next = False
            raise Problem(CONFLICT, Msg("Gagal sementara.", "Temporary failure."))
        widget = WidgetOut(id=uuid.uuid4(), name=body.name, size=body.size)
        headers = {
            "Location": f"{router.prefix}/{kind}/{widget.id}",
            "ETag": '"1"',
            "X-Not-Replayed": "first-only",
        }
        return widget, headers

    return await idempotent_create(
        session, request, principal_key=principal, key=key, payload=body, create=run
    )


@router.post("/widgets", status_code=201)
async def create_widget(
    request: Request,
    body: WidgetIn,
    session: DbSession,
    principal: Principal = DEFAULT_PRINCIPAL,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return await _create("widgets", request, session, body, principal, idempotency_key)


@router.post("/gadgets", status_code=201)
async def create_gadget(
    request: Request,
    body: WidgetIn,
    session: DbSession,
    principal: Principal = DEFAULT_PRINCIPAL,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return await _create("gadgets", request, session, body, principal, idempotency_key)


def prepare(application: FastAPI) -> FastAPI:
    application.include_router(router)
    application.state.calls = 0
    application.state.fail_next = False
    application.state.started = asyncio.Event()
    application.state.release = asyncio.Event()
    return application


@pytest.fixture
def app(app: FastAPI) -> FastAPI:
    return prepare(app)


WIDGETS = "/api/v1/test-idempotency/widgets"
GADGETS = "/api/v1/test-idempotency/gadgets"


def assert_problem(response: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == PROBLEM_BASE_URI + slug
    return body


async def count_records(connection: AsyncConnection, principal: str) -> int:
    result = await connection.scalar(
        text("select count(*) from idempotency_records where principal_key = :p"),
        {"p": principal},
    )
    return int(result or 0)


# --- within a rolled-back transaction -------------------------------------------------------


async def test_same_key_and_body_replays_the_first_response(
    client: httpx.AsyncClient, app: FastAPI, connection: AsyncConnection
) -> None:
    headers = {"Idempotency-Key": "create-widget-1"}
    first = await client.post(WIDGETS, json={"name": "a"}, headers=headers)
    assert first.status_code == 201
    assert REPLAY_HEADER.lower() not in first.headers
    assert first.headers["x-not-replayed"] == "first-only"
    assert first.headers["location"] == f"{WIDGETS}/{first.json()['id']}"
    assert await count_records(connection, DEFAULT_PRINCIPAL) == 1

    # The same content, spelled differently (explicit default, other key order), is the same body.
    for payload in ({"name": "a"}, {"size": 1, "name": "a"}):
        again = await client.post(WIDGETS, json=payload, headers=headers)
        assert again.status_code == 201
        assert again.json() == first.json()
        assert again.headers[REPLAY_HEADER] == "true"
        assert again.headers["location"] == first.headers["location"]
        assert again.headers["etag"] == first.headers["etag"]
        assert "x-not-replayed" not in again.headers
    assert app.state.calls == 1
    assert await count_records(connection, DEFAULT_PRINCIPAL) == 1


async def test_same_key_with_another_body_is_422(client: httpx.AsyncClient, app: FastAPI) -> None:
    headers = {"Idempotency-Key": "create-widget-2", "Accept-Language": "en"}
    first = await client.post(WIDGETS, json={"name": "a"}, headers=headers)
    assert first.status_code == 201
    reused = await client.post(WIDGETS, json={"name": "b"}, headers=headers)
    body = assert_problem(reused, 422, "idempotency-key-reused")
    assert body["detail"] == "This key was already used for a request with a different body."
    assert first.json()["id"] not in reused.text
    assert app.state.calls == 1


async def test_same_key_on_another_path_is_422(client: httpx.AsyncClient, app: FastAPI) -> None:
    headers = {"Idempotency-Key": "create-widget-3"}
    assert (await client.post(WIDGETS, json={"name": "a"}, headers=headers)).status_code == 201
    other = await client.post(GADGETS, json={"name": "a"}, headers=headers)
    assert_problem(other, 422, "idempotency-key-reused")
    assert app.state.calls == 1


async def test_keys_are_scoped_to_the_principal(client: httpx.AsyncClient, app: FastAPI) -> None:
    first = await client.post(
        WIDGETS, json={"name": "a"}, headers={"Idempotency-Key": "shared-key"}
    )
    other = await client.post(
        WIDGETS,
        json={"name": "a"},
        headers={"Idempotency-Key": "shared-key", "X-Test-Principal": "user:someone-else"},
    )
    assert first.status_code == other.status_code == 201
    assert REPLAY_HEADER.lower() not in other.headers
    assert other.json()["id"] != first.json()["id"]
    assert app.state.calls == 2


async def test_without_a_key_every_request_creates(
    client: httpx.AsyncClient, app: FastAPI, connection: AsyncConnection
) -> None:
    first = await client.post(WIDGETS, json={"name": "a"})
    second = await client.post(WIDGETS, json={"name": "a"})
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert REPLAY_HEADER.lower() not in second.headers
    assert second.headers["location"].endswith(second.json()["id"])
    assert app.state.calls == 2
    assert await count_records(connection, DEFAULT_PRINCIPAL) == 0


@pytest.mark.parametrize(
    "key",
    ["kunci-ü".encode(), "キー".encode(), b"tab\tkey", b"del\x7fkey", b"x" * 256, b" ", b""],
    ids=["latin", "japanese", "tab", "del", "too-long", "blank", "empty"],
)
async def test_invalid_key_is_a_422_problem(
    client: httpx.AsyncClient, app: FastAPI, connection: AsyncConnection, key: bytes
) -> None:
    response = await client.post(WIDGETS, json={"name": "a"}, headers={b"Idempotency-Key": key})
    body = assert_problem(response, 422, "validation")
    assert [error["field"] for error in body["errors"]] == ["header.Idempotency-Key"]
    assert app.state.calls == 0
    assert await count_records(connection, DEFAULT_PRINCIPAL) == 0


async def test_longest_valid_key_is_accepted(client: httpx.AsyncClient) -> None:
    key = "k" * 255
    first = await client.post(WIDGETS, json={"name": "a"}, headers={"Idempotency-Key": key})
    again = await client.post(WIDGETS, json={"name": "a"}, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert again.headers[REPLAY_HEADER] == "true"


async def test_failed_create_stores_nothing_and_a_retry_runs_again(
    client: httpx.AsyncClient, app: FastAPI, connection: AsyncConnection
) -> None:
    headers = {"Idempotency-Key": "create-widget-fails-once"}
    app.state.fail_next = True
    failed = await client.post(WIDGETS, json={"name": "a"}, headers=headers)
    assert_problem(failed, 409, "conflict")
    assert await count_records(connection, DEFAULT_PRINCIPAL) == 0

    retried = await client.post(WIDGETS, json={"name": "a"}, headers=headers)
    assert retried.status_code == 201
    assert REPLAY_HEADER.lower() not in retried.headers
    assert app.state.calls == 2

    replayed = await client.post(WIDGETS, json={"name": "a"}, headers=headers)
    assert replayed.headers[REPLAY_HEADER] == "true"
    assert replayed.json() == retried.json()
    assert app.state.calls == 2


async def test_purge_expired_deletes_only_expired_records(connection: AsyncConnection) -> None:
    principal = f"user:{uuid.uuid4()}"
    for key, offset in (("old", timedelta(hours=-1)), ("new", timedelta(hours=1))):
        await connection.execute(
            text(
                "insert into idempotency_records (principal_key, key, request_hash, status_code,"
                " response_body, response_headers, expires_at) values (:p, :k, :h, 201, '{}',"
                " '{}', now() + :o)"
            ),
            {"p": principal, "k": key, "h": "0" * 64, "o": offset},
        )
    session = AsyncSession(bind=connection, join_transaction_mode="create_savepoint")
    assert await purge_expired(session) >= 1
    keys = await connection.scalars(
        text("select key from idempotency_records where principal_key = :p"), {"p": principal}
    )
    assert list(keys) == ["new"]


# --- with real commits ----------------------------------------------------------------------


@pytest.fixture
async def committed(
    committing_app: FastAPI, owner_engine: AsyncEngine
) -> AsyncIterator[tuple[httpx.AsyncClient, FastAPI, str]]:
    """A client on the deployed app, and a principal whose committed records are removed."""
    application = prepare(committing_app)
    principal = f"user:{uuid.uuid4()}"
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            http.headers["X-Test-Principal"] = principal
            yield http, application, principal
    finally:
        application.state.release.set()
        await application.state.db.dispose()
        async with owner_engine.begin() as connection:
            await connection.execute(
                text("delete from idempotency_records where principal_key = :p"),
                {"p": principal},
            )


async def test_retry_while_the_first_is_in_flight_is_409(
    committed: tuple[httpx.AsyncClient, FastAPI, str], owner_engine: AsyncEngine
) -> None:
    http, application, principal = committed
    headers = {"Idempotency-Key": "slow-create"}

    async def first() -> httpx.Response:
        return await http.post(WIDGETS, json={"name": "slow"}, headers=headers)

    async def retry() -> list[httpx.Response]:
        await asyncio.wait_for(application.state.started.wait(), timeout=10)
        try:
            same = await http.post(WIDGETS, json={"name": "slow"}, headers=headers)
            other = await http.post(WIDGETS, json={"name": "other"}, headers=headers)
            return [same, other]
        finally:
            application.state.release.set()

    original, (in_flight, in_flight_other) = await asyncio.gather(first(), retry())
    assert original.status_code == 201, original.text
    for response in (in_flight, in_flight_other):
        body = assert_problem(response, 409, "idempotency-in-flight")
        assert response.headers["retry-after"] == "1"
        assert body["status"] == 409
    assert application.state.calls == 1

    # Once the first has committed, the retry replays it.
    replay = await http.post(WIDGETS, json={"name": "slow"}, headers=headers)
    assert replay.status_code == 201
    assert replay.headers[REPLAY_HEADER] == "true"
    assert replay.json() == original.json()
    assert application.state.calls == 1

    async with owner_engine.connect() as connection:
        stored = (
            await connection.execute(
                text(
                    "select status_code, response_body from idempotency_records"
                    " where principal_key = :p and key = :k"
                ),
                {"p": principal, "k": "slow-create"},
            )
        ).one()
    assert stored.status_code == 201
    assert stored.response_body == original.json()


async def test_expired_record_is_replaced(
    committed: tuple[httpx.AsyncClient, FastAPI, str], owner_engine: AsyncEngine
) -> None:
    http, application, principal = committed
    async with owner_engine.begin() as connection:
        await connection.execute(
            text(
                "insert into idempotency_records (principal_key, key, request_hash, status_code,"
                " response_body, response_headers, expires_at) values (:p, 'expiring', :h, 201,"
                """ '{"id": "old"}', '{"Location": "/old"}', now() - interval '1 minute')"""
            ),
            {"p": principal, "h": "f" * 64},
        )

    headers = {"Idempotency-Key": "expiring"}
    fresh = await http.post(WIDGETS, json={"name": "a"}, headers=headers)
    assert fresh.status_code == 201, fresh.text
    assert REPLAY_HEADER.lower() not in fresh.headers
    assert fresh.json()["id"] != "old"
    assert fresh.headers["location"] != "/old"
    assert application.state.calls == 1

    async with owner_engine.connect() as connection:
        stored = (
            await connection.execute(
                text(
                    "select request_hash, response_body, response_headers, expires_at"
                    " from idempotency_records where principal_key = :p and key = 'expiring'"
                ),
                {"p": principal},
            )
        ).one()
    assert stored.request_hash != "f" * 64
    assert stored.response_body == fresh.json()
    assert stored.response_headers["Location"] == fresh.headers["location"]
    now = datetime.now(UTC)
    assert now + timedelta(hours=23) < stored.expires_at < now + timedelta(hours=25)

    replay = await http.post(WIDGETS, json={"name": "a"}, headers=headers)
    assert replay.headers[REPLAY_HEADER] == "true"
    assert replay.json() == fresh.json()
    assert application.state.calls == 1
