"""Keyset pagination: signed cursors, scopes, and paging over real PostgreSQL queries."""

import base64
import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Query
from sqlalchemy import Select, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.elements import Label

from kinerja_api.core.pagination import (
    CursorCodec,
    Keyset,
    Page,
    PageParams,
    PageQuery,
    fetch_page,
    list_scope,
)
from kinerja_api.core.problems import INVALID_CURSOR, PROBLEM_BASE_URI, Problem
from kinerja_api.core.uow import DbSession

SCOPE = list_scope("numbers", "value", {})
TOTAL = 125


@pytest.fixture
def codec() -> CursorCodec:
    return CursorCodec(b"a-test-secret-that-is-long-enough-0123456789")


@pytest.fixture
async def session(connection: AsyncConnection) -> AsyncSession:
    return AsyncSession(bind=connection, join_transaction_mode="create_savepoint")


def numbers() -> Any:
    return select(func.generate_series(1, TOTAL).label("n")).subquery("numbers")


def flip(text: str, index: int) -> str:
    replacement = "B" if text[index] != "B" else "C"
    return text[:index] + replacement + text[index + 1 :]


# --- the codec ------------------------------------------------------------------------------


VALUES: list[Any] = [
    datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC),
    datetime(2026, 3, 4, 12, 0, tzinfo=timezone(timedelta(hours=7))),
    datetime(2026, 3, 4, 12, 0),
    date(2026, 2, 28),
    UUID("0b6f0e5e-8d4c-4a55-9a3e-2f6f1c1a7b90"),
    Decimal("12.3400"),
    Decimal("-0.000001"),
    42,
    -7,
    "teks dengan spasi, koma. dan ü",
    "",
    None,
    True,
    1.5,
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_codec_round_trips_each_type(codec: CursorCodec, value: Any) -> None:
    decoded = codec.decode(SCOPE, codec.encode(SCOPE, [value]))
    assert decoded == [value]
    assert type(decoded[0]) is type(value)
    if isinstance(value, datetime):
        assert decoded[0].utcoffset() == value.utcoffset()
    if isinstance(value, Decimal):
        assert str(decoded[0]) == str(value)


def test_codec_round_trips_a_composite_key(codec: CursorCodec) -> None:
    token = codec.encode(SCOPE, VALUES)
    assert codec.decode(SCOPE, token) == VALUES
    assert all(c.isalnum() or c in "-_." for c in token), "cursor must be URL-safe"


def test_cursor_is_refused_by_another_secret(codec: CursorCodec) -> None:
    token = codec.encode(SCOPE, [1])
    other = CursorCodec(b"another-secret-entirely-0123456789abcdef")
    with pytest.raises(Problem) as caught:
        other.decode(SCOPE, token)
    assert caught.value.kind is INVALID_CURSOR


@pytest.mark.parametrize("part", [0, 1])
@pytest.mark.parametrize("position", [0, 5])
def test_tampered_cursor_is_refused(codec: CursorCodec, part: int, position: int) -> None:
    token = codec.encode(SCOPE, [datetime(2026, 1, 1, tzinfo=UTC), 12345])
    pieces = token.split(".")
    pieces[part] = flip(pieces[part], position)
    with pytest.raises(Problem) as caught:
        codec.decode(SCOPE, ".".join(pieces))
    assert caught.value.kind is INVALID_CURSOR
    assert caught.value.kind.status == 400


def test_forged_payload_with_old_mac_is_refused(codec: CursorCodec) -> None:
    payload, mac = codec.encode(SCOPE, [10]).split(".")
    forged, _ = codec.encode(SCOPE, [10_000]).split(".")
    with pytest.raises(Problem):
        codec.decode(SCOPE, f"{forged}.{mac}")
    assert codec.decode(SCOPE, f"{payload}.{mac}") == [10]


@pytest.mark.parametrize(
    "token",
    [
        "",
        ".",
        "garbage",
        "not.base64!",
        "a.b.c",
        "%%%.%%%",
        "kursor·rusak.abc",
        "eyJhIjoxfQ",
        "W10",
        "\x00.\x00",
    ],
)
def test_garbage_cursor_is_refused(codec: CursorCodec, token: str) -> None:
    with pytest.raises(Problem) as caught:
        codec.decode(SCOPE, token)
    assert caught.value.kind is INVALID_CURSOR


@pytest.mark.parametrize(
    "payload",
    [
        b'{"a":1}',
        b"5",
        b'"text"',
        b"null",
        b"[",
        b"\xff\xfe",
        b'[{"x":"1"}]',
        b'[{"dt":"2026-01-01","d":"2026-01-01"}]',
        b"[{}]",
        b'[{"dt":"yesterday"}]',
        b'[{"d":5}]',
        b'[{"u":"not-a-uuid"}]',
        b'[{"n":"abc"}]',
        b'[{"n":null}]',
    ],
)
def test_signed_payload_of_the_wrong_shape_is_refused(codec: CursorCodec, payload: bytes) -> None:
    """Even a correctly signed cursor is refused (never a 500) when its content is not a key."""
    token = f"{_b64(payload)}.{_b64(codec._mac(SCOPE, payload))}"
    with pytest.raises(Problem) as caught:
        codec.decode(SCOPE, token)
    assert caught.value.kind is INVALID_CURSOR


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_cursor_from_another_list_is_refused(codec: CursorCodec) -> None:
    agency = UUID("11111111-1111-1111-1111-111111111111")
    scope = list_scope("employees", "name", {"agency_id": agency, "status": "active"})
    token = codec.encode(scope, ["Budi", agency])
    same = list_scope("employees", "name", {"status": "active", "agency_id": agency})
    assert codec.decode(same, token) == ["Budi", agency]
    for other in [
        list_scope("employees", "name", {"agency_id": agency, "status": "inactive"}),
        list_scope("employees", "name", {"agency_id": agency}),
        list_scope("employees", "created_at", {"agency_id": agency, "status": "active"}),
        list_scope("plans", "name", {"agency_id": agency, "status": "active"}),
    ]:
        assert other != scope
        with pytest.raises(Problem) as caught:
            codec.decode(other, token)
        assert caught.value.kind is INVALID_CURSOR


def test_list_scope_distinguishes_filter_types() -> None:
    assert list_scope("a", "s", {"x": 1}) != list_scope("a", "s", {"x": "1"})
    assert list_scope("a", "s", {"d": date(2026, 1, 1)}) != list_scope(
        "a", "s", {"d": "2026-01-01"}
    )
    assert list_scope("a", "s", {"x": None}) != list_scope("a", "s", {})


def test_keyset_refuses_a_key_of_the_wrong_length() -> None:
    series = numbers()
    keyset = Keyset((series.c.n,))
    with pytest.raises(Problem) as caught:
        keyset.after([1, 2])
    assert caught.value.kind is INVALID_CURSOR


# --- fetch_page over real queries -----------------------------------------------------------


async def walk(
    session: AsyncSession,
    statement: Select[Any],
    keyset: Keyset,
    key_of: Callable[[Any], Sequence[Any]],
    codec: CursorCodec,
    limit: int = 50,
) -> list[list[Any]]:
    pages: list[list[Any]] = []
    cursor: str | None = None
    while True:
        rows, cursor = await fetch_page(
            session,
            statement,
            keyset=keyset,
            key_of=key_of,
            params=PageParams(limit=limit, cursor=cursor, codec=codec),
            scope=SCOPE,
        )
        pages.append(rows)
        if cursor is None:
            return pages
        assert len(pages) < 100, "pagination does not terminate"


@pytest.mark.parametrize("descending", [False, True])
async def test_fetch_page_serves_every_row_once(
    session: AsyncSession, codec: CursorCodec, descending: bool
) -> None:
    series = numbers()
    pages = await walk(
        session,
        select(series.c.n),
        Keyset((series.c.n,), descending=descending),
        lambda row: (row.n,),
        codec,
    )
    assert [len(page) for page in pages] == [50, 50, 25]
    served = [row.n for page in pages for row in page]
    expected = list(range(1, TOTAL + 1))
    assert served == (expected[::-1] if descending else expected)


async def test_exact_multiple_of_the_limit_ends_without_an_empty_page(
    session: AsyncSession, codec: CursorCodec
) -> None:
    series = select(func.generate_series(1, 100).label("n")).subquery("s")
    pages = await walk(
        session, select(series.c.n), Keyset((series.c.n,)), lambda row: (row.n,), codec
    )
    assert [len(page) for page in pages] == [50, 50]


async def test_empty_result_is_one_empty_last_page(
    session: AsyncSession, codec: CursorCodec
) -> None:
    series = numbers()
    pages = await walk(
        session,
        select(series.c.n).where(series.c.n > 1000),
        Keyset((series.c.n,)),
        lambda row: (row.n,),
        codec,
    )
    assert pages == [[]]


@pytest.mark.parametrize("descending", [False, True])
async def test_composite_keyset_with_ties(
    session: AsyncSession, codec: CursorCodec, descending: bool
) -> None:
    """Sorting by a non-unique column, then a unique one, neither skips nor repeats ties."""
    series = numbers()
    group = (series.c.n % 7).label("g")
    pages = await walk(
        session,
        select(group, series.c.n),
        Keyset((series.c.n % 7, series.c.n), descending=descending),
        lambda row: (row.g, row.n),
        codec,
        limit=17,
    )
    served = [(row.g, row.n) for page in pages for row in page]
    expected = sorted(((n % 7, n) for n in range(1, TOTAL + 1)), reverse=descending)
    assert served == expected
    assert all(len(page) == 17 for page in pages[:-1])
    assert 0 < len(pages[-1]) <= 17


@pytest.mark.parametrize("descending", [False, True])
async def test_keyset_over_timestamps_and_uuids(
    session: AsyncSession, codec: CursorCodec, descending: bool
) -> None:
    series = numbers()
    at: Label[Any] = literal_column(
        "(timestamptz '2026-01-01 00:00:00+00' + (numbers.n / 3) * interval '90 minutes')"
    ).label("at")
    row_id: Label[Any] = literal_column("md5(numbers.n::text)::uuid").label("id")
    pages = await walk(
        session,
        select(at, row_id, series.c.n),
        Keyset((at, row_id), descending=descending),
        lambda row: (row.at, row.id),
        codec,
        limit=50,
    )
    served = [(row.at, row.id) for page in pages for row in page]
    assert len(served) == TOTAL
    assert len(set(served)) == TOTAL
    assert served == sorted(served, reverse=descending)
    assert isinstance(served[0][0], datetime)
    assert isinstance(served[0][1], UUID)


@pytest.mark.parametrize("descending", [False, True])
async def test_keyset_over_dates_and_decimals(
    session: AsyncSession, codec: CursorCodec, descending: bool
) -> None:
    series = numbers()
    day: Label[Any] = literal_column("(date '2026-01-01' + (numbers.n / 10))").label("day")
    amount: Label[Any] = literal_column("(numbers.n::numeric / 8)").label("amount")
    pages = await walk(
        session,
        select(day, amount).select_from(series),
        Keyset((day, amount), descending=descending),
        lambda row: (row.day, row.amount),
        codec,
        limit=50,
    )
    served = [(row.day, row.amount) for page in pages for row in page]
    assert len(served) == TOTAL
    assert len(set(served)) == TOTAL
    assert served == sorted(served, reverse=descending)
    assert isinstance(served[0][0], date)
    assert isinstance(served[0][1], Decimal)


async def test_fetch_page_refuses_a_tampered_cursor(
    session: AsyncSession, codec: CursorCodec
) -> None:
    series = numbers()
    _, cursor = await fetch_page(
        session,
        select(series.c.n),
        keyset=Keyset((series.c.n,)),
        key_of=lambda row: (row.n,),
        params=PageParams(limit=10, cursor=None, codec=codec),
        scope=SCOPE,
    )
    assert cursor is not None
    with pytest.raises(Problem) as caught:
        await fetch_page(
            session,
            select(series.c.n),
            keyset=Keyset((series.c.n,)),
            key_of=lambda row: (row.n,),
            params=PageParams(limit=10, cursor=flip(cursor, 0), codec=codec),
            scope=SCOPE,
        )
    assert caught.value.kind is INVALID_CURSOR


# --- over HTTP ------------------------------------------------------------------------------


router = APIRouter(prefix="/api/v1/test-pages")


@router.get("/numbers")
async def list_numbers(
    session: DbSession,
    page: PageQuery,
    odd: Annotated[bool, Query()] = False,
) -> Page[int]:
    series = numbers()
    statement = select(series.c.n)
    if odd:
        statement = statement.where(series.c.n % 2 == 1)
    rows, next_cursor = await fetch_page(
        session,
        statement,
        keyset=Keyset((series.c.n,)),
        key_of=lambda row: (row.n,),
        params=page,
        scope=list_scope("test-numbers", "n", {"odd": odd}),
    )
    return Page[int](items=[row.n for row in rows], next_cursor=next_cursor)


@pytest.fixture
def app(app: FastAPI) -> FastAPI:
    app.include_router(router)
    return app


async def test_http_pages_cover_everything(client: httpx.AsyncClient) -> None:
    served: list[int] = []
    params: dict[str, str] = {}
    for _ in range(10):
        response = await client.get("/api/v1/test-pages/numbers", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"items", "next_cursor"}
        served.extend(body["items"])
        if body["next_cursor"] is None:
            break
        params = {"cursor": body["next_cursor"]}
    assert served == list(range(1, TOTAL + 1))


async def test_http_limit_is_honoured(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/test-pages/numbers", params={"limit": "200"})
    assert response.json()["items"] == list(range(1, TOTAL + 1))
    assert response.json()["next_cursor"] is None
    response = await client.get("/api/v1/test-pages/numbers", params={"limit": "1"})
    assert response.json()["items"] == [1]
    assert response.json()["next_cursor"] is not None


@pytest.mark.parametrize("cursor", ["garbage", "a.b", "W10.AAAAAAAAAAAAAAAAAAAAAA"])
async def test_http_bad_cursor_is_a_400_problem(client: httpx.AsyncClient, cursor: str) -> None:
    response = await client.get(
        "/api/v1/test-pages/numbers", params={"cursor": cursor}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == PROBLEM_BASE_URI + "invalid-cursor"
    assert body["title"] == "Invalid cursor"
    assert body["detail"] == "The cursor is malformed or belongs to another list."


async def test_http_cursor_from_another_filter_is_refused(client: httpx.AsyncClient) -> None:
    first = await client.get("/api/v1/test-pages/numbers", params={"limit": "5"})
    cursor = first.json()["next_cursor"]
    same = await client.get("/api/v1/test-pages/numbers", params={"cursor": cursor})
    assert same.status_code == 200
    assert same.json()["items"][0] == 6
    other = await client.get("/api/v1/test-pages/numbers", params={"cursor": cursor, "odd": "true"})
    assert other.status_code == 400
    assert other.json()["type"] == PROBLEM_BASE_URI + "invalid-cursor"


@pytest.mark.parametrize("limit", ["0", "201", "-1", "ten"])
async def test_http_limit_out_of_range_is_a_422_problem(
    client: httpx.AsyncClient, limit: str
) -> None:
    response = await client.get("/api/v1/test-pages/numbers", params={"limit": limit})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == ["query.limit"]


async def test_http_overlong_cursor_is_a_422_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/test-pages/numbers", params={"cursor": "A" * 2049})
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["query.cursor"]


def test_page_model_shape() -> None:
    page = Page[int](items=[1, 2], next_cursor=None)
    assert json.loads(page.model_dump_json()) == {"items": [1, 2], "next_cursor": None}
