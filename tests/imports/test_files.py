"""What a file may look like (`;` or `,`, a BOM, NDJSON, a form's `file` part) and what makes a
whole file unreadable: answered at once, with nothing kept."""

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.config import Settings
from kinerja_api.models.imports import Import, ImportRow
from tests.conftest import ClientWith
from tests.factories import World
from tests.imports.helpers import (
    IMPORTS,
    NDJSON,
    a_region,
    employee_row,
    employees_csv,
    employees_of,
    errors,
    imported,
    run_job,
    upload,
)

PROBLEMS = "https://kinerja-api.id/problems/"
SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "imports" / "employees-bungo.csv"


async def _nothing_kept(world: World, region: object) -> None:
    await enter_all_regions(world.connection)
    region_id = region.id  # type: ignore[attr-defined]
    kept = await world.connection.scalar(
        select(func.count()).select_from(Import).where(Import.region_id == region_id)
    )
    staged = await world.connection.scalar(
        select(func.count()).select_from(ImportRow).where(ImportRow.region_id == region_id)
    )
    assert (kept, staged) == (0, 0)


@pytest.mark.parametrize(("separator", "bom"), [(";", False), (",", False), (";", True)])
async def test_separators_and_a_bom_are_read(
    client: httpx.AsyncClient,
    app: FastAPI,
    settings: Settings,
    world: World,
    separator: str,
    bom: bool,
) -> None:
    home = await a_region(world)
    rows = [employee_row(home.agency, name="Siti Rahmawati, S.Pd."), employee_row(home.agency)]
    quoted = '"Siti Rahmawati, S.Pd."'
    text = employees_csv(rows, separator).replace("Siti Rahmawati, S.Pd.", quoted)
    body = ("\ufeff" if bom else "") + text
    result = await imported(client, app, settings, home.headers, body)
    assert result["counts"]["created"] == 2, await errors(client, home.headers, result["id"])
    names = {row["name"] for row in (await employees_of(world, home.region)).values()}
    assert "Siti Rahmawati, S.Pd." in names


async def test_ndjson_and_a_forms_file_part_are_read(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home = await a_region(world)
    rows = [employee_row(home.agency), employee_row(home.agency)]
    lines = [json.dumps(rows[0]), "", json.dumps({**rows[1], "extra": 1}), "[1, 2]", "{nope"]
    result = await imported(
        client, app, settings, home.headers, "\n".join(lines) + "\n", content_type=NDJSON
    )
    assert result["format"] == "ndjson"
    assert result["counts"] == {"read": 4, "created": 1, "updated": 0, "unchanged": 0, "failed": 3}
    found = [(e["line"], e["problem"]) for e in await errors(client, home.headers, result["id"])]
    assert found == [(3, "unknown_field"), (4, "malformed_row"), (5, "malformed_row")]

    more = [employee_row(home.agency)]
    accepted = await client.post(
        IMPORTS,
        params={"kind": "employees"},
        files={"file": ("pegawai.csv", employees_csv(more).encode(), "text/csv")},
        headers=home.headers,
    )
    await run_job(app, settings, accepted)
    assert accepted.json()["filename"] == "pegawai.csv"
    assert more[0]["nip"] in await employees_of(world, home.region)


@pytest.mark.parametrize(
    ("body", "problem", "reason"),
    [
        ("nip;name;foo\n1;a\n", "import-columns", "columns"),
        ("nip;name;employment_type;position\n1;a;pns;x\n", "import-columns", "columns"),
        ("nip;nip;name;employment_type;position;agency_code\n", "import-columns", "columns"),
        ("", "import-file-invalid", "empty"),
        ("\n\n", "import-file-invalid", "empty"),
        ("nip;name;employment_type;position;agency_code\n", "import-file-invalid", "empty"),
        (
            b"nip;name;employment_type;position;agency_code\n1;Jos\xe9;pns;x;y\n",
            "import-encoding",
            "encoding",
        ),
        ("nip;name".encode("utf-16"), "import-encoding", "encoding"),
    ],
)
async def test_a_file_that_cannot_be_imported_is_refused_at_once(
    client: httpx.AsyncClient, world: World, body: str | bytes, problem: str, reason: str
) -> None:
    home = await a_region(world)
    response = await upload(client, home.headers, body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    answer = response.json()
    assert (answer["type"], answer["reason"]) == (PROBLEMS + problem, reason)
    await _nothing_kept(world, home.region)


async def test_the_columns_problem_names_them(client: httpx.AsyncClient, world: World) -> None:
    home = await a_region(world)
    response = await upload(
        client,
        home.headers,
        "NIP;Nama;Employment Type;posisi\n",
    )
    answer = response.json()
    assert answer["unknown_columns"] == ["nama", "posisi"]
    assert answer["missing_columns"] == ["agency_code", "name", "position"]
    assert "agency_code" in answer["known_columns"]


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_a_bad_byte_deep_in_a_streamed_file_is_refused_and_nothing_kept(
    client: httpx.AsyncClient, world: World
) -> None:
    home = await a_region(world)
    good = employees_csv([employee_row(home.agency) for _ in range(50)]).encode()
    response = await client.post(
        IMPORTS,
        params={"kind": "employees"},
        content=_chunks(good, b"198503142010011001;Jos\xe9;pns;x;y\r\n"),
        headers={**home.headers, "Content-Type": "text/csv"},
    )
    assert response.status_code == 422, response.text
    assert (response.json()["type"], response.json()["line"]) == (
        PROBLEMS + "import-encoding",
        52,
    )
    await _nothing_kept(world, home.region)


async def test_a_file_over_the_limit_is_a_413_whether_announced_or_streamed(
    client_with: ClientWith, world: World
) -> None:
    home = await a_region(world)
    body = employees_csv([employee_row(home.agency) for _ in range(40)]).encode()
    async with client_with(import_max_bytes=2048) as limited:
        announced = await upload(limited, home.headers, body)
        streamed = await limited.post(
            IMPORTS,
            params={"kind": "employees"},
            content=_chunks(body[:1500], body[1500:]),
            headers={**home.headers, "Content-Type": "text/csv"},
        )
        small = await upload(limited, home.headers, body[:1000].rsplit(b"\r\n", 1)[0])
    for response in (announced, streamed):
        assert response.status_code == 413, response.text
        assert response.json()["type"] == PROBLEMS + "payload-too-large"
    assert small.status_code == 202, small.text
    await enter_all_regions(world.connection)
    kept = await world.connection.scalar(
        select(func.count()).select_from(Import).where(Import.region_id == home.region.id)
    )
    assert kept == 1


async def test_other_media_types_are_a_415(client: httpx.AsyncClient, world: World) -> None:
    home = await a_region(world)
    response = await upload(client, home.headers, "[]", content_type="application/json")
    assert response.status_code == 415, response.text
    assert response.json()["type"] == PROBLEMS + "unsupported-media-type"
    form = await client.post(
        IMPORTS,
        params={"kind": "employees"},
        files={"other": ("x.csv", b"nip\n", "text/csv")},
        headers=home.headers,
    )
    assert (form.status_code, form.json()["reason"]) == (422, "empty")


async def test_rows_with_more_cells_than_the_header_are_refused_one_by_one(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home = await a_region(world)
    row = employee_row(home.agency)
    body = employees_csv([row]) + "1;2;3;4;5;6;7;8\r\n" + employees_csv([])[:0]
    result = await imported(client, app, settings, home.headers, body)
    assert result["counts"]["created"] == 1
    [problem] = await errors(client, home.headers, result["id"])
    assert (problem["row"], problem["line"], problem["problem"]) == (2, 3, "malformed_row")


async def test_the_sample_file_in_docs_imports_cleanly(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home = await a_region(world)
    await world.agency(home.region, code="dinkes-puskesmas")
    result = await imported(client, app, settings, home.headers, SAMPLE.read_bytes())
    assert await errors(client, home.headers, result["id"]) == []
    assert result["counts"]["created"] == result["counts"]["read"] == 5
