"""Importing employees: created, updated, unchanged; supervisors by NIP, later rows too."""

import httpx
from fastapi import FastAPI

from kinerja_api.config import Settings
from tests.factories import World
from tests.imports.helpers import (
    a_region,
    employee_row,
    employees_csv,
    employees_of,
    errors,
    imported,
    staged_rows,
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
