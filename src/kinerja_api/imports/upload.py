"""Where the file of an upload is: the raw request body (`text/csv`, `application/x-ndjson`) or
the `file` part of a `multipart/form-data` body, read as it arrives (python-multipart's
streaming parser); never the whole body at once."""

import hashlib
import re
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from kinerja_api.core.i18n import Msg
from kinerja_api.core.problems import IMPORT_FILE_INVALID, UNSUPPORTED_MEDIA_TYPE, Problem
from kinerja_api.core.schemas import UNSTORABLE_TEXT
from kinerja_api.models.imports import ImportFormat

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

CSV_TYPES = frozenset({b"text/csv", b"application/csv"})
NDJSON_TYPES = frozenset({b"application/x-ndjson", b"application/ndjson", b"application/jsonl"})
MULTIPART = b"multipart/form-data"
FILE_PART = b"file"
MAX_FILENAME = 200

_UNSUPPORTED = Msg(
    "Kirim berkas sebagai text/csv, application/x-ndjson, atau bagian `file` dari "
    "multipart/form-data.",
    "Send the file as text/csv, application/x-ndjson, or the `file` part of multipart/form-data.",
)
_NO_FILE = Msg(
    "Isi multipart/form-data tidak memuat bagian `file`.",
    "The multipart/form-data body holds no `file` part.",
)
_BAD_MULTIPART = Msg(
    "Isi multipart/form-data tidak dapat dibaca.", "The multipart/form-data body cannot be read."
)


@dataclass
class Upload:
    format: ImportFormat
    chunks: AsyncIterator[bytes]
    filename: str | None = None


@dataclass
class Received:
    """The file's bytes as they pass, counted and hashed (for `size_bytes` and for telling a
    retried upload from another file under the same `Idempotency-Key`)."""

    chunks: AsyncIterable[bytes]
    size: int = 0
    digest: Any = field(default_factory=hashlib.sha256)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.chunks:
            self.size += len(chunk)
            self.digest.update(chunk)
            yield chunk


def format_of(media_type: bytes, filename: str | None = None) -> ImportFormat | None:
    if media_type in CSV_TYPES:
        return ImportFormat.CSV
    if media_type in NDJSON_TYPES:
        return ImportFormat.NDJSON
    if filename is not None:
        return ImportFormat.NDJSON if filename.lower().endswith((".ndjson", ".jsonl")) else None
    return None


def clean_filename(raw: bytes | None) -> str | None:
    """The file's name as a client's tool gave it: without its folders or control
    characters, at most 200 characters."""
    if not raw:
        return None
    name = raw.decode("utf-8", errors="replace").replace("\\", "/").rsplit("/", 1)[-1]
    name = UNSTORABLE_TEXT.sub("", re.sub(r"[\x00-\x1f\x7f]", "", name)).strip()
    return name[:MAX_FILENAME] or None


class _Parts:
    """python-multipart's callbacks, turned into a list of what each chunk brought: a part's
    headers, then its data, then its end."""

    def __init__(self) -> None:
        self.found: list[tuple[str, Any]] = []
        self._headers: dict[bytes, bytes] = {}
        self._field = b""
        self._value = b""

    def callbacks(self) -> "MultipartCallbacks":
        return {
            "on_part_begin": self._begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._data,
            "on_part_end": self._end,
        }

    def _begin(self) -> None:
        self._headers = {}

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field = self._value = b""

    def _headers_finished(self) -> None:
        self.found.append(("part", dict(self._headers)))

    def _data(self, data: bytes, start: int, end: int) -> None:
        self.found.append(("data", bytes(data[start:end])))

    def _end(self) -> None:
        self.found.append(("end", None))

    def take(self) -> list[tuple[str, Any]]:
        found, self.found = self.found, []
        return found


async def _multipart(
    stream: AsyncIterable[bytes], boundary: bytes
) -> AsyncIterator[tuple[str, Any]]:
    parts = _Parts()
    try:
        parser = MultipartParser(boundary, parts.callbacks())
        async for chunk in stream:
            parser.write(chunk)
            for found in parts.take():
                yield found
        parser.finalize()
    except MultipartParseError as exc:
        raise Problem(IMPORT_FILE_INVALID, _BAD_MULTIPART, reason="unreadable") from exc
    for found in parts.take():
        yield found


async def _data_until_end(parts: AsyncIterator[tuple[str, Any]]) -> AsyncIterator[bytes]:
    async for kind, value in parts:
        if kind == "end":
            return
        if kind == "data":
            yield value


async def _file_part(stream: AsyncIterable[bytes], boundary: bytes) -> Upload:
    parts = _multipart(stream, boundary)
    async for kind, headers in parts:
        if kind != "part":
            continue
        _, disposition = parse_options_header(headers.get(b"content-disposition"))
        if disposition.get(b"name") != FILE_PART:
            continue
        filename = clean_filename(disposition.get(b"filename"))
        media_type, _ = parse_options_header(headers.get(b"content-type"))
        file_format = format_of(media_type, filename) or ImportFormat.CSV
        return Upload(file_format, _data_until_end(parts), filename)
    raise Problem(IMPORT_FILE_INVALID, _NO_FILE, reason="empty")


async def open_upload(content_type: str | None, stream: AsyncIterable[bytes]) -> Upload:
    """The file the request carries, by its `Content-Type`."""
    media_type, options = parse_options_header(content_type)
    file_format = format_of(media_type)
    if file_format is not None:
        return Upload(file_format, aiter(stream))
    boundary = options.get(b"boundary")
    if media_type == MULTIPART and boundary:
        return await _file_part(stream, boundary)
    raise Problem(UNSUPPORTED_MEDIA_TYPE, _UNSUPPORTED)
