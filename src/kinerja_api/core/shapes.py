"""Statements built once per shape, for hot lists.

Building a list's statement (its columns, the caller's read rule, the filters given, the sort)
and deriving its cache key cost more CPU than PostgreSQL spends running it: about 0.8 ms of a
5.5 ms plans-list request measured one request after another. A statement built once serves
every request of the same shape; what differs between those requests (the caller's ids, the
filters' values, a cursor's key, the page size) are named bound parameters, supplied each time
it runs.

The shape is whatever changes the SQL text: the kind of caller (kind, roles, scopes), which
values were given (a filter left out is no condition at all), the sort, and whether a cursor
continues the list. A builder sees symbols only (`Bindings.bind` hands it a bound parameter
standing for the value), so a request's value cannot be built into a statement another request
reuses; `Shapes` checks it anyway, once per shape, by looking for the request's ids and instants
among the built statement's literal values.
"""

import uuid
from collections.abc import Callable, Hashable, Iterable
from datetime import date, datetime
from functools import cache
from typing import Any, TypeVar, cast

from sqlalchemy import BindParameter, ClauseElement, bindparam
from sqlalchemy.sql import visitors
from sqlalchemy.types import TypeEngine

T = TypeVar("T")
Built = TypeVar("Built")
# A request's values that must never be built into a shared statement: ids (the caller's region
# among them) and instants. Words and numbers may equal a constant of the statement itself.
_IDENTIFYING = (uuid.UUID, datetime, date)


@cache
def symbol(name: str, type_: TypeEngine[Any]) -> BindParameter[Any]:
    """The bound parameter `name` (one shared object: it holds no value). `type_` is a
    long-lived instance (a column's type, a module's constant): it is part of the key."""
    return bindparam(name, type_=type_)


class Bindings:
    """The values one request binds, by symbol name, and its other inputs (`inputs`: values a
    builder might take without binding them). None of either may be a statement's literal."""

    __slots__ = ("inputs", "values")

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.inputs: list[Any] = []

    def bind(self, name: str, value: T, type_: TypeEngine[Any]) -> T:
        """A symbol standing for `value` in a statement built once, typed as the value it
        stands for so that builders take it where they take the value; None stays None (a
        filter not given, a caller without an employee)."""
        if value is None:
            return value
        self.values[name] = value
        return cast(T, symbol(name, type_))

    def names(self) -> frozenset[str]:
        """The values given, by name: part of the shape."""
        return frozenset(self.values)


class Shapes:
    """Statements built once per shape (at most `size` of them; the oldest is dropped)."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._built: dict[Hashable, Any] = {}

    def statement(self, shape: Hashable, bindings: Bindings, build: Callable[[], Built]) -> Built:
        found: Built | None = self._built.get(shape)
        if found is None:
            found = build()
            refuse_built_in_values(found, [*bindings.values.values(), *bindings.inputs])
            if len(self._built) >= self._size:
                del self._built[next(iter(self._built))]
            self._built[shape] = found
        return found


class ValueBuiltInError(RuntimeError):
    """A statement meant to be shared carries one request's value as a literal."""


def refuse_built_in_values(built: object, values: Iterable[Any]) -> None:
    """Raises when one of the request's identifying `values` appears in `built` (a statement,
    or an object holding one as its `statement`) as a literal rather than through its symbol:
    the statement would answer the next request of the same shape with this request's id."""
    statement = built if isinstance(built, ClauseElement) else getattr(built, "statement", None)
    if statement is None:
        return
    given = [value for value in values if isinstance(value, _IDENTIFYING)]
    for element in visitors.iterate(statement):
        if not isinstance(element, BindParameter) or element.value is None:
            continue
        if any(element.value == value for value in given):
            raise ValueBuiltInError(f"{element.key} carries a request's value")
