"""Keyset pagination with opaque, signed cursors.

A cursor carries the sort key of the last item served and the list it belongs to (endpoint,
sort and filters); it is signed so that a tampered cursor, or one taken from another list, is
refused with a 400 problem instead of silently returning the wrong page.
"""

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

from fastapi import Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from kinerja_api.core.i18n import Msg
from kinerja_api.core.problems import INVALID_CURSOR, Problem
from kinerja_api.core.schemas import ClientText
from kinerja_api.core.shapes import symbol

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
_MAC_BYTES = 16


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to fetch the next page; null on the last page."
    )


@dataclass(frozen=True, slots=True)
class PageParams:
    """A page request: its size, the cursor it continues from, and the app's codec that reads
    and signs cursors."""

    limit: int
    cursor: str | None
    codec: "CursorCodec"


# Dependencies are coroutines: FastAPI runs a plain function in a worker thread, a hop that
# costs more than the function itself.
async def page_params(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size.")] = DEFAULT_LIMIT,
    cursor: Annotated[
        ClientText | None,
        Query(max_length=2048, description="Opaque cursor from `next_cursor`."),
    ] = None,
) -> PageParams:
    codec: CursorCodec = request.app.state.cursor_codec
    return PageParams(limit=limit, cursor=cursor, codec=codec)


PageQuery = Annotated[PageParams, Depends(page_params)]

_BAD_CURSOR = Msg(
    "Kursor rusak, kedaluwarsa, atau milik daftar lain.",
    "The cursor is malformed or belongs to another list.",
)


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, UUID):
        return {"u": str(value)}
    if isinstance(value, Decimal):
        return {"n": str(value)}
    return value


def _from_json(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    ((tag, raw),) = value.items()
    converters: dict[str, Callable[[str], Any]] = {
        "dt": datetime.fromisoformat,
        "d": date.fromisoformat,
        "u": UUID,
        "n": Decimal,
    }
    return converters[tag](raw)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CursorCodec:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, scope: str, payload: bytes) -> bytes:
        return hmac.new(self._secret, scope.encode() + b"\0" + payload, hashlib.sha256).digest()[
            :_MAC_BYTES
        ]

    def encode(self, scope: str, values: Sequence[Any]) -> str:
        payload = json.dumps([_to_json(v) for v in values], separators=(",", ":")).encode()
        return f"{_b64(payload)}.{_b64(self._mac(scope, payload))}"

    def decode(self, scope: str, token: str) -> list[Any]:
        try:
            payload_text, mac_text = token.split(".", 1)
            payload = _unb64(payload_text)
            if not hmac.compare_digest(_unb64(mac_text), self._mac(scope, payload)):
                raise ValueError("signature")
            values = json.loads(payload)
            if not isinstance(values, list):
                raise ValueError("shape")
            return [_from_json(v) for v in values]
        except (ValueError, KeyError, TypeError, InvalidOperation, binascii.Error) as exc:
            raise Problem(INVALID_CURSOR, _BAD_CURSOR) from exc


def list_scope(name: str, sort: str, filters: Mapping[str, Any]) -> str:
    """Identifies one list: a cursor is valid only for the same endpoint, sort and filters."""
    canonical = json.dumps(
        {k: _to_json(v) for k, v in sorted(filters.items())}, default=str, sort_keys=True
    )
    return f"{name}|{sort}|{canonical}"


@dataclass(frozen=True, slots=True)
class Keyset:
    """The ordered columns a list is sorted by; the last one must be unique (usually `id`)."""

    columns: tuple[ColumnElement[Any] | QueryableAttribute[Any], ...]
    descending: bool = False

    def order_by(self) -> list[ColumnElement[Any]]:
        return [c.desc() if self.descending else c.asc() for c in self.columns]

    def key_of(self, entity: object) -> tuple[Any, ...]:
        """The sort key of an ORM entity selected by a list query."""
        return tuple(getattr(entity, str(column.key)) for column in self.columns)

    def after(self, values: Sequence[Any]) -> ColumnElement[bool]:
        return self._beyond(self._checked(values))

    def after_symbols(self) -> ColumnElement[bool]:
        """`after` for a statement built once (core.shapes): the cursor's key as symbols,
        bound by `after_values`."""
        return self._beyond(
            [symbol(f"after_{n}", column.type) for n, column in enumerate(self.columns)]
        )

    def after_values(self, values: Sequence[Any]) -> dict[str, Any]:
        return {f"after_{n}": value for n, value in enumerate(self._checked(values))}

    def _checked(self, values: Sequence[Any]) -> Sequence[Any]:
        if len(values) != len(self.columns):
            raise Problem(INVALID_CURSOR, _BAD_CURSOR)
        return values

    def _beyond(self, key: Sequence[Any]) -> ColumnElement[bool]:
        row, bound = tuple_(*self.columns), tuple_(*key)
        return row < bound if self.descending else row > bound


async def fetch_page(
    session: AsyncSession,
    statement: Select[Any],
    *,
    keyset: Keyset,
    key_of: Callable[[Any], Sequence[Any]],
    params: PageParams,
    scope: str,
) -> tuple[list[Any], str | None]:
    """Run `statement` one page at a time; rows are whatever the statement selects."""
    if params.cursor is not None:
        statement = statement.where(keyset.after(params.codec.decode(scope, params.cursor)))
    statement = statement.order_by(*keyset.order_by()).limit(params.limit + 1)
    rows = list((await session.execute(statement)).all())
    return page_and_cursor(rows, params, scope, key_of)


def page_and_cursor(
    rows: list[Any], params: PageParams, scope: str, key_of: Callable[[Any], Sequence[Any]]
) -> tuple[list[Any], str | None]:
    """A page from up to `params.limit + 1` rows, and the cursor of the next (None on the
    last: the extra row was not there)."""
    if len(rows) <= params.limit:
        return rows, None
    rows = rows[: params.limit]
    return rows, params.codec.encode(scope, key_of(rows[-1]))


async def fetch_entity_page(
    session: AsyncSession,
    statement: Select[Any],
    *,
    keyset: Keyset,
    params: PageParams,
    scope: str,
) -> tuple[list[Any], str | None]:
    """`fetch_page` for statements that select one ORM entity: returns the entities, and the
    cursor is read from the entity's own sort columns."""
    rows, cursor = await fetch_page(
        session,
        statement,
        keyset=keyset,
        key_of=lambda row: keyset.key_of(row[0]),
        params=params,
        scope=scope,
    )
    return [row[0] for row in rows], cursor


Statement = TypeVar("Statement", bound=Select[Any])


def where_given(
    statement: Statement,
    equal_to: Iterable[tuple[QueryableAttribute[Any] | ColumnElement[Any], object]],
) -> Statement:
    """`statement` narrowed by each equality filter that was given (its value is not None)."""
    conditions = [column == value for column, value in equal_to if value is not None]
    return statement.where(*conditions) if conditions else statement
