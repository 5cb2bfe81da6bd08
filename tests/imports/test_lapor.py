"""Importing complaints received through SP4N-LAPOR!: the example file round-trips through the
complaints API and back out through the LAPOR! export; deadlines, tracking codes, categories
and statuses as the complaints service has them; a file imported again changes nothing."""

from datetime import date, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.config import Settings
from kinerja_api.feedback.codes import ALPHABET, TRACKING_CODE_LENGTH
from kinerja_api.models.feedback import Complaint
from tests.exchange.helpers import EXAMPLES
from tests.factories import World
from tests.imports.helpers import (
    Region,
    a_region,
    errors,
    failed_whole,
    imported,
    named_csv,
    written_whole,
)

KIND = "lapor_complaints"
EXAMPLE = EXAMPLES / "sp4n-lapor-pengaduan.csv"
COMPLAINTS = "/api/v1/complaints"
HEADER = (
    "nomor_tiket",
    "tanggal_laporan",
    "kategori",
    "judul",
    "isi",
    "lokasi",
    "instansi_tujuan",
    "status",
)


def lapor_csv(rows: list[dict[str, str]]) -> str:
    return named_csv(HEADER, rows)


def lapor_row(number: str, **values: str) -> dict[str, str]:
    return {
        "nomor_tiket": number,
        "tanggal_laporan": "13-04-2026 09:00:00",
        "kategori": "pelayanan",
        "isi": "Pelayanan di loket lambat sekali pagi ini.",
        "lokasi": "Kantor Camat, loket 1",
        "status": "belum_terverifikasi",
        **values,
    }


async def _complaints_of(world: World, region: Any) -> dict[str, Any]:
    await enter_all_regions(world.connection)
    rows = await world.connection.execute(select(Complaint).where(Complaint.region_id == region.id))
    return {row.external_reference: row for row in rows}


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def _the_examples_region(world: World) -> tuple[Region, Any, Any]:
    home = await a_region(world)
    office = await world.agency(home.region, code="dinkes")
    centre = await world.agency(home.region, parent=office, code="pkm-muara-bungo")
    # A regional holiday inside the deadlines: they are counted in the region's calendar.
    await world.holiday(home.region, date(2026, 4, 15))
    return home, office, centre


async def test_the_example_file_imports_reads_back_and_exports_under_lapors_numbers(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home, office, centre = await _the_examples_region(world)
    body = EXAMPLE.read_bytes()
    first = await imported(client, app, settings, home.headers, body, kind=KIND)
    assert first["status"] == "succeeded", first
    assert first["counts"] == {"read": 4, "created": 4, "updated": 0, "unchanged": 0, "failed": 0}
    assert await errors(client, home.headers, first["id"]) == []

    listed = await client.get(COMPLAINTS, params={"limit": 10}, headers=home.headers)
    assert listed.status_code == 200, listed.text
    items = {item["external_reference"]: item for item in listed.json()["items"]}
    assert set(items) == {"4812735", "4813002", "4815519", "4816004"}
    read = {
        number: (
            item["source"],
            item["category"],
            item["status"],
            item["agency_id"],
            item["location"],
            _instant(item["submitted_at"]),
            _instant(item["due_at"]),
        )
        for number, item in items.items()
    }
    assert read == {
        "4812735": (
            "lapor",
            "waiting_time",
            "resolved",
            str(centre.id),
            "Puskesmas Muara Bungo, ruang imunisasi",
            _instant("2026-04-13T09:12:40+07:00"),
            _instant("2026-04-22T00:00:00+07:00"),  # 5 working days, the 15th a holiday
        ),
        "4813002": (
            "lapor",
            "facilities",
            "assigned",
            str(centre.id),
            "Puskesmas Muara Bungo, lantai 1",
            _instant("2026-04-14T10:30:00+07:00"),
            _instant("2026-04-23T00:00:00+07:00"),
        ),
        "4815519": (
            "lapor",
            "fees",
            "triaged",
            str(office.id),
            "Dinas Kesehatan Kabupaten Bungo, loket pelayanan",
            _instant("2026-04-15T08:05:12+07:00"),
            _instant("2026-04-23T00:00:00+07:00"),
        ),
        "4816004": (
            "lapor",
            "service",
            "submitted",
            None,
            "Desa Sungai Pinang, Kecamatan Rimbo Tengah",
            _instant("2026-04-16T19:45:00+07:00"),
            _instant("2026-04-24T00:00:00+07:00"),
        ),
    }
    # The title goes before the content, unless the content starts with it.
    assert items["4812735"]["description"] == (
        "Antrean imunisasi terlalu lama. Kami menunggu lebih dari tiga jam dan hanya ada satu "
        "petugas."
    )
    assert items["4813002"]["description"] == (
        "Toilet pasien rusak\n\nToilet untuk pasien di lantai satu sudah dua minggu tidak bisa "
        "dipakai."
    )
    assert items["4812735"]["resolved_at"] is not None
    assert items["4813002"]["resolved_at"] is None
    codes = {item["tracking_code"].replace("-", "") for item in items.values()}
    assert len(codes) == 4
    assert all(len(code) == TRACKING_CODE_LENGTH and set(code) <= set(ALPHABET) for code in codes)

    exported = await client.get(
        "/api/v1/exchange/lapor/complaints",
        params={"received_from": "2026-04-01", "received_to": "2026-04-30"},
        headers=home.headers,
    )
    assert exported.status_code == 200, exported.text
    reports = exported.json()["laporan"]
    assert [report["nomor_tiket"] for report in reports] == [
        "4812735",
        "4813002",
        "4815519",
        "4816004",
    ]
    assert [(report["kategori"], report["status"]) for report in reports] == [
        ("waktu_tunggu", "selesai"),
        ("sarana_prasarana", "proses"),
        ("biaya_pungutan", "belum_ditindaklanjuti"),
        ("pelayanan", "belum_terverifikasi"),
    ]

    recorded = await _complaints_of(world, home.region)
    again = await imported(client, app, settings, home.headers, body, kind=KIND)
    assert again["counts"] == {"read": 4, "created": 0, "updated": 0, "unchanged": 4, "failed": 0}
    assert {
        number: (row.version, row.tracking_code, row.due_at)
        for number, row in (await _complaints_of(world, home.region)).items()
    } == {number: (row.version, row.tracking_code, row.due_at) for number, row in recorded.items()}


async def test_a_status_moves_only_forward_and_a_new_date_counts_a_new_deadline(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home = await a_region(world)
    row = lapor_row("LPR-0001", status="Proses", instansi_tujuan=home.agency.code)
    created = await imported(client, app, settings, home.headers, lapor_csv([row]), kind=KIND)
    assert created["counts"]["created"] == 1
    assert (await _complaints_of(world, home.region))["LPR-0001"].status == "assigned"

    done = {**row, "status": "Selesai", "tanggal_laporan": "2026-04-16T09:00:00+07:00"}
    updated = await imported(client, app, settings, home.headers, lapor_csv([done]), kind=KIND)
    assert updated["counts"]["updated"] == 1
    complaint = (await _complaints_of(world, home.region))["LPR-0001"]
    assert (complaint.status, complaint.resolved_at is not None) == ("resolved", True)
    assert complaint.due_at == _instant("2026-04-24T00:00:00+07:00")

    # An older LAPOR! status, and no agency: what was recorded stays.
    older = {**done, "status": "belum terverifikasi", "instansi_tujuan": ""}
    unchanged = await imported(client, app, settings, home.headers, lapor_csv([older]), kind=KIND)
    assert unchanged["counts"]["unchanged"] == 1
    kept = (await _complaints_of(world, home.region))["LPR-0001"]
    assert (kept.status, kept.agency_id, kept.version) == (
        "resolved",
        home.agency.id,
        complaint.version,
    )


async def test_bad_dates_unknown_categories_and_statuses_are_refused_with_clear_problems(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home = await a_region(world)
    foreign = await a_region(world)
    rows = [
        lapor_row("1000001"),
        lapor_row("1000002", tanggal_laporan="31-04-2026 10:00"),
        lapor_row("1000003", tanggal_laporan="01-01-2099"),
        lapor_row("1000004", kategori="Kesehatan"),
        lapor_row("1000005", status="Ditolak"),
        lapor_row("1000006", instansi_tujuan=foreign.agency.code),
        lapor_row("1000007", isi="Lambat."),
        lapor_row("#1000008"),
        lapor_row("1000009"),
        lapor_row("1000009"),
    ]
    result = await imported(client, app, settings, home.headers, lapor_csv(rows), kind=KIND)
    assert result["counts"] == {
        "read": 10,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "failed": 9,
    }
    found = {
        (e["row"], e["field"], e["problem"])
        for e in await errors(client, home.headers, result["id"], limit=50)
    }
    assert found == {
        (2, "tanggal_laporan", "invalid"),
        (3, "tanggal_laporan", "invalid"),
        (4, "kategori", "invalid"),
        (5, "status", "invalid"),
        (6, "instansi_tujuan", "not_found"),
        (7, "isi", "invalid"),
        (8, "nomor_tiket", "invalid"),
        (9, "nomor_tiket", "duplicate"),
        (10, "nomor_tiket", "duplicate"),
    }
    assert set(await _complaints_of(world, home.region)) == {"1000001"}
    assert await _complaints_of(world, foreign.region) == {}
    english = {
        e["row"]: e["message"]
        for e in await errors(client, {**home.headers, "Accept-Language": "en"}, result["id"])
    }
    indonesian = {
        e["row"]: e["message"]
        for e in await errors(client, {**home.headers, "Accept-Language": "id"}, result["id"])
    }
    assert english[2] == (
        "The report's date is not valid (dd-mm-yyyy with or without HH:MM:SS, or ISO 8601) "
        "or in the future."
    )
    assert indonesian[2].startswith("Tanggal laporan tidak valid")
    assert english[4] == (
        "Unknown LAPOR! category; known: pelayanan, perilaku_petugas, sarana_prasarana, "
        "biaya_pungutan, waktu_tunggu, informasi, lainnya."
    )
    assert indonesian[5] == (
        "Status LAPOR! tidak dikenal; yang dikenal: belum_terverifikasi, belum_ditindaklanjuti, "
        "proses, selesai."
    )


async def test_numbers_are_per_region_all_or_nothing_and_dry_run(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home, other = await a_region(world), await a_region(world)
    theirs = await imported(
        client, app, settings, other.headers, lapor_csv([lapor_row("2000001")]), kind=KIND
    )
    assert theirs["counts"]["created"] == 1

    good = [lapor_row(f"200000{n}") for n in range(1, 4)]
    bad = lapor_row("2000009", kategori="tidak ada")
    both = lapor_csv([*good, bad])
    await failed_whole(client, app, settings, home.headers, both, kind=KIND)
    assert await _complaints_of(world, home.region) == {}

    dry = await imported(client, app, settings, home.headers, both, kind=KIND, dry_run=True)
    assert dry["counts"] == {"read": 4, "created": 3, "updated": 0, "unchanged": 0, "failed": 1}
    assert await _complaints_of(world, home.region) == {}

    written = await written_whole(
        client, app, settings, home.headers, lapor_csv(good), batch_rows=2, kind=KIND
    )
    assert written["counts"]["created"] == 3
    ours = await _complaints_of(world, home.region)
    assert set(ours) == {"2000001", "2000002", "2000003"}
    assert len({complaint.tracking_code for complaint in ours.values()}) == 3
    # The other region's complaint under the same number is its own, untouched.
    [their_complaint] = (await _complaints_of(world, other.region)).values()
    assert their_complaint.id != ours["2000001"].id
    assert their_complaint.version == 1
