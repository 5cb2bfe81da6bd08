"""The request's unit of work: a 2xx means the write is committed; a failed commit is a 5xx."""

import logging
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm.exc import StaleDataError

from kinerja_api.core.i18n import Msg
from kinerja_api.core.problems import CONFLICT, PROBLEM_BASE_URI, Problem
from kinerja_api.core.uow import DbSession

router = APIRouter(prefix="/api/v1/test-uow")

INSERT_RECORD = text(
    "insert into idempotency_records (principal_key, key, request_hash, status_code,"
    " response_body, response_headers, expires_at)"
    " values (:p, 'uow', :h, 201, '{}', '{}', now() + interval '1 hour')"
)


@router.post("/fails-at-commit")
async def fails_at_commit(session: DbSession, request: Request) -> dict[str, str]:
    await session.execute(
        text(
            "create temp table uow_deferred (id int primary key, ref int references"
            " uow_deferred (id) deferrable initially deferred) on commit drop"
        )
    )
    # Accepted now; the foreign key is only checked at COMMIT, where it fails.
    await session.execute(text("insert into uow_deferred values (1, 99)"))
    request.app.state.reached_end = True
    return {"status": "ok"}


@router.post("/records/{principal}")
async def insert_record(session: DbSession, principal: str) -> dict[str, str]:
    await session.execute(INSERT_RECORD, {"p": principal, "h": "0" * 64})
    return {"principal": principal}


@router.post("/records/{principal}/then-problem")
async def insert_then_problem(session: DbSession, principal: str) -> dict[str, str]:
    await session.execute(INSERT_RECORD, {"p": principal, "h": "0" * 64})
    raise Problem(CONFLICT, Msg("Bentrok.", "Clash."))


@router.post("/records/{principal}/then-crash")
async def insert_then_crash(session: DbSession, principal: str) -> dict[str, str]:
    await session.execute(INSERT_RECORD, {"p": principal, "h": "0" * 64})
    raise RuntimeError("crash after write")


@router.post("/stale")
async def stale(session: DbSession) -> dict[str, str]:
    await session.execute(text("select 1"))
    raise StaleDataError("UPDATE statement on table 'x' expected to update 1 row(s); 0 matched")


@pytest.fixture
async def http(committing_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    committing_app.include_router(router)
    committing_app.state.reached_end = False
    transport = httpx.ASGITransport(app=committing_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await committing_app.state.db.dispose()


@pytest.fixture
async def principal(owner_engine: AsyncEngine) -> AsyncIterator[str]:
    """A principal key whose committed rows are removed after the test."""
    key = f"uow:{uuid.uuid4()}"
    yield key
    async with owner_engine.begin() as connection:
        await connection.execute(
            text("delete from idempotency_records where principal_key = :p"), {"p": key}
        )


async def committed_count(owner_engine: AsyncEngine, principal: str) -> int:
    async with owner_engine.connect() as connection:
        count = await connection.scalar(
            text("select count(*) from idempotency_records where principal_key = :p"),
            {"p": principal},
        )
    return int(count or 0)


async def test_failed_commit_is_a_500_problem_not_a_2xx(
    http: httpx.AsyncClient, committing_app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="kinerja_api.errors"):
        response = await http.post("/api/v1/test-uow/fails-at-commit")
    assert committing_app.state.reached_end, "the endpoint itself must have succeeded"
    assert response.status_code == 500, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == PROBLEM_BASE_URI + "internal"
    for leak in ("uow_deferred", "foreign key", "ForeignKey", "IntegrityError", "Traceback"):
        assert leak not in response.text
    errors = [r for r in caplog.records if r.name == "kinerja_api.errors" and r.exc_info]
    assert len(errors) == 1
    assert errors[0].exc_info is not None
    assert isinstance(errors[0].exc_info[1], IntegrityError), "it must fail at COMMIT"


async def test_2xx_means_committed(
    http: httpx.AsyncClient, owner_engine: AsyncEngine, principal: str
) -> None:
    response = await http.post(f"/api/v1/test-uow/records/{principal}")
    assert response.status_code == 200
    assert response.json() == {"principal": principal}
    assert await committed_count(owner_engine, principal) == 1


async def test_problem_after_a_write_rolls_it_back(
    http: httpx.AsyncClient, owner_engine: AsyncEngine, principal: str
) -> None:
    response = await http.post(f"/api/v1/test-uow/records/{principal}/then-problem")
    assert response.status_code == 409
    assert response.json()["type"] == PROBLEM_BASE_URI + "conflict"
    assert await committed_count(owner_engine, principal) == 0


async def test_crash_after_a_write_rolls_it_back(
    http: httpx.AsyncClient, owner_engine: AsyncEngine, principal: str
) -> None:
    response = await http.post(f"/api/v1/test-uow/records/{principal}/then-crash")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "crash after write" not in response.text
    assert await committed_count(owner_engine, principal) == 0


async def test_stale_write_is_a_412_problem(http: httpx.AsyncClient) -> None:
    response = await http.post("/api/v1/test-uow/stale", headers={"Accept-Language": "en"})
    assert response.status_code == 412
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == PROBLEM_BASE_URI + "precondition-failed"
    assert body["detail"] == "The resource has changed since you read it; fetch it again and retry."
    assert "expected to update" not in response.text


async def test_connections_are_returned_to_the_pool(
    http: httpx.AsyncClient, committing_app: FastAPI
) -> None:
    """Failed and successful requests alike release their connection."""
    pool_capacity = committing_app.state.settings.db_pool_size
    for _ in range(pool_capacity + 5):
        assert (await http.post("/api/v1/test-uow/fails-at-commit")).status_code == 500
        assert (await http.post("/api/v1/test-uow/stale")).status_code == 412
    assert committing_app.state.db.engine.pool.checkedout() == 0
