"""Reading an uploaded file as it arrives, free of I/O: bytes are decoded incrementally (UTF-8,
with or without a BOM), cut into lines, and parsed by the csv module (the separator, `;` or
`,`, taken from the header line) or as one JSON object per line. Each row becomes a staging
record with its cells in the kind's column order; a line that cannot be a row is kept with the
reason (`Malformed`), so that it is reported with the others. Problems of the file as a whole
(its encoding, its columns, no rows at all) raise `FileProblem`.

Only what a network chunk brings is held at a time, plus the lines of a quoted cell that
spans chunks."""

import codecs
import csv
import json
import uuid
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kinerja_api.core.i18n import Msg
from kinerja_api.models.imports import ImportFormat

# A quote left open keeps lines waiting for the cell to close; past this many the lines are
# parsed as they are (a stray quote inside an unquoted cell is a plain character to csv).
MAX_WAITING_LINES = 10_000
SEPARATORS = (";", ",")

# (region_id, import_id, row_number, line, cells, malformed): a row of `import_rows`.
Record = tuple[uuid.UUID, uuid.UUID, int, int, list[str | None] | None, str | None]
STAGED_COLUMNS = ("region_id", "import_id", "row_number", "line", "cells", "malformed")


class Malformed(StrEnum):
    """Why a line was not read as a row."""

    CELL_COUNT = "cell_count"
    INVALID_JSON = "invalid_json"
    NOT_AN_OBJECT = "not_an_object"
    UNKNOWN_FIELD = "unknown_field"
    NESTED_VALUE = "nested_value"


class FileReason(StrEnum):
    ENCODING = "encoding"
    COLUMNS = "columns"
    EMPTY = "empty"
    UNREADABLE = "unreadable"


class FileProblem(Exception):  # noqa: N818 - a problem of the file, answered as one
    """The file cannot be imported at all: `params` fill the message, `details` go into the
    answer as they are (the line, the columns)."""

    def __init__(
        self, reason: FileReason, message: Msg, params: dict[str, object], **details: Any
    ) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.message = message
        self.params = params
        self.details = details


_NOT_UTF8 = Msg(
    "Berkas bukan teks UTF-8 (baris {line}). Simpan ulang sebagai 'CSV UTF-8'.",
    "The file is not UTF-8 text (line {line}). Save it again as 'CSV UTF-8'.",
)
_NUL = Msg(
    "Berkas memuat karakter NUL (baris {line}): bukan teks UTF-8, mungkin UTF-16. Simpan ulang "
    "sebagai 'CSV UTF-8'.",
    "The file holds NUL characters (line {line}): not UTF-8 text, perhaps UTF-16. Save it "
    "again as 'CSV UTF-8'.",
)
_NO_HEADER = Msg("Berkas kosong.", "The file is empty.")
_NO_ROWS = Msg(
    "Berkas hanya memuat baris judul, tanpa data.", "The file holds a header row but no data."
)
_BAD_CSV = Msg(
    "Berkas CSV tidak dapat dibaca pada baris {line}: {reason}.",
    "The CSV file cannot be read at line {line}: {reason}.",
)
_BAD_COLUMNS = Msg(
    "Kolom tidak sesuai. Tidak dikenal: {unknown}. Wajib tetapi tidak ada: {missing}. "
    "Ganda: {repeated}. Kolom yang dikenal: {known}.",
    "The columns do not fit. Unknown: {unknown}. Required but absent: {missing}. "
    "Repeated: {repeated}. Known columns: {known}.",
)


def column_name(header: str) -> str:
    """A header cell as a column name: `Agency Code` and `agency-code` are `agency_code`."""
    return "_".join(header.strip().lower().replace("-", " ").split())


@dataclass(frozen=True)
class Layout:
    """How the file's cells map onto the kind's columns (`columns`, in their order)."""

    columns: tuple[str, ...]
    required: frozenset[str]
    stamp: tuple[uuid.UUID, uuid.UUID]
    positions: tuple[int | None, ...] = field(default=())
    # Columns a file may have that the kind does not read (the rest of a national export).
    ignored: frozenset[str] = frozenset()

    def with_header(self, header: Sequence[str]) -> "Layout":
        names = [column_name(cell) for cell in header]
        unknown = sorted(
            {name for name in names if name not in self.columns and name not in self.ignored}
        )
        duplicate = sorted({name for name in names if names.count(name) > 1})
        missing = sorted(self.required - set(names))
        if unknown or duplicate or missing:
            listed = {"unknown": unknown, "missing": missing, "repeated": duplicate}
            raise FileProblem(
                FileReason.COLUMNS,
                _BAD_COLUMNS,
                {
                    **{key: ", ".join(names) or "-" for key, names in listed.items()},
                    "known": ", ".join(self.columns),
                },
                unknown_columns=unknown,
                missing_columns=missing,
                repeated_columns=duplicate,
                known_columns=list(self.columns),
            )
        index = {name: position for position, name in enumerate(self.columns)}
        positions = tuple(index.get(name) for name in names)
        return Layout(self.columns, self.required, self.stamp, positions, self.ignored)

    def csv_record(self, row_number: int, line: int, fields: list[str]) -> Record:
        if len(fields) > len(self.positions) and any(
            cell.strip() for cell in fields[len(self.positions) :]
        ):
            return (*self.stamp, row_number, line, None, Malformed.CELL_COUNT.value)
        cells: list[str | None] = [None] * len(self.columns)
        for position, cell in zip(self.positions, fields, strict=False):
            text = cell.strip()
            if text and position is not None:
                cells[position] = text
        return (*self.stamp, row_number, line, cells, None)

    def json_record(self, row_number: int, line: int, text: str) -> Record:
        try:
            value = json.loads(text)
        except ValueError:
            return (*self.stamp, row_number, line, None, Malformed.INVALID_JSON.value)
        if not isinstance(value, dict):
            return (*self.stamp, row_number, line, None, Malformed.NOT_AN_OBJECT.value)
        cells: list[str | None] = [None] * len(self.columns)
        index = {name: position for position, name in enumerate(self.columns)}
        for key, item in value.items():
            position = index.get(key)
            if position is None and column_name(key) in self.ignored:
                continue
            if position is None:
                return (*self.stamp, row_number, line, None, Malformed.UNKNOWN_FIELD.value)
            cell = _json_cell(item)
            if cell is _NESTED:
                return (*self.stamp, row_number, line, None, Malformed.NESTED_VALUE.value)
            cells[position] = cell if isinstance(cell, str) and cell else None
        return (*self.stamp, row_number, line, cells, None)


_NESTED = object()


def _json_cell(item: Any) -> object:
    """An NDJSON value as a cell: text stripped, numbers and booleans as written, a list of
    plain values (roles) joined with commas."""
    if item is None:
        return None
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, str):
        return item.strip()
    if isinstance(item, int | float):
        return json.dumps(item)
    if isinstance(item, list) and all(isinstance(part, str | int) for part in item):
        return ",".join(str(part).strip() for part in item)
    return _NESTED


async def lines(chunks: AsyncIterable[bytes]) -> AsyncIterator[list[str]]:
    """The text of `chunks`, a list of complete lines (each with its `\\n`) at a time; the last
    line of the file may lack one. A BOM is dropped."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    waiting = ""
    seen = 0

    def decode(data: bytes, final: bool = False) -> str:
        try:
            text: str = decoder.decode(data, final)
        except UnicodeDecodeError as exc:
            line = seen + data[: exc.start].count(b"\n") + 1
            raise FileProblem(FileReason.ENCODING, _NOT_UTF8, {"line": line}, line=line) from exc
        if "\0" in text:
            line = seen + text[: text.index("\0")].count("\n") + 1
            raise FileProblem(FileReason.ENCODING, _NUL, {"line": line}, line=line)
        return text

    async for chunk in chunks:
        parts = (waiting + decode(chunk)).split("\n")
        waiting = parts.pop()
        if parts:
            seen += len(parts)
            yield [part + "\n" for part in parts]
    waiting += decode(b"", final=True)
    if waiting:
        yield [waiting]


class _Feed:
    """The lines csv.reader reads, handed over as they arrive. The reader is asked for rows only
    while no quoted cell is left open, so running dry (StopIteration) happens between rows;
    unlike a generator, the feed can be refilled and read again."""

    def __init__(self) -> None:
        self.waiting: deque[str] = deque()
        self.quote_open = False

    def __iter__(self) -> "_Feed":
        return self

    def __next__(self) -> str:
        if self.waiting:
            return self.waiting.popleft()
        raise StopIteration

    def add(self, batch: list[str]) -> None:
        for line in batch:
            if line.count('"') % 2:
                self.quote_open = not self.quote_open
        self.waiting.extend(batch)

    def ready(self, final: bool) -> bool:
        return final or not self.quote_open or len(self.waiting) >= MAX_WAITING_LINES


def _separator(header_line: str) -> str:
    return max(SEPARATORS, key=header_line.count)


async def _csv_records(batches: AsyncIterator[list[str]], layout: Layout) -> AsyncIterator[Record]:
    feed = _Feed()
    reader: Any = None
    header: Layout | None = None
    row_number = skipped = 0
    async for batch in _with_end(batches):
        final = batch is None
        if batch is not None:
            if reader is None:
                first = next((line for line in batch if line.strip()), None)
                if first is None:
                    skipped += len(batch)
                    continue
                reader = csv.reader(feed, delimiter=_separator(first))
            feed.add(batch)
        if reader is None or not feed.ready(final):
            continue
        while feed.waiting:
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                line = skipped + reader.line_num
                params = {"line": line, "reason": str(exc)}
                raise FileProblem(FileReason.UNREADABLE, _BAD_CSV, params, line=line) from exc
            if not any(cell.strip() for cell in fields):
                continue
            # The reader counts the lines it read; a row starts before its cells' line breaks.
            line = skipped + reader.line_num - sum(cell.count("\n") for cell in fields)
            if header is None:
                header = layout.with_header(fields)
                continue
            row_number += 1
            yield header.csv_record(row_number, line, fields)
    if header is None:
        raise FileProblem(FileReason.EMPTY, _NO_HEADER, {})
    if row_number == 0:
        raise FileProblem(FileReason.EMPTY, _NO_ROWS, {})


async def _json_records(batches: AsyncIterator[list[str]], layout: Layout) -> AsyncIterator[Record]:
    row_number = line = 0
    async for batch in batches:
        for text in batch:
            line += 1
            if not text.strip():
                continue
            row_number += 1
            yield layout.json_record(row_number, line, text)
    if row_number == 0:
        raise FileProblem(FileReason.EMPTY, _NO_HEADER, {})


async def _with_end(batches: AsyncIterator[list[str]]) -> AsyncIterator[list[str] | None]:
    async for batch in batches:
        yield batch
    yield None


def records(
    chunks: AsyncIterable[bytes], file_format: ImportFormat, layout: Layout
) -> AsyncIterator[Record]:
    """The staging records of the file `chunks` bring, in order. A CSV file's header is checked
    against the kind's columns before its first row is read."""
    text = lines(chunks)
    if file_format is ImportFormat.CSV:
        return _csv_records(text, layout)
    return _json_records(text, layout)
