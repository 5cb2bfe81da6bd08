"""The lists that can be exported, by name: what a CSV answer and an export job need to run a
list exactly as its JSON pages run it.

A list registers itself beside its route (`exportable(...)` in its router module): its name,
its columns, its filters and sorts, who may read it, and the two functions its pages already
use, one building the list's statement for a caller (`ListQuery`, checking what the filters
name) and one turning a batch of rows into the items a page shows. `core` names no list: the
modules that register them are listed by the wiring (`kinerja_api.export_lists`) and imported
by whatever runs exports (`load`), as the worker imports the job modules.
"""

import importlib
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any, Generic, Protocol, TypeVar

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.core.csv_export import CsvColumns
from kinerja_api.core.listing import ListQuery, Views
from kinerja_api.core.problems import validation_problem

Filters = TypeVar("Filters")
Sort = TypeVar("Sort", bound=StrEnum)


class Readers(Protocol):
    """Who may read a list: the access rule of its route (`auth.access.AccessRule`)."""

    def allows(self, principal: Any) -> bool: ...


@dataclass(frozen=True, eq=False)
class ExportableList(Generic[Filters, Sort]):
    """A list as its route serves it. `query(session, principal, filters, sort)` builds the
    caller's statement (raising the list's problems: an agency the caller cannot read, a
    filter only some may use); `views(session, rows)` makes a batch of rows the page's items."""

    name: str
    columns: CsvColumns
    filters: type[Filters]
    sorts: type[Sort]
    default_sort: Sort
    readers: Readers
    query: Callable[[AsyncSession, Any, Filters, Sort], Awaitable[ListQuery]]
    views: Views

    @cached_property
    def _adapter(self) -> TypeAdapter[Filters]:
        return TypeAdapter(self.filters)

    @cached_property
    def filter_names(self) -> frozenset[str]:
        """The filters' names as the query string spells them (`from` for `from_`)."""
        return frozenset(self._adapter.dump_python(self.filters(), by_alias=True))

    def parse_filters(self, given: Mapping[str, Any], *, at: str = "filters") -> Filters:
        """`given` (query-string names, JSON values) as the list's filters; a 422 naming
        `at.<name>` for an unknown name or a value the list's query string would refuse."""
        unknown = sorted(set(given) - self.filter_names)
        if unknown:
            raise validation_problem(
                [
                    {
                        "loc": (at, name),
                        "msg": "not a filter of this list",
                        "type": "extra_forbidden",
                    }
                    for name in unknown
                ]
            )
        try:
            return self._adapter.validate_python(dict(given))
        except ValidationError as exc:
            raise validation_problem(
                [{**error, "loc": (at, *error["loc"])} for error in exc.errors()]
            ) from exc

    def filters_given(self, filters: Filters) -> dict[str, Any]:
        """The filters that differ from the defaults, JSON-ready, by their query-string names."""
        given = self._adapter.dump_python(filters, mode="json", by_alias=True)
        defaults = self._adapter.dump_python(self.filters(), mode="json", by_alias=True)
        return {name: value for name, value in given.items() if value != defaults[name]}

    def parse_sort(self, given: str | None, *, at: str = "sort") -> Sort:
        if given is None:
            return self.default_sort
        try:
            return self.sorts(given)
        except ValueError as exc:
            raise validation_problem(
                [
                    {
                        "loc": (at,),
                        "msg": f"one of {', '.join(sort.value for sort in self.sorts)}",
                        "type": "enum",
                    }
                ]
            ) from exc


_LISTS: dict[str, ExportableList[Any, Any]] = {}


def exportable(listed: ExportableList[Filters, Sort]) -> ExportableList[Filters, Sort]:
    """Registers `listed` under its name (once; a second list of the same name is a mistake)."""
    known = _LISTS.setdefault(listed.name, listed)
    if known is not listed:
        raise ValueError(f"two exportable lists named {listed.name!r}")
    return listed


def find(name: str) -> ExportableList[Any, Any] | None:
    return _LISTS.get(name)


def names() -> list[str]:
    return sorted(_LISTS)


def load(modules: Iterable[str]) -> None:
    """Imports the modules that register the lists (the wiring names them)."""
    for module in modules:
        importlib.import_module(module)
