"""Lists as CSV, for a spreadsheet: what a list's pages show, one row per item, written so that
an officer can open the file in Excel or LibreOffice as it comes.

- UTF-8 with a byte order mark (Excel reads a file without one in the machine's code page);
- a header row of the JSON field names; a nested object's fields are columns of their own
  (`achievement.percent`), a list of objects is left out, a list of plain values is one cell
  with the values separated by spaces;
- RFC 4180 (the `csv` module's quoting, CRLF line ends), `,` or, by `csv_separator=semicolon`,
  `;` (what Excel expects where the decimal mark is a comma, as in Indonesia);
- cells as in JSON: dates and instants ISO 8601, decimals plain numbers (`12.50`), booleans
  `true`/`false`, null an empty cell;
- a text cell that a spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`, a
  tab or a carriage return) is prefixed with `'`, as OWASP advises against CSV injection; a
  plain number (`-12.5`) is no formula and is left as it is.

A list answers CSV for `Accept: text/csv` (`CsvWanted`), streamed as its rows come from the
database (`csv_response`); the contract declares the CSV beside the JSON page (`csv_content`).
"""

import csv
import io
import re
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import NoneType, UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi import Depends, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from kinerja_api.models.common import described

CSV_MEDIA_TYPE = "text/csv"
BOM = "\ufeff"
LINE_END = "\r\n"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)
_SAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]")


@described(
    {
        "comma": "`,` — the RFC 4180 default",
        "semicolon": "`;` — what Excel expects where the decimal mark is a comma (Indonesia)",
    }
)
class Separator(StrEnum):
    """The CSV field separator."""

    COMMA = "comma"
    SEMICOLON = "semicolon"

    @property
    def char(self) -> str:
        return ";" if self is Separator.SEMICOLON else ","


# --- Columns ---------------------------------------------------------------------------------


def _unwrapped(annotation: Any) -> Any:
    """`X` of `X | None` (and of `Annotated[X, ...]`)."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, UnionType):
        kept = [arg for arg in get_args(annotation) if arg is not NoneType]
        if len(kept) == 1:
            return _unwrapped(kept[0])
    return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _paths(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> Iterable[tuple[str, ...]]:
    for name, field in model.model_fields.items():
        annotation = _unwrapped(field.annotation)
        if _is_model(annotation):
            yield from _paths(annotation, (*prefix, name))
        elif get_origin(annotation) in (list, tuple, set, frozenset):
            (item, *_) = get_args(annotation) or (Any,)
            if not _is_model(_unwrapped(item)):
                yield (*prefix, name)
        else:
            yield (*prefix, name)


@dataclass(frozen=True, slots=True)
class CsvColumns:
    """A list's columns: the dotted JSON path of each, in the order of the item's fields."""

    paths: tuple[tuple[str, ...], ...]

    @classmethod
    def of(cls, model: type[BaseModel], *, leave_out: Iterable[str] = ()) -> "CsvColumns":
        """Every field of the list's item `model` (nested objects flattened), but those named
        in `leave_out` (dotted)."""
        dropped = set(leave_out)
        return cls(tuple(path for path in _paths(model) if ".".join(path) not in dropped))

    @property
    def header(self) -> list[str]:
        return [".".join(path) for path in self.paths]

    def cells(self, item: BaseModel) -> list[str]:
        data = item.model_dump(mode="json")
        return [_cell(_at(data, path)) for path in self.paths]


def _at(data: Any, path: tuple[str, ...]) -> Any:
    for name in path:
        if not isinstance(data, dict):
            return None
        data = data.get(name)
    return data


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(_plain(item) for item in value)
    return str(value)


def _cell(value: Any) -> str:
    text = _plain(value)
    return spreadsheet_safe(text) if isinstance(value, str | list) else text


def spreadsheet_safe(text: str) -> str:
    """`text` as a cell no spreadsheet runs as a formula (OWASP, CSV injection)."""
    if text.startswith(_FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


# --- Writing ---------------------------------------------------------------------------------


class _Lines:
    """The `csv` module's writer into a buffer that is handed out and emptied."""

    def __init__(self, separator: Separator) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(
            self._buffer,
            delimiter=separator.char,
            lineterminator=LINE_END,
            quoting=csv.QUOTE_MINIMAL,
        )

    def write(self, cells: Sequence[str]) -> None:
        self._writer.writerow(cells)

    def take(self) -> bytes:
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text.encode()


async def csv_lines(
    columns: CsvColumns,
    batches: AsyncIterable[Sequence[BaseModel]],
    separator: Separator = Separator.COMMA,
) -> AsyncIterator[bytes]:
    """The CSV's bytes: the byte order mark and the header first, then each batch's rows as
    the batch arrives."""
    lines = _Lines(separator)
    lines.write(columns.header)
    yield BOM.encode() + lines.take()
    async for items in batches:
        for item in items:
            lines.write(columns.cells(item))
        chunk = lines.take()
        if chunk:
            yield chunk


# --- HTTP ------------------------------------------------------------------------------------


def _quality(accept: str, candidates: dict[str, int]) -> tuple[float, int]:
    """The q of the most specific media range of `accept` among `candidates` (range: its
    specificity), and that specificity; (0, 0) when none matches."""
    best = (0.0, 0)
    for part in accept.split(","):
        media, *parameters = (piece.strip() for piece in part.split(";"))
        specificity = candidates.get(media.lower())
        if specificity is None or specificity < best[1]:
            continue
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        best = (quality, specificity)
    return best


def wants_csv(accept: str | None) -> bool:
    """True when `Accept` prefers `text/csv` to JSON: a higher q, or the same q for a more
    specific range (`text/csv, */*`). JSON stays the answer to everything else."""
    if not accept:
        return False
    csv_q, csv_rank = _quality(accept, {CSV_MEDIA_TYPE: 3, "text/*": 2, "*/*": 1})
    json_q, json_rank = _quality(accept, {"application/json": 3, "application/*": 2, "*/*": 1})
    return csv_q > json_q or (csv_q == json_q > 0 and csv_rank > json_rank)


@dataclass(frozen=True, slots=True)
class CsvFormat:
    separator: Separator


async def csv_format(
    request: Request,
    csv_separator: Annotated[
        Separator,
        Query(description="With `Accept: text/csv`: the field separator of the CSV."),
    ] = Separator.COMMA,
) -> CsvFormat | None:
    """The CSV asked for with `Accept: text/csv`, or None: the JSON page."""
    if not wants_csv(request.headers.get("accept")):
        return None
    return CsvFormat(csv_separator)


CsvWanted = Annotated[CsvFormat | None, Depends(csv_format)]


def csv_filename(list_name: str, day: date) -> str:
    """`employees-2026-12-07.csv`: the list and the day (in the region's calendar)."""
    return f"{_SAFE_FILENAME.sub('-', list_name)}-{day.isoformat()}.csv"


def attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{_SAFE_FILENAME.sub("-", filename)}"'}


def csv_response(
    body: AsyncIterator[bytes], filename: str, *, size: int | None = None
) -> StreamingResponse:
    """A CSV file streamed as `body` yields it, offered for download as `filename`; `size`
    its length in bytes when known beforehand (a stored file)."""
    headers = attachment(filename)
    if size is not None:
        headers["Content-Length"] = str(size)
    return StreamingResponse(body, media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8", headers=headers)


def csv_content(description: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entry of a list that also answers CSV: the 200 in both forms."""
    return {
        200: {
            "description": "The page as JSON; with `Accept: text/csv`, the whole list as CSV.",
            "content": {
                CSV_MEDIA_TYPE: {
                    "schema": {
                        "type": "string",
                        "description": f"{description} UTF-8 with a byte order mark, a header "
                        "row of the JSON field names (nested objects as `object.field`), CRLF "
                        "line ends, `,` or `;` (`csv_separator`); a cell that would start a "
                        "spreadsheet formula is prefixed with `'`.",
                    }
                }
            },
        }
    }
