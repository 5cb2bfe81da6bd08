"""Reading a list both ways, the JSON pages (all of them) and the CSV, as a spreadsheet user
would see each cell."""

import csv
import io
from typing import Any

import httpx

BOM = "\ufeff"
CSV = {"Accept": "text/csv"}


def csv_table(response: httpx.Response, separator: str = ",") -> tuple[list[str], list[list[str]]]:
    """The CSV's header and rows, after checking it is what a spreadsheet expects."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith(BOM)
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text.removeprefix(BOM), newline=""), delimiter=separator))
    return rows[0], rows[1:]


async def every_item(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], **params: Any
) -> list[dict[str, Any]]:
    """Every item of a JSON list, following `next_cursor` to the last page."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "limit": 2, **({"cursor": cursor} if cursor else {})}
        response = await client.get(path, params=query, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def _cell(value: Any) -> str:
    """A JSON value as its CSV cell: written independently of the service's own code."""
    if value is None:
        return ""
    if value is True or value is False:
        return str(value).lower()
    if isinstance(value, list):
        return " ".join(_cell(v) for v in value)
    return str(value)


def as_cells(item: dict[str, Any], header: list[str]) -> list[str]:
    cells = []
    for column in header:
        value: Any = item
        for name in column.split("."):
            value = None if value is None else value[name]
        cells.append(_cell(value))
    return cells


async def assert_csv_equals_json(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], **params: Any
) -> list[list[str]]:
    """The CSV of `path` holds exactly the JSON list's items, in the same order; its rows."""
    items = await every_item(client, path, headers, **params)
    header, rows = csv_table(await client.get(path, params=params, headers={**headers, **CSV}))
    assert rows == [as_cells(item, header) for item in items]
    return rows
