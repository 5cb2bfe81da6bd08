"""Importing employees as SIASN exports them: the example file round-trips through the
employees API, SIASN's dates and golongan are checked, its other columns are accepted."""

import json
import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import text

from kinerja_api.config import Settings
from tests.exchange.helpers import EXAMPLES
from tests.factories import World, nip_for
from tests.imports.helpers import (
    NDJSON,
    Region,
    a_region,
    employees_of,
    errors,
    failed_whole,
    imported,
    named_csv,
    upload,
    written_whole,
)

KIND = "siasn_employees"
EXAMPLE = EXAMPLES / "siasn-pegawai.csv"
OFFICE_UNOR = "A8ACA7397AEB3912E040640A040269BB"
CENTRE_UNOR = "A8ACA73A2F1B3912E040640A040269BB"
HEADER = (
    "NIP_BARU",
    "NAMA",
    "GELAR_DEPAN",
    "GELAR_BELAKANG",
    "JENIS_PEGAWAI_NAMA",
    "GOL_AKHIR_NAMA",
    "TMT_GOLONGAN",
    "JABATAN_NAMA",
    "TMT_JABATAN",
    "UNOR_ID",
    "UNOR_NAMA",
)


def siasn_csv(rows: list[dict[str, str]]) -> str:
    return named_csv(HEADER, rows)


def siasn_row(home: Region, **values: str) -> dict[str, str]:
    return {
        "NIP_BARU": nip_for(),
        "NAMA": f"Pegawai {uuid.uuid4().hex[:6]}",
        "JENIS_PEGAWAI_NAMA": "PNS Daerah",
        "GOL_AKHIR_NAMA": "III/a",
        "TMT_GOLONGAN": "01-04-2022",
        "JABATAN_NAMA": "Analis Kepegawaian Ahli Pertama",
        "TMT_JABATAN": "02-01-2023",
        "UNOR_ID": home.agency.code.upper(),
        **values,
    }


async def _the_examples_region(world: World) -> tuple[Region, Any, Any]:
    home = await a_region(world)
    office = await world.agency(home.region, code=OFFICE_UNOR.lower())
    centre = await world.agency(home.region, parent=office, code=CENTRE_UNOR.lower())
    return home, office, centre


def _read_back(employee: dict[str, Any]) -> dict[str, Any]:
    fields = (
        "nip",
        "name",
        "title_prefix",
        "title_suffix",
        "employment_type",
        "grade",
        "grade_since",
        "position",
        "position_since",
        "agency_id",
        "supervisor_id",
        "email",
    )
    return {field: employee[field] for field in fields}


async def test_the_example_file_imports_and_reads_back_through_the_api(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home, office, centre = await _the_examples_region(world)
    body = EXAMPLE.read_bytes()
    first = await imported(client, app, settings, home.headers, body, kind=KIND)
    assert first["status"] == "succeeded", first
    assert first["counts"] == {"read": 3, "created": 3, "updated": 0, "unchanged": 0, "failed": 0}
    assert await errors(client, home.headers, first["id"]) == []

    listed = await client.get(
        "/api/v1/employees", params={"under": str(office.id)}, headers=home.headers
    )
    assert listed.status_code == 200, listed.text
    by_nip = {item["nip"]: _read_back(item) for item in listed.json()["items"]}
    assert by_nip == {
        "197803152005011003": {
            "nip": "197803152005011003",
            "name": "Ahmad Fauzi",
            "title_prefix": "dr.",
            "title_suffix": "M.Kes.",
            "employment_type": "pns",
            "grade": "IV/b",
            "grade_since": "2021-04-01",
            "position": "Kepala Dinas Kesehatan",
            "position_since": "2022-01-03",
            "agency_id": str(office.id),
            "supervisor_id": None,
            "email": "ahmad.fauzi@bungokab.go.id",
        },
        "198906222014022001": {
            "nip": "198906222014022001",
            "name": "Siti Rahmawati",
            "title_prefix": None,
            "title_suffix": "S.Kep., Ners",
            "employment_type": "pns",
            "grade": "III/c",
            "grade_since": "2022-10-01",
            "position": "Perawat Ahli Muda",
            "position_since": "2023-01-02",
            "agency_id": str(centre.id),
            "supervisor_id": None,
            "email": None,
        },
        "199505172023212004": {
            "nip": "199505172023212004",
            "name": "Dewi Lestari",
            "title_prefix": None,
            "title_suffix": "S.Kep.",
            "employment_type": "pppk",
            "grade": "IX",
            "grade_since": "2023-03-01",
            "position": "Perawat Ahli Pertama",
            "position_since": "2023-03-01",
            "agency_id": str(centre.id),
            "supervisor_id": None,
            "email": "dewi.lestari@bungokab.go.id",
        },
    }

    again = await imported(client, app, settings, home.headers, body, kind=KIND)
    assert again["counts"] == {"read": 3, "created": 0, "updated": 0, "unchanged": 3, "failed": 0}


async def test_iso_dates_any_header_case_and_an_update_that_keeps_the_supervisor(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home = await a_region(world)
    boss = await world.employee(home.region, home.agency)
    staff = await world.employee(home.region, home.agency, supervisor=boss)
    row = siasn_row(
        home,
        NIP_BARU=staff.nip,
        NAMA="Nama Dari SIASN",
        GELAR_BELAKANG="S.E.",
        GOL_AKHIR_NAMA="iii/B",
        TMT_GOLONGAN="2024-10-01",
        TMT_JABATAN="15/07/2024",
        UNOR_ID=home.other_agency.code.upper(),
    )
    lower = (
        siasn_csv([row]).replace("NIP_BARU", "nip baru").replace("GELAR_BELAKANG", "Gelar-Belakang")
    )
    result = await imported(client, app, settings, home.headers, lower, kind=KIND)
    assert result["counts"] == {"read": 1, "created": 0, "updated": 1, "unchanged": 0, "failed": 0}
    recorded = (await employees_of(world, home.region))[staff.nip]
    assert (recorded["name"], recorded["title_suffix"], recorded["grade"]) == (
        "Nama Dari SIASN",
        "S.E.",
        "III/b",
    )
    assert (str(recorded["grade_since"]), str(recorded["position_since"])) == (
        "2024-10-01",
        "2024-07-15",
    )
    assert recorded["agency_id"] == home.other_agency.id
    assert recorded["supervisor_id"] == boss.id
    moved = await world.connection.scalar(
        text(
            "select count(*) from sync_tombstones"
            " where entity_id = :id and entity_type = 'employee' and former_agency_path is not null"
        ),
        {"id": staff.id},
    )
    assert moved == 1


async def test_bad_dates_unknown_golongan_and_types_are_refused_with_clear_problems(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home = await a_region(world)
    recorded = await world.employee(home.region, home.agency)
    good = siasn_row(home)
    rows = [
        good,
        siasn_row(home, TMT_GOLONGAN="31-02-2023"),
        siasn_row(home, TMT_JABATAN="2023-13-01"),
        siasn_row(home, TMT_JABATAN="01-01-1949"),
        siasn_row(home, GOL_AKHIR_NAMA="III/f"),
        siasn_row(home, GOL_AKHIR_NAMA="IX"),  # a PPPK golongan on a PNS
        siasn_row(home, JENIS_PEGAWAI_NAMA="PPPK", GOL_AKHIR_NAMA="XVIII"),
        siasn_row(home, JENIS_PEGAWAI_NAMA="Honorer"),
        siasn_row(home, UNOR_ID="8AE4TIDAKADA"),
        siasn_row(home, NIP_BARU=recorded.nip, JENIS_PEGAWAI_NAMA="PPPK", GOL_AKHIR_NAMA="IX"),
        siasn_row(home, NIP_BARU="198503142030011001"),  # appointed in the future
    ]
    result = await imported(client, app, settings, home.headers, siasn_csv(rows), kind=KIND)
    assert result["counts"] == {
        "read": 11,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "failed": 10,
    }
    found = {
        (e["row"], e["field"], e["problem"], e["value"])
        for e in await errors(client, home.headers, result["id"])
    }
    assert found == {
        (2, "tmt_golongan", "invalid", "31-02-2023"),
        (3, "tmt_jabatan", "invalid", "2023-13-01"),
        (4, "tmt_jabatan", "invalid", "01-01-1949"),
        (5, "gol_akhir_nama", "invalid", "III/f"),
        (6, "gol_akhir_nama", "invalid", "IX"),
        (7, "gol_akhir_nama", "invalid", "XVIII"),
        (8, "jenis_pegawai_nama", "invalid", "Honorer"),
        (9, "unor_id", "not_found", "8AE4TIDAKADA"),
        (10, "jenis_pegawai_nama", "conflict", "PPPK"),
        (11, "nip_baru", "invalid", "198503142030011001"),
    }
    assert set(await employees_of(world, home.region)) == {recorded.nip, good["NIP_BARU"]}
    english = {
        e["row"]: e["message"]
        for e in await errors(
            client, {**home.headers, "Accept-Language": "en"}, result["id"], limit=50
        )
    }
    indonesian = {
        e["row"]: e["message"]
        for e in await errors(
            client, {**home.headers, "Accept-Language": "id"}, result["id"], limit=50
        )
    }
    assert english[2] == (
        "The TMT golongan is not a valid date (dd-mm-yyyy or yyyy-mm-dd, 1950 or later)."
    )
    assert indonesian[2] == (
        "TMT golongan bukan tanggal yang valid (dd-mm-yyyy atau yyyy-mm-dd, sejak 1950)."
    )
    assert english[5] == "Unknown golongan: I/a to IV/e for PNS, I to XVII for PPPK."
    assert indonesian[5] == (
        "Golongan tidak dikenal: I/a sampai IV/e untuk PNS, I sampai XVII untuk PPPK."
    )
    assert english[8] == "The employment type must be PNS (or CPNS) or PPPK."


async def test_another_regions_nip_is_refused_never_written(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home, foreign = await a_region(world), await a_region(world)
    theirs = await world.employee(foreign.region, foreign.agency)
    rows = [siasn_row(home, NIP_BARU=theirs.nip, NAMA="Diambil Alih")]
    result = await imported(client, app, settings, home.headers, siasn_csv(rows), kind=KIND)
    assert result["counts"]["failed"] == 1
    [problem] = await errors(client, home.headers, result["id"])
    assert (problem["field"], problem["problem"]) == ("nip_baru", "other_region")
    assert await employees_of(world, home.region) == {}
    assert (await employees_of(world, foreign.region))[theirs.nip]["name"] == theirs.name


async def test_all_or_nothing_and_dry_run(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home = await a_region(world)
    good = [siasn_row(home) for _ in range(3)]
    bad = siasn_row(home, TMT_GOLONGAN="kemarin")
    both = siasn_csv([*good, bad])
    await failed_whole(client, app, settings, home.headers, both, kind=KIND)
    assert await employees_of(world, home.region) == {}

    dry = await imported(client, app, settings, home.headers, both, kind=KIND, dry_run=True)
    assert dry["counts"] == {"read": 4, "created": 3, "updated": 0, "unchanged": 0, "failed": 1}
    assert await employees_of(world, home.region) == {}

    written = await written_whole(
        client, app, settings, home.headers, siasn_csv(good), batch_rows=2, kind=KIND
    )
    assert written["counts"]["created"] == 3
    assert set(await employees_of(world, home.region)) == {row["NIP_BARU"] for row in good}


async def test_siasn_columns_are_accepted_and_unknown_ones_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    home = await a_region(world)
    unknown = siasn_csv([siasn_row(home)]).replace("UNOR_NAMA", "UNOR_NAMAX")
    refused = await upload(client, home.headers, unknown, kind=KIND)
    assert refused.status_code == 422, refused.text
    assert refused.json()["unknown_columns"] == ["unor_namax"]
    assert "unor_nama" not in refused.json()["known_columns"]
    missing = siasn_csv([siasn_row(home)]).replace("NIP_BARU;", "")
    assert (await upload(client, home.headers, missing, kind=KIND)).status_code == 422


async def test_ndjson_rows_may_carry_siasns_other_fields(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home = await a_region(world)
    # NDJSON names the fields the kind reads as its columns are named; SIASN's others as SIASN
    # writes them.
    fields = {name.lower(): value for name, value in siasn_row(home).items()}
    row = {**fields, "PNS_ID": "8AE483A67C1E2B0A017C1F4D6B2E0099", "TGL_LHR": "14-03-1985"}
    unknown = {**fields, "nip_baru": nip_for(), "HOBI": "membaca"}
    body = "\n".join(json.dumps(item) for item in (row, unknown)) + "\n"
    result = await imported(
        client, app, settings, home.headers, body, kind=KIND, content_type=NDJSON
    )
    assert result["counts"]["created"] == 1
    [problem] = await errors(client, home.headers, result["id"])
    assert (problem["row"], problem["problem"]) == (2, "unknown_field")
    assert set(await employees_of(world, home.region)) == {row["nip_baru"]}


async def test_a_dash_is_an_empty_cell_as_siasn_writes_it(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home = await a_region(world)
    row = siasn_row(home, GELAR_DEPAN="-", GELAR_BELAKANG="S.Kom.", TMT_JABATAN="-")
    result = await imported(client, app, settings, home.headers, siasn_csv([row]), kind=KIND)
    assert result["counts"]["created"] == 1, await errors(client, home.headers, result["id"])
    recorded = (await employees_of(world, home.region))[row["NIP_BARU"]]
    assert (recorded["title_prefix"], recorded["title_suffix"]) == (None, "S.Kom.")
    assert recorded["position_since"] is None
    assert str(recorded["grade_since"]) == "2022-04-01"
