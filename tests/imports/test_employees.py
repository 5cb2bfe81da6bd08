"""Importing employees: created, updated, unchanged; supervisors by NIP, later rows too."""

import httpx
from fastapi import FastAPI
from sqlalchemy import text

from kinerja_api.config import Settings
from tests.factories import World
from tests.imports.helpers import (
    a_region,
    employee_row,
    employees_csv,
    employees_of,
    errors,
    failed_whole,
    imported,
    staged_rows,
    written_whole,
)


async def test_a_file_creates_its_employees_and_a_second_import_changes_nothing(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home = await a_region(world)
    boss = employee_row(home.agency)
    rows = [
        employee_row(home.agency, supervisor_nip=boss["nip"]),  # the supervisor is a later row
        boss,
        employee_row(home.other_agency, supervisor_nip=boss["nip"]),
    ]
    small = settings.model_copy(update={"import_batch_rows": 2})
    first = await imported(client, app, small, home.headers, employees_csv(rows))
    assert first["status"] == "succeeded", first
    assert first["counts"] == {"read": 3, "created": 3, "updated": 0, "unchanged": 0, "failed": 0}
    assert first["rows_done"] == 3
    assert first["progress"] == 100.0
    recorded = await employees_of(world, home.region)
    assert set(recorded) == {row["nip"] for row in rows}
    boss_id = recorded[boss["nip"]]["id"]
    assert recorded[rows[0]["nip"]]["supervisor_id"] == boss_id
    assert recorded[rows[2]["nip"]]["supervisor_id"] == boss_id
    assert await staged_rows(world, first["id"]) == 0

    second = await imported(client, app, small, home.headers, employees_csv(rows))
    assert second["counts"] == {"read": 3, "created": 0, "updated": 0, "unchanged": 3, "failed": 0}
    assert await employees_of(world, home.region) == recorded
    assert await errors(client, home.headers, second["id"]) == []


async def test_changed_rows_are_updated_and_leaving_a_chain_leaves_a_tombstone(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home = await a_region(world)
    old_boss = await world.employee(home.region, home.agency)
    staff = await world.employee(home.region, home.agency, supervisor=old_boss)
    new_boss = employee_row(home.other_agency)
    rows = [
        employee_row(
            home.other_agency,
            nip=staff.nip,
            name="Nama Baru",
            position=staff.position,
            supervisor_nip=new_boss["nip"],
        ),
        new_boss,
    ]
    result = await imported(client, app, settings, home.headers, employees_csv(rows))
    assert result["counts"] == {"read": 2, "created": 1, "updated": 1, "unchanged": 0, "failed": 0}
    recorded = await employees_of(world, home.region)
    changed = recorded[staff.nip]
    assert (changed["name"], changed["agency_id"]) == ("Nama Baru", home.other_agency.id)
    assert changed["supervisor_id"] == recorded[new_boss["nip"]]["id"]
    assert changed["version"] > staff.version
    tombstones = (
        await world.connection.execute(
            text(
                "select former_supervisor_id, former_agency_path from sync_tombstones"
                " where entity_id = :id and entity_type = 'employee'"
            ),
            {"id": staff.id},
        )
    ).all()
    assert (old_boss.id, None) in tombstones
    assert (None, home.agency.path) in tombstones


async def test_a_dry_run_counts_everything_and_writes_nothing(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home = await a_region(world)
    recorded = await world.employee(home.region, home.agency)
    rows = [
        employee_row(home.agency),
        employee_row(home.agency, nip=recorded.nip, name="Berubah", position="Analis"),
        employee_row(home.agency, nip="123"),
    ]
    before = await employees_of(world, home.region)
    result = await imported(client, app, settings, home.headers, employees_csv(rows), dry_run=True)
    assert result["status"] == "succeeded"
    assert result["dry_run"] is True
    assert result["counts"] == {"read": 3, "created": 1, "updated": 1, "unchanged": 0, "failed": 1}
    assert await employees_of(world, home.region) == before
    assert [e["field"] for e in await errors(client, home.headers, result["id"])] == ["nip"]


async def test_all_or_nothing_writes_nothing_when_a_row_fails(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home = await a_region(world)
    good = [employee_row(home.agency) for _ in range(3)]
    bad = employee_row(home.agency, agency_code="tidak-ada")
    before = await employees_of(world, home.region)
    result = await failed_whole(client, app, settings, home.headers, employees_csv([*good, bad]))
    assert result["counts"]["failed"] == 1
    assert result["counts"]["created"] == 0
    assert await employees_of(world, home.region) == before
    [problem] = await errors(client, home.headers, result["id"])
    assert (problem["row"], problem["line"], problem["field"], problem["problem"]) == (
        4,
        5,
        "agency_code",
        "not_found",
    )
    # Without the bad row, the same mode writes every row, in one transaction.
    result = await written_whole(
        client, app, settings, home.headers, employees_csv(good), batch_rows=2
    )
    assert result["counts"]["created"] == 3
    assert {row["nip"] for row in good} <= set(await employees_of(world, home.region))


async def test_per_row_writes_the_good_rows_and_lists_the_bad_ones(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home = await a_region(world)
    good = employee_row(home.agency)
    rows = [
        good,
        employee_row(home.agency, name=""),  # missing
        employee_row(home.agency, nip="198503142030011001"),  # appointed in the future
        employee_row(home.agency, name='=HYPERLINK("http://x")'),  # a formula
        employee_row(home.agency, position="-1"),  # a formula too
        employee_row(home.agency, employment_type="honorer"),
        employee_row(home.agency, supervisor_nip="198503142010011999"),  # no such supervisor
    ]
    result = await imported(client, app, settings, home.headers, employees_csv(rows))
    assert result["status"] == "succeeded"
    assert result["counts"] == {"read": 7, "created": 1, "updated": 0, "unchanged": 0, "failed": 6}
    assert set(await employees_of(world, home.region)) == {good["nip"]}
    found = {
        (e["row"], e["field"], e["problem"])
        for e in await errors(client, home.headers, result["id"])
    }
    assert found == {
        (2, "name", "missing"),
        (3, "nip", "invalid"),
        (4, "name", "formula"),
        (5, "position", "formula"),
        (6, "employment_type", "invalid"),
        (7, "supervisor_nip", "not_found"),
    }


async def test_another_regions_nip_and_agency_are_refused_never_written(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home, foreign = await a_region(world), await a_region(world)
    theirs = await world.employee(foreign.region, foreign.agency)
    rows = [
        employee_row(home.agency, nip=theirs.nip, name="Diambil Alih", position="Analis"),
        employee_row(foreign.agency),  # their agency's code is not in our region
        employee_row(home.agency, supervisor_nip=theirs.nip),
    ]
    result = await imported(client, app, settings, home.headers, employees_csv(rows))
    assert result["counts"]["failed"] == 3
    found = {
        (e["row"], e["field"], e["problem"])
        for e in await errors(client, home.headers, result["id"])
    }
    assert found == {
        (1, "nip", "other_region"),
        (2, "agency_code", "not_found"),
        (3, "supervisor_nip", "not_found"),
    }
    assert await employees_of(world, home.region) == {}
    assert (await employees_of(world, foreign.region))[theirs.nip]["name"] == theirs.name


async def test_duplicates_cycles_and_rows_naming_refused_rows_are_refused(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home = await a_region(world)
    twice = employee_row(home.agency)
    first, second = employee_row(home.agency), employee_row(home.agency)
    first["supervisor_nip"], second["supervisor_nip"] = second["nip"], first["nip"]
    orphan_boss = employee_row(home.agency, agency_code="tidak-ada")
    orphan = employee_row(home.agency, supervisor_nip=orphan_boss["nip"])
    below_orphan = employee_row(home.agency, supervisor_nip=orphan["nip"])
    fixed = await world.employee(home.region, home.agency)
    rows = [
        twice,
        dict(twice),
        first,
        second,
        below_orphan,
        orphan,
        orphan_boss,
        employee_row(home.agency, nip=fixed.nip, employment_type="pppk", position="Analis"),
        employee_row(home.agency, supervisor_nip="x"),
    ]
    result = await imported(client, app, settings, home.headers, employees_csv(rows))
    found = {
        (e["row"], e["field"], e["problem"])
        for e in await errors(client, home.headers, result["id"])
    }
    assert found == {
        (1, "nip", "duplicate"),
        (2, "nip", "duplicate"),
        (3, "supervisor_nip", "cycle"),
        (4, "supervisor_nip", "cycle"),
        (5, "supervisor_nip", "not_found"),
        (6, "supervisor_nip", "not_found"),
        (7, "agency_code", "not_found"),
        (8, "employment_type", "conflict"),
        (9, "supervisor_nip", "invalid"),
    }
    assert result["counts"]["failed"] == 9
