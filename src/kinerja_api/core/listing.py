"""The one list helper: every list endpoint is the statement of what the caller may read,
narrowed by the filters that were given, sorted by a whitelisted keyset and served a page at a
time (see `pagination` for the cursor)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from kinerja_api.core.pagination import (
    Keyset,
    PageParams,
    fetch_entity_page,
    fetch_page,
    list_scope,
    where_given,
)

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
    """A page of `readable` (a select already restricted to what the caller may read).

    `equal` holds the equality filters (a None value was not given), `where` further conditions
    (None: not given), `subtree` the agency-subtree filter, and `updated_since` keeps the rows
    whose `updated_at` is at or after it. `cursor_filters` is everything the list was asked for:
    a cursor is valid only for the same list, sort and filters. The page holds the selected
    entities, or with `rows` the rows as selected (columns read by name)."""
    if subtree is not None:
        if subtree.condition is None:
            return [], None
        readable = readable.where(subtree.condition)
    statement = where_given(readable, (equal or {}).items())
    conditions = [condition for condition in where if condition is not None]
    if updated_since is not None and updated_at is not None:
        conditions.append(updated_at >= updated_since)
    if conditions:
        statement = statement.where(*conditions)
    keyset = listing.sorts[sort]
    scope = list_scope(listing.name, sort, cursor_filters)
    if rows:
        return await fetch_page(
            session,
            statement,
            keyset=keyset,
            key_of=keyset.key_of,
            params=page,
            scope=scope,
        )
    return await fetch_entity_page(session, statement, keyset=keyset, params=page, scope=scope)
