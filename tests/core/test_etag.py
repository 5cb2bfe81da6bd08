"""Optimistic concurrency: If-Match against the resource's version."""

from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Response

from kinerja_api.core.etag import IfMatch, check_if_match, etag_of, set_etag
from kinerja_api.core.problems import (
    PRECONDITION_FAILED,
    PRECONDITION_REQUIRED,
    PROBLEM_BASE_URI,
    Problem,
)

VERSION = 4


def test_etag_is_the_quoted_version() -> None:
    assert etag_of(7) == '"7"'
    response = Response()
    set_etag(response, 7)
    assert response.headers["etag"] == '"7"'


@pytest.mark.parametrize("header", [None, "", "   "])
def test_missing_if_match_is_428(header: str | None) -> None:
    with pytest.raises(Problem) as caught:
        check_if_match(header, VERSION)
    assert caught.value.kind is PRECONDITION_REQUIRED
    assert caught.value.kind.status == 428


@pytest.mark.parametrize("header", ['"3"', '"5"', '"40"', "4", '"4', '4"', "W/4", '"3", "5"', '""'])
def test_mismatched_if_match_is_412(header: str) -> None:
    with pytest.raises(Problem) as caught:
        check_if_match(header, VERSION)
    assert caught.value.kind is PRECONDITION_FAILED
    assert caught.value.kind.status == 412
    assert caught.value.extensions["current_etag"] == '"4"'


@pytest.mark.parametrize(
    "header",
    ['"4"', ' "4" ', '"3", "4"', '"4","5"', '"1", "2" , "4"', 'W/"4"', '"3", W/"4"', "*", " * "],
)
def test_matching_if_match_passes(header: str) -> None:
    check_if_match(header, VERSION)


router = APIRouter(prefix="/api/v1/test-etag")


@router.put("/thing")
async def update_thing(response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    check_if_match(if_match, VERSION)
    set_etag(response, VERSION + 1)
    return {"version": VERSION + 1}


@pytest.fixture
def app(app: FastAPI) -> FastAPI:
    app.include_router(router)
    return app


async def test_http_missing_if_match_is_a_428_problem(client: httpx.AsyncClient) -> None:
    response = await client.put("/api/v1/test-etag/thing", headers={"Accept-Language": "en"})
    assert response.status_code == 428
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == PROBLEM_BASE_URI + "precondition-required"
    assert body["title"] == "If-Match header required"
    assert body["detail"] == "Send an If-Match header with this resource's latest ETag."


async def test_http_stale_if_match_is_a_412_problem(client: httpx.AsyncClient) -> None:
    response = await client.put("/api/v1/test-etag/thing", headers={"If-Match": '"3"'})
    assert response.status_code == 412
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == PROBLEM_BASE_URI + "precondition-failed"
    assert body["title"] == "Versi sumber daya tidak cocok"
    assert body["current_etag"] == '"4"'


async def test_http_current_if_match_succeeds_with_new_etag(client: httpx.AsyncClient) -> None:
    response = await client.put("/api/v1/test-etag/thing", headers={"If-Match": '"4"'})
    assert response.status_code == 200
    assert response.json() == {"version": 5}
    assert response.headers["etag"] == '"5"'
