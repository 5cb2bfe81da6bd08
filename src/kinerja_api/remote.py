"""The `kinerja` command's side of the HTTP API, for `import` and `export`: a service account's
token, an upload streamed from the file, a job followed until it ends, a problem told as its
title and detail. Only the contract is used, as any integrator's client would."""

import csv
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

from kinerja_api.core.csv_export import spreadsheet_safe

API = "/api/v1"
CHUNK_BYTES = 256 * 1024
MEDIA_TYPES = {
    ".csv": "text/csv",
    ".ndjson": "application/x-ndjson",
    ".jsonl": "application/x-ndjson",
}
IMPORT_FINISHED = frozenset({"succeeded", "failed", "cancelled"})
EXPORT_FINISHED = frozenset({"ready", "failed", "expired"})
# The separators as the command line takes them, and as the API names them.
SEPARATORS = {",": "comma", ";": "semicolon"}
ERROR_COLUMNS = ("row", "line", "field", "problem", "message", "value")


class RemoteError(Exception):
    """The server refused a request: its problem's status, title and detail."""

    def __init__(self, response: httpx.Response) -> None:
        self.status = response.status_code
        try:
            problem: dict[str, Any] = response.json()
        except ValueError:
            problem = {}
        self.title = str(problem.get("title") or response.reason_phrase)
        self.detail = str(problem.get("detail") or "")
        self.errors: list[dict[str, Any]] = list(problem.get("errors") or [])
        super().__init__(f"{self.status} {self.title}: {self.detail}".rstrip(": "))


@dataclass(frozen=True)
class Credentials:
    client_id: str
    client_secret: str


def _checked(response: httpx.Response) -> httpx.Response:
    if response.is_error:
        response.read()
        raise RemoteError(response)
    return response


@contextmanager
def connect(
    server: str, credentials: Credentials, *, language: str = "id"
) -> Iterator[httpx.Client]:
    """A client of `server` holding a service account's access token, closed on exit."""
    with httpx.Client(
        base_url=server.rstrip("/"),
        timeout=httpx.Timeout(30.0, read=300.0),
        headers={"Accept-Language": language},
    ) as http:
        token = _checked(
            http.post(
                f"{API}/auth/token",
                data={"grant_type": "client_credentials"},
                auth=(credentials.client_id, credentials.client_secret),
            )
        ).json()["access_token"]
        http.headers["Authorization"] = f"Bearer {token}"
        yield http


def _chunks(file: IO[bytes], sent: Callable[[int], None]) -> Iterator[bytes]:
    while chunk := file.read(CHUNK_BYTES):
        sent(len(chunk))
        yield chunk


def media_type(path: Path) -> str:
    return MEDIA_TYPES.get(path.suffix.lower(), "text/csv")


def upload(
    http: httpx.Client,
    path: Path,
    *,
    kind: str,
    mode: str,
    dry_run: bool,
    sent: Callable[[int], None],
) -> dict[str, Any]:
    """Streams the file as the request's body (never whole in memory); answers the import."""
    params = {"kind": kind, "mode": mode, "dry_run": str(dry_run).lower()}
    with path.open("rb") as file:
        response = http.post(
            f"{API}/imports",
            params=params,
            content=_chunks(file, sent),
            headers={"Content-Type": media_type(path)},
        )
    found: dict[str, Any] = _checked(response).json()
    return found


def follow(
    http: httpx.Client,
    url: str,
    finished: frozenset[str],
    *,
    seen: Callable[[dict[str, Any]], None],
    every: float = 0.5,
) -> dict[str, Any]:
    """Reads the job at `url` until its status is one of `finished`, telling `seen` each time."""
    while True:
        job: dict[str, Any] = _checked(http.get(url)).json()
        seen(job)
        if job["status"] in finished:
            return job
        time.sleep(every)


def import_errors(http: httpx.Client, import_id: str) -> Iterator[dict[str, Any]]:
    """Every refused row of the import, page after page."""
    params: dict[str, Any] = {"limit": 200}
    while True:
        page = _checked(http.get(f"{API}/imports/{import_id}/errors", params=params)).json()
        yield from page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return
        params = {"limit": 200, "cursor": cursor}


def write_errors(errors: Iterator[dict[str, Any]], path: Path) -> int:
    """The refused rows as a CSV file a spreadsheet opens (UTF-8 with BOM); answers how many."""
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.DictWriter(file, ERROR_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for error in errors:
            # The refused cell is echoed as the file had it: a formula stays text here too.
            writer.writerow(
                {key: spreadsheet_safe(value) if isinstance(value, str) else value
                 for key, value in error.items()}
            )  # fmt: skip
            count += 1
    return count


def start_export(
    http: httpx.Client, list_name: str, filters: dict[str, str], sort: str | None, separator: str
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "list": list_name,
        "filters": filters,
        "separator": SEPARATORS[separator],
    }
    if sort is not None:
        body["sort"] = sort
    found: dict[str, Any] = _checked(http.post(f"{API}/exports", json=body)).json()
    return found


def download(http: httpx.Client, url: str, path: Path, received: Callable[[int], None]) -> None:
    """Streams the file at `url` into `path`, telling `received` each chunk's size."""
    with http.stream("GET", url) as response:
        _checked(response)
        with path.open("wb") as file:
            for chunk in response.iter_bytes(CHUNK_BYTES):
                file.write(chunk)
                received(len(chunk))
