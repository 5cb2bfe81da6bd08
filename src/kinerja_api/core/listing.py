"""The one list helper: every list endpoint is the statement of what the caller may read,
narrowed by the filters that were given, sorted by a whitelisted keyset and served a page at a
time (see `pagination` for the cursor), or whole, streamed from a server-side cursor (CSV
answers and export jobs): the same statement either way."""

from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Hashable,
    Iterable,
    Mapping,
    Sequence,
)
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Integer, Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from kinerja_api.core.pagination import (
    Keyset,
    PageParams,
    fetch_entity_page,
    fetch_page,
    list_scope,
    page_and_cursor,
    where_given,
)
from kinerja_api.core.shapes import Bindings, Shapes, symbol

SortKey = TypeVar("SortKey", bound=str)
Column = QueryableAttribute[Any] | ColumnElement[Any]


@dataclass(frozen=True, slots=True)
class Subtree:
    """An agency-subtree filter the caller resolved (`org.agencies.service.subtree`): the
    condition, or None when the caller may not read the subtree's root, so the list is empty."""

    condition: ColumnElement[bool] | None


@dataclass(frozen=True, slots=True)
class ListOf(Generic[SortKey]):
    """A list's name (part of its cursors' scope) and its sort whitelist."""

    name: str
    sorts: Mapping[SortKey, Keyset]


@dataclass(frozen=True, slots=True)
class ListQuery:
    """A list as it was asked for, not yet run: the readable statement narrowed by the filters
    given (None when nothing can match), the keyset of its sort, the scope its cursors are
    signed for, and whether it selects rows (`rows=True`) or one entity."""

    statement: Select[Any] | None
    keyset: Keyset
    scope: str
    rows: bool = False
    # A statement built once per shape (core.shapes) runs with these values; None: the
    # statement carries its values.
    params: Mapping[str, Any] | None = None


def list_query(
    readable: Select[Any],
    listing: ListOf[SortKey],
    sort: SortKey,
    *,
    cursor_filters: Mapping[str, Any],
    equal: Mapping[Column, object] | None = None,
    where: Iterable[ColumnElement[bool] | None] = (),
    subtree: Subtree | None = None,
    updated_at: Column | None = None,
    updated_since: datetime | None = None,
    rows: bool = False,
) -> ListQuery:
    """`readable` (a select already restricted to what the caller may read) narrowed as asked.

    `equal` holds the equality filters (a None value was not given), `where` further conditions
    (None: not given), `subtree` the agency-subtree filter, and `updated_since` keeps the rows
    whose `updated_at` is at or after it. `cursor_filters` is everything the list was asked for:
    a cursor is valid only for the same list, sort and filters. The list yields the selected
    entities, or with `rows` the rows as selected (columns read by name)."""
    keyset = listing.sorts[sort]
    scope = list_scope(listing.name, sort, cursor_filters)
    if subtree is not None:
        if subtree.condition is None:
            return ListQuery(None, keyset, scope, rows)
        readable = readable.where(subtree.condition)
    statement = where_given(readable, (equal or {}).items())
    conditions = [condition for condition in where if condition is not None]
    if updated_since is not None and updated_at is not None:
        conditions.append(updated_at >= updated_since)
    if conditions:
        statement = statement.where(*conditions)
    return ListQuery(statement, keyset, scope, rows)


def built_once(
    shapes: Shapes,
    shape: Hashable,
    bindings: Bindings,
    build: Callable[[], ListQuery],
    *,
    listing: ListOf[SortKey],
    sort: SortKey,
    cursor_filters: Mapping[str, Any],
) -> ListQuery:
    """The list `build` returns (a `list_query` built from symbols, see core.shapes), built
    once for its `shape`, with this request's values (`bindings`) and cursor scope."""
    built = shapes.statement(shape, bindings, build)
    return ListQuery(
        built.statement,
        built.keyset,
        list_scope(listing.name, sort, cursor_filters),
        built.rows,
        bindings.values,
    )


async def page_of(
    session: AsyncSession, query: ListQuery, page: PageParams
) -> tuple[list[Any], str | None]:
    """One page of the list, and the cursor of the next (None on the last)."""
    if query.statement is None:
        return [], None
    if query.params is not None:
        return await _shaped_page(session, query, query.statement, query.params, page)
    if query.rows:
        return await fetch_page(
            session,
            query.statement,
            keyset=query.keyset,
            key_of=query.keyset.key_of,
            params=page,
            scope=query.scope,
        )
    return await fetch_entity_page(
        session, query.statement, keyset=query.keyset, params=page, scope=query.scope
    )


async def _shaped_page(
    session: AsyncSession,
    query: ListQuery,
    statement: Select[Any],
    values: Mapping[str, Any],
    page: PageParams,
) -> tuple[list[Any], str | None]:
    """`fetch_page` for a statement built once: its page (sort, limit and the cursor's key)
    is built once too, and the values bound when it runs."""
    bound = {**values, "page_limit": page.limit + 1}
    after = None
    if page.cursor is not None:
        after = page.codec.decode(query.scope, page.cursor)
        bound.update(query.keyset.after_values(after))
    paged = _PAGES.statement(
        (statement, after is not None),
        _NO_BINDINGS,
        lambda: _paged(statement, query.keyset, continued=after is not None),
    )
    found = list((await session.execute(paged, bound)).all())
    rows = found if query.rows else [row[0] for row in found]
    return page_and_cursor(rows, page, query.scope, query.keyset.key_of)


def _paged(statement: Select[Any], keyset: Keyset, *, continued: bool) -> Select[Any]:
    if continued:
        statement = statement.where(keyset.after_symbols())
    limit = symbol("page_limit", _INTEGER)
    return statement.order_by(*keyset.order_by()).limit(limit)


# Keyed by the statement itself (a select is equal only to itself): each shaped statement's
# pages, first and continued.
_PAGES = Shapes(size=1024)
_NO_BINDINGS = Bindings()
_INTEGER = Integer()


async def list_page(
    session: AsyncSession,
    readable: Select[Any],
    listing: ListOf[SortKey],
    sort: SortKey,
    *,
    cursor_filters: Mapping[str, Any],
    page: PageParams,
    equal: Mapping[Column, object] | None = None,
    where: Iterable[ColumnElement[bool] | None] = (),
    subtree: Subtree | None = None,
    updated_at: Column | None = None,
    updated_since: datetime | None = None,
    rows: bool = False,
) -> tuple[list[Any], str | None]:
    """A page of `readable` narrowed as `list_query` says."""
    query = list_query(
        readable,
        listing,
        sort,
        cursor_filters=cursor_filters,
        equal=equal,
        where=where,
        subtree=subtree,
        updated_at=updated_at,
        updated_since=updated_since,
        rows=rows,
    )
    return await page_of(session, query, page)


# Rows fetched from the server-side cursor at a time: a CSV answer or an export holds one
# batch (and its views) in memory, never the whole list.
STREAM_BATCH = 500
# A list's items from a batch of its rows, for the caller: (session, principal, rows).
Views = Callable[[AsyncSession, Any, Sequence[Any]], Awaitable[Sequence[Any]]]


async def every_batch(
    session: AsyncSession, query: ListQuery, *, batch: int = STREAM_BATCH
) -> AsyncIterator[list[Any]]:
    """The whole list in its sort order, `batch` items at a time, read from a server-side
    cursor: the statement runs once, and rows arrive as they are consumed. The session's
    transaction must stay open until the iteration ends."""
    if query.statement is None:
        return
    statement = query.statement.order_by(*query.keyset.order_by()).execution_options(
        yield_per=batch
    )
    result = await session.stream(statement, query.params)
    try:
        async for partition in result.partitions():
            yield list(partition) if query.rows else [row[0] for row in partition]
    finally:
        await result.close()


async def every_view(
    session: AsyncSession,
    principal: Any,
    query: ListQuery,
    views: Views,
    *,
    batch: int = STREAM_BATCH,
) -> AsyncIterator[Sequence[Any]]:
    """The whole list as its pages show it to `principal`: each batch of rows through the
    list's `views` (the function that turns a page's rows into its items)."""
    async for rows in every_batch(session, query, batch=batch):
        yield await views(session, principal, rows)
