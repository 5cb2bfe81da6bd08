"""RFC 9457 problem details for every error the platform produces, in Indonesian or English."""

import json
import logging
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Query
from pydantic import BaseModel, Field

from kinerja_api.core.i18n import Msg, current_language, negotiate_language
from kinerja_api.core.logging import JsonFormatter
from kinerja_api.core.problems import (
    CONFLICT,
    PROBLEM_BASE_URI,
    PROBLEM_MEDIA_TYPE,
    Problem,
    field_problem,
)

SECRET_DETAIL = "db password=hunter2 at /srv/kinerja/internal.py"

router = APIRouter(prefix="/api/v1/test-problems")


class Item(BaseModel):
    name: str = Field(min_length=1)
    quantity: int = Field(ge=1)


@router.post("/items", status_code=201)
async def create_item(item: Item, limit: Annotated[int, Query(ge=1, le=10)] = 5) -> dict[str, Any]:
    return {"name": item.name, "quantity": item.quantity, "limit": limit}


@router.get("/boom")
async def boom() -> dict[str, str]:
    raise RuntimeError(SECRET_DETAIL)


@router.get("/conflict")
async def conflict() -> dict[str, str]:
    raise Problem(
        CONFLICT,
        Msg("Nomor {nip} sudah terdaftar.", "Number {nip} is already registered."),
        params={"nip": "1987"},
        conflicting_id="abc",
        headers={"X-Extra": "yes"},
    )


@router.get("/field")
async def field() -> dict[str, str]:
    raise field_problem("body.nip", Msg("NIP tidak dikenal.", "Unknown NIP."), code="unknown")


@pytest.fixture
def app(app: FastAPI) -> FastAPI:
    app.include_router(router)
    return app


def assert_problem(response: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body: dict[str, Any] = response.json()
    assert body["type"] == PROBLEM_BASE_URI + slug
    assert body["status"] == status
    assert isinstance(body["title"], str)
    assert body["title"]
    return body


# --- 404 / 405 ------------------------------------------------------------------------------


async def test_unknown_route_is_a_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/does-not-exist")
    body = assert_problem(response, 404, "not-found")
    assert body["title"] == "Tidak ditemukan"
    assert body["detail"] == "Alamat yang diminta tidak ada."
    assert body["instance"] == "/api/v1/does-not-exist"


async def test_unknown_route_in_english(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/does-not-exist", headers={"Accept-Language": "en"})
    body = assert_problem(response, 404, "not-found")
    assert body["title"] == "Not found"
    assert body["detail"] == "The requested resource does not exist."


async def test_wrong_method_is_a_405_problem_with_allow(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/test-problems/items")
    body = assert_problem(response, 405, "method-not-allowed")
    assert body["title"] == "Metode tidak diizinkan"
    assert body["detail"] == "Metode ini tidak didukung untuk alamat ini."
    assert [m.strip() for m in response.headers["allow"].split(",")] == ["POST"]


async def test_wrong_method_on_a_get_route_lists_get(client: httpx.AsyncClient) -> None:
    response = await client.delete("/health/live", headers={"Accept-Language": "en"})
    body = assert_problem(response, 405, "method-not-allowed")
    assert body["title"] == "Method not allowed"
    assert "GET" in {m.strip() for m in response.headers["allow"].split(",")}


# --- validation -----------------------------------------------------------------------------


async def test_validation_errors_name_every_field(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/test-problems/items", params={"limit": "99"}, json={"quantity": 0}
    )
    body = assert_problem(response, 422, "validation")
    assert body["title"] == "Data tidak valid"
    fields = {error["field"]: error for error in body["errors"]}
    assert set(fields) == {"body.name", "body.quantity", "query.limit"}
    assert fields["body.name"]["code"] == "missing"
    assert fields["body.quantity"]["code"] == "greater_than_equal"
    assert fields["query.limit"]["code"] == "less_than_equal"
    assert all(error["message"] for error in body["errors"])
    assert body["detail"] == "Ada 3 kesalahan pada data yang dikirim."


async def test_validation_problem_in_english(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/test-problems/items",
        params={"limit": "abc"},
        json={"name": "x", "quantity": 2},
        headers={"Accept-Language": "en-GB, id;q=0.5"},
    )
    body = assert_problem(response, 422, "validation")
    assert body["title"] == "Validation failed"
    assert body["detail"] == "1 input error(s) in the request."
    assert [error["field"] for error in body["errors"]] == ["query.limit"]
    assert body["errors"][0]["code"] == "int_parsing"


async def test_valid_request_passes(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/test-problems/items", params={"limit": "3"}, json={"name": "x", "quantity": 2}
    )
    assert response.status_code == 201
    assert response.json() == {"name": "x", "quantity": 2, "limit": 3}


async def test_malformed_json_is_a_422_problem(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/test-problems/items",
        content=b'{"name": "x", "quantity": ',
        headers={"Content-Type": "application/json"},
    )
    body = assert_problem(response, 422, "validation")
    assert len(body["errors"]) == 1
    assert body["errors"][0]["field"].startswith("body")
    assert body["errors"][0]["code"] == "json_invalid"


@pytest.mark.parametrize("content", [b'{"name": "\xff\xfe", "quantity": 1}', b"\xc3\x28", b"\x80"])
async def test_json_body_that_is_not_utf8_is_a_422_problem(
    client: httpx.AsyncClient, content: bytes
) -> None:
    response = await client.post(
        "/api/v1/test-problems/items",
        content=content,
        headers={"Content-Type": "application/json"},
    )
    body = assert_problem(response, 422, "validation")
    assert body["errors"] == [
        {"field": "body", "message": "JSON body is not valid UTF-8", "code": "json_invalid"}
    ]


async def test_json_array_instead_of_object_is_a_422_problem(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/test-problems/items", json=[1, 2])
    body = assert_problem(response, 422, "validation")
    assert [error["field"] for error in body["errors"]] == ["body"]


async def test_validation_errors_do_not_echo_input(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/test-problems/items", json={"name": "", "quantity": "rahasia-sekali"}
    )
    body = assert_problem(response, 422, "validation")
    assert "rahasia-sekali" not in response.text
    assert {error["field"] for error in body["errors"]} == {"body.name", "body.quantity"}


# --- raised problems ------------------------------------------------------------------------


async def test_raised_problem_carries_params_extensions_and_headers(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/v1/test-problems/conflict")
    body = assert_problem(response, 409, "conflict")
    assert body["detail"] == "Nomor 1987 sudah terdaftar."
    assert body["conflicting_id"] == "abc"
    assert response.headers["x-extra"] == "yes"

    english = await client.get("/api/v1/test-problems/conflict", headers={"Accept-Language": "en"})
    assert english.json()["detail"] == "Number 1987 is already registered."
    assert english.json()["title"] == "Conflict"


async def test_field_problem_names_its_field(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/test-problems/field", headers={"Accept-Language": "en"})
    body = assert_problem(response, 422, "validation")
    assert body["detail"] == "Unknown NIP."
    assert body["errors"] == [{"field": "body.nip", "message": "Unknown NIP.", "code": "unknown"}]


# --- unhandled errors -----------------------------------------------------------------------


async def test_unhandled_error_is_a_500_problem_without_internals(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.setFormatter(JsonFormatter())
    with caplog.at_level(logging.ERROR, logger="kinerja_api.errors"):
        response = await client.get(
            "/api/v1/test-problems/boom", headers={"X-Request-ID": "req-boom-1"}
        )
    body = assert_problem(response, 500, "internal")
    assert body["title"] == "Terjadi kesalahan pada server"
    assert response.headers["x-request-id"] == "req-boom-1"
    for leak in ("hunter2", "RuntimeError", "Traceback", "internal.py", "boom"):
        assert leak not in response.text

    records = [r for r in caplog.records if r.name == "kinerja_api.errors"]
    assert len(records) == 1
    assert records[0].exc_info is not None
    assert isinstance(records[0].exc_info[1], RuntimeError)
    lines = [json.loads(line) for line in caplog.text.splitlines() if line.startswith("{")]
    logged = [line for line in lines if line["logger"] == "kinerja_api.errors"]
    assert len(logged) == 1
    assert logged[0]["request_id"] == "req-boom-1"
    assert logged[0]["path"] == "/api/v1/test-problems/boom"
    assert "hunter2" in logged[0]["exception"]


async def test_unhandled_error_in_english(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/test-problems/boom", headers={"Accept-Language": "en"})
    body = assert_problem(response, 500, "internal")
    assert body["title"] == "Internal server error"
    assert "hunter2" not in response.text


# --- language negotiation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "id"),
        ("", "id"),
        ("id", "id"),
        ("en", "en"),
        ("EN", "en"),
        ("en-US", "en"),
        ("id-ID", "id"),
        ("fr", "id"),
        ("*", "id"),
        ("fr, en;q=0.3", "en"),
        ("id;q=0.4, en;q=0.8", "en"),
        ("en;q=0.4, id;q=0.8", "id"),
        ("en;q=0.8, id", "id"),
        ("en, id", "en"),
        ("id, en", "id"),
        ("en;q=0", "id"),
        ("en;q=0, id;q=0.1", "id"),
        ("en;q=abc", "id"),
        ("en-GB;q=0.9, id-ID;q=0.7, fr;q=1", "en"),
        (" en ; q=0.5 ,  id ; q=0.2", "en"),
    ],
)
def test_negotiate_language(header: str | None, expected: str) -> None:
    assert negotiate_language(header) == expected


def test_msg_renders_in_the_current_language() -> None:
    message = Msg("Halo {name}", "Hello {name}")
    assert message.render(name="Ani") == "Halo Ani"
    assert message.render("en", name="Ani") == "Hello Ani"
    token = current_language.set("en")
    try:
        assert message.render(name="Ani") == "Hello Ani"
        assert message.render("id", name="Ani") == "Halo Ani"
    finally:
        current_language.reset(token)


def test_problem_body_shape() -> None:
    problem = Problem(CONFLICT, Msg("A {x}", "B {x}"), params={"x": 1}, extra=[1])
    assert problem.body("en", "/p") == {
        "type": PROBLEM_BASE_URI + "conflict",
        "title": "Conflict",
        "status": 409,
        "detail": "B 1",
        "instance": "/p",
        "extra": [1],
    }
    assert "detail" not in Problem(CONFLICT).body("id")
