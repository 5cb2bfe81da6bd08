"""The CSV rules on their own: which Accept asks for CSV, formula cells, columns of nested
models, and the bytes a spreadsheet opens."""

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import date
from decimal import Decimal

import pytest
from pydantic import BaseModel

from kinerja_api.core.csv_export import (
    CsvColumns,
    Separator,
    csv_filename,
    csv_lines,
    spreadsheet_safe,
    wants_csv,
)
from kinerja_api.core.schemas import DecimalString


@pytest.mark.parametrize(
    ("accept", "csv"),
    [
        ("text/csv", True),
        ("text/csv; charset=utf-8", True),
        ("text/csv, */*", True),
        ("text/*", True),
        ("application/json;q=0.5, text/csv", True),
        (None, False),
        ("", False),
        ("*/*", False),
        ("application/json", False),
        ("application/json, text/csv", False),
        ("text/csv;q=0.5, application/json", False),
        ("text/csv;q=0, */*", False),
        ("text/csv;q=nonsense", False),
        ("text/html", False),
    ],
)
def test_which_accept_asks_for_csv(accept: str | None, csv: bool) -> None:
    assert wants_csv(accept) is csv


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ('=HYPERLINK("http://evil.example","klik")', '\'=HYPERLINK("http://evil.example","klik")'),
        ("+62 812 3456", "'+62 812 3456"),
        ("-1+1", "'-1+1"),
        ("- catatan", "'- catatan"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-12.50", "-12.50"),
        ("-3", "-3"),
        ("Dinas Pendidikan", "Dinas Pendidikan"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_formula_cells_are_escaped_and_numbers_are_not(text: str, cell: str) -> None:
    assert spreadsheet_safe(text) == cell


class Inner(BaseModel):
    percent: DecimalString
    parts: list[int]


class Part(BaseModel):
    n: int


class Item(BaseModel):
    id: uuid.UUID
    name: str
    day: date
    active: bool
    note: str | None
    inner: Inner
    maybe: Inner | None
    tags: list[str]
    parts: list[Part]


def _item(**changes: object) -> Item:
    values: dict[str, object] = {
        "id": uuid.UUID(int=1),
        "name": 'Siti; "Ani"\nRahma',
        "day": date(2026, 12, 7),
        "active": True,
        "note": None,
        "inner": Inner(percent=Decimal("12.50"), parts=[1, 2]),
        "maybe": None,
        "tags": ["pns", "=x"],
        "parts": [Part(n=1)],
    }
    return Item.model_validate({**values, **changes})


def test_columns_flatten_nested_objects_and_leave_out_lists_of_objects() -> None:
    columns = CsvColumns.of(Item)
    assert columns.header == [
        "id",
        "name",
        "day",
        "active",
        "note",
        "inner.percent",
        "inner.parts",
        "maybe.percent",
        "maybe.parts",
        "tags",
    ]
    assert columns.cells(_item()) == [
        "00000000-0000-0000-0000-000000000001",
        'Siti; "Ani"\nRahma',
        "2026-12-07",
        "true",
        "",
        "12.50",
        "1 2",
        "",
        "",
        "pns =x",
    ]
    assert CsvColumns.of(Item, leave_out=["inner.parts", "tags"]).header == [
        "id", "name", "day", "active", "note", "inner.percent", "maybe.percent", "maybe.parts",
    ]  # fmt: skip


async def _batches(*batches: Sequence[Item]) -> AsyncIterator[Sequence[Item]]:
    for batch in batches:
        yield batch


async def _written(separator: Separator, *batches: Sequence[Item]) -> bytes:
    columns = CsvColumns.of(Item, leave_out=["inner.parts", "maybe.percent", "maybe.parts"])
    return b"".join([chunk async for chunk in csv_lines(columns, _batches(*batches), separator)])


async def test_the_bytes_a_spreadsheet_opens() -> None:
    written = await _written(Separator.COMMA, [_item()], [], [_item(name="-=1", active=False)])
    assert written.decode("utf-8") == (
        "\ufeffid,name,day,active,note,inner.percent,tags\r\n"
        '00000000-0000-0000-0000-000000000001,"Siti; ""Ani""\nRahma",2026-12-07,true,,12.50,'
        "pns =x\r\n"
        "00000000-0000-0000-0000-000000000001,'-=1,2026-12-07,false,,12.50,pns =x\r\n"
    )


async def test_semicolons_for_an_indonesian_excel() -> None:
    written = await _written(Separator.SEMICOLON, [_item(name="Ani, S.Pd.")])
    assert written.decode("utf-8") == (
        "\ufeffid;name;day;active;note;inner.percent;tags\r\n"
        "00000000-0000-0000-0000-000000000001;Ani, S.Pd.;2026-12-07;true;;12.50;pns =x\r\n"
    )


def test_the_file_name_names_the_list_and_the_day() -> None:
    assert csv_filename("employees", date(2026, 12, 7)) == "employees-2026-12-07.csv"
    assert csv_filename('jp "compliance"/x', date(2026, 1, 2)) == "jp--compliance--x-2026-01-02.csv"
