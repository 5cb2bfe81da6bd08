"""Importing external JP: ledger entries with their evidence, as the ledger API records them,
read back through the competency route and the compliance report; the ledger is append-only."""

import json
from datetime import date
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.config import Settings
from kinerja_api.models.events import OutboxEvent
from kinerja_api.models.training import JpLedgerEntry
from tests.factories import World
from tests.imports.helpers import (
    NDJSON,
    Region,
    a_region,
    csv_of,
    errors,
    failed_whole,
    imported,
    nip_of,
    written_whole,
)

HEADER = ("nip", "activity", "ended_on", "jp", "evidence")
KIND = "external_training"
COMPLIANCE = "/api/v1/reports/jp-compliance"


def csv(*rows: tuple[Any, str, str, str, str]) -> str:
    cells = ((nip_of(person), *rest) for person, *rest in rows)
    return csv_of(HEADER, cells, newline="\n")


def good_rows(staff: Any, other: Any) -> str:
    return csv(
        (staff, "Seminar Nasional Pelayanan Publik", "2026-11-20", "8", "Sertifikat 123/LAN"),
        (staff, "Diklat Kepemimpinan", "2026-03-02", "16", "Surat 45/BKPSDM/2026"),
        (other, "Seminar Nasional Pelayanan Publik", "2025-12-31", "8", "Sertifikat 77/LAN"),
    )


async def ledger(world: World, home: Region) -> list[Any]:
    await enter_all_regions(world.connection)
    rows = await world.connection.execute(
        select(JpLedgerEntry)
        .where(JpLedgerEntry.region_id == home.region.id)
        .order_by(JpLedgerEntry.completed_on)
    )
    return list(rows.all())


async def told(world: World, home: Region) -> list[Any]:
    await enter_all_regions(world.connection)
    rows = await world.connection.execute(
        select(OutboxEvent.employee_id, OutboxEvent.payload).where(
            OutboxEvent.region_id == home.region.id, OutboxEvent.type == "training.jp_recorded"
        )
    )
    return list(rows.all())


async def test_entries_are_recorded_read_back_and_a_second_import_changes_nothing(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home = await a_region(world)
    staff = await world.employee(home.region, home.agency)
    other = await world.employee(home.region, home.agency)
    body = good_rows(staff, other)
    result = await imported(client, app, settings, home.headers, body, kind=KIND)
    assert result["counts"] == {"read": 3, "created": 3, "updated": 0, "unchanged": 0, "failed": 0}

    competency = await client.get(
        f"/api/v1/employees/{staff.id}/competency", params={"year": 2026}, headers=home.headers
    )
    assert competency.status_code == 200, competency.text
    body_2026 = competency.json()
    assert (body_2026["total_jp"], body_2026["shortfall_jp"]) == ("24", "0")
    assert [
        (a["source"], a["activity"], a["jp"], a["completed_on"], a["evidence"])
        for a in body_2026["activities"]
    ] == [
        ("external", "Diklat Kepemimpinan", 16, "2026-03-02", "Surat 45/BKPSDM/2026"),
        ("external", "Seminar Nasional Pelayanan Publik", 8, "2026-11-20", "Sertifikat 123/LAN"),
    ]
    report = await client.get(
        COMPLIANCE, params={"year": 2025, "agency_id": str(home.agency.id)}, headers=home.headers
    )
    totals = {row["employee_id"]: row["total_jp"] for row in report.json()["items"]}
    assert (totals[str(other.id)], totals[str(staff.id)]) == ("8", "0")
    entries = await ledger(world, home)
    assert {(e.year, e.recorded_by) for e in entries} == {
        (2025, home.admin.id),
        (2026, home.admin.id),
    }
    assert sorted((e.employee_id, e.payload["jp"]) for e in await told(world, home)) == sorted(
        [(staff.id, 8), (staff.id, 16), (other.id, 8)]
    )

    # The same file again, the titles in other case: nothing recorded twice.
    again = await imported(
        client,
        app,
        settings,
        home.headers,
        body.replace("Seminar Nasional", "SEMINAR NASIONAL"),
        kind=KIND,
    )
    assert again["counts"] == {"read": 3, "created": 0, "updated": 0, "unchanged": 3, "failed": 0}
    assert len(await ledger(world, home)) == 3
    assert len(await told(world, home)) == 3


async def test_a_dry_run_counts_and_writes_nothing(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home = await a_region(world)
    staff = await world.employee(home.region, home.agency)
    other = await world.employee(home.region, home.agency)
    result = await imported(
        client, app, settings, home.headers, good_rows(staff, other), kind=KIND, dry_run=True
    )
    assert result["counts"] == {"read": 3, "created": 3, "updated": 0, "unchanged": 0, "failed": 0}
    assert await ledger(world, home) == []
    assert await told(world, home) == []


async def test_all_or_nothing_writes_nothing_when_a_row_fails(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home = await a_region(world)
    staff = await world.employee(home.region, home.agency)
    other = await world.employee(home.region, home.agency)
    body = good_rows(staff, other) + f"{staff.nip};Bimtek;2026-05-01;0;Sertifikat 9\n"
    result = await failed_whole(client, app, settings, home.headers, body, kind=KIND)
    [problem] = await errors(client, home.headers, result["id"])
    assert (problem["row"], problem["field"], problem["problem"]) == (4, "jp", "invalid")
    assert await ledger(world, home) == []

    result = await written_whole(
        client, app, settings, home.headers, good_rows(staff, other), batch_rows=2, kind=KIND
    )
    assert result["counts"]["created"] == 3
    assert len(await ledger(world, home)) == 3


async def test_another_regions_nip_is_refused_never_written(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home, foreign = await a_region(world), await a_region(world)
    stranger = await world.employee(foreign.region, foreign.agency)
    body = csv((stranger, "Seminar", "2026-11-20", "8", "Sertifikat 1"))
    result = await imported(client, app, settings, home.headers, body, kind=KIND)
    [problem] = await errors(client, home.headers, result["id"])
    assert (problem["row"], problem["field"], problem["problem"]) == (1, "nip", "not_found")
    assert await ledger(world, home) == []
    assert await ledger(world, foreign) == []


async def test_every_rule_of_the_ledger_refuses_its_rows(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home = await a_region(world)
    staff = await world.employee(home.region, home.agency)
    for activity, day in (("Webinar Inovasi", 1), ("Webinar Budaya", 2)):
        await world.jp_entry(
            staff, activity=activity, completed_on=date(2026, 4, day), jp=4, evidence="Sertifikat 5"
        )
    body = csv(
        (staff, "Webinar Inovasi", "2026-04-01", "6", "Sertifikat 5"),
        (staff, "Kursus A", "2026-02-30", "8", "Sertifikat 1"),
        (staff, "Kursus B", "20-11-2026", "8", "Sertifikat 2"),
        (staff, "Kursus C", "1999-12-31", "8", "Sertifikat 3"),
        (staff, "Kursus D", "2026-06-01", "1001", "Sertifikat 4"),
        (staff, "Kursus E", "2026-06-01", "2.5", "Sertifikat 5"),
        (staff, "Kursus F", "2026-06-01", "8", ""),
        ("1234", "Kursus G", "2026-06-01", "8", "Sertifikat 6"),
        (staff, "Kursus H", "2026-06-01", "8", "=HYPERLINK(1)"),
        (staff, "Kursus I", "2026-06-01", "8", "Sertifikat 7"),
        (staff, "kursus i", "2026-06-01", "4", "Sertifikat 8"),
        (staff, "Webinar Budaya", "2026-04-02", "4", "Sertifikat 5"),
        (staff, "Kursus J", "2028-02-29", "8", "Sertifikat 9"),
    )
    result = await imported(client, app, settings, home.headers, body, kind=KIND)
    refused = await errors(client, home.headers, result["id"], limit=100)
    assert {(e["row"], e["field"], e["problem"]) for e in refused} == {
        (1, "jp", "conflict"),
        (2, "ended_on", "invalid"),
        (3, "ended_on", "invalid"),
        (4, "ended_on", "invalid"),
        (5, "jp", "invalid"),
        (6, "jp", "invalid"),
        (7, "evidence", "missing"),
        (8, "nip", "invalid"),
        (9, "evidence", "formula"),
        (10, "activity", "duplicate"),
        (11, "activity", "duplicate"),
    }
    english = await errors(
        client, {**home.headers, "Accept-Language": "en"}, result["id"], limit=100
    )
    assert {e["message"] for e in english if e["row"] == 4} == {
        "The activity must end between the years 2000 and 2100."
    }
    assert (result["counts"]["unchanged"], result["counts"]["created"]) == (1, 1)
    assert [(e.activity, e.completed_on.isoformat()) for e in await ledger(world, home)] == [
        ("Webinar Inovasi", "2026-04-01"),
        ("Webinar Budaya", "2026-04-02"),
        ("Kursus J", "2028-02-29"),
    ]


async def test_a_service_account_records_as_nobody_from_ndjson(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home = await a_region(world)
    staff = await world.employee(home.region, home.agency)
    account = await world.service_account(home.region, "imports:write")
    line = {
        "nip": staff.nip,
        "activity": "Pelatihan Daring LAN",
        "ended_on": "2026-10-05",
        "jp": "12",
        "evidence": "Sertifikat 88/LAN",
    }
    result = await imported(
        client,
        app,
        settings,
        world.auth(account),
        json.dumps(line) + "\n",
        kind=KIND,
        content_type=NDJSON,
    )
    assert result["counts"]["created"] == 1, result
    [entry] = await ledger(world, home)
    assert (entry.jp, entry.year, entry.evidence, entry.recorded_by) == (
        12,
        2026,
        "Sertifikat 88/LAN",
        None,
    )
