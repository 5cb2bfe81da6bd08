"""The job's runs: a run that dies mid-import is resumed (or, for `all_or_nothing`, restarted)
to exactly the file's data; cancelling stops it before its next batch; a retried upload with
the same `Idempotency-Key` is answered as the first."""

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from kinerja_api.config import Settings
from kinerja_api.imports import processing
from tests.factories import World
from tests.imports.helpers import (
    IMPORTS,
    a_region,
    employee_row,
    employees_csv,
    employees_of,
    staged_rows,
    upload,
)


class KilledError(Exception):
    pass


def _dying_after(monkeypatch: pytest.MonkeyPatch, batches: int) -> None:
    """The worker dies while writing its batch after `batches` batches."""
    write = processing._write
    calls = 0

    async def dying(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls > batches:
            raise KilledError
        return await write(*args, **kwargs)

    monkeypatch.setattr(processing, "_write", dying)


async def _run(app: FastAPI, settings: Settings, accepted: httpx.Response) -> None:
    body = accepted.json()
    await processing.process(
        app.state.db, settings, uuid.UUID(body["id"]), uuid.UUID(body["region_id"])
    )


async def _get(client: httpx.AsyncClient, headers: dict[str, str], import_id: str) -> Any:
    response = await client.get(f"{IMPORTS}/{import_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("mode", ["per_row", "all_or_nothing"])
async def test_a_run_killed_mid_import_is_finished_by_the_next_with_the_files_rows_once(
    client: httpx.AsyncClient,
    app: FastAPI,
    settings: Settings,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
) -> None:
    home = await a_region(world)
    boss = employee_row(home.agency)
    rows = [employee_row(home.agency, supervisor_nip=boss["nip"]) for _ in range(5)] + [boss]
    small = settings.model_copy(update={"import_batch_rows": 2})
    accepted = await upload(client, home.headers, employees_csv(rows), mode=mode)
    with monkeypatch.context() as patched:
        _dying_after(patched, 2)
        with pytest.raises(KilledError):
            await _run(app, small, accepted)
    halfway = await _get(client, home.headers, accepted.json()["id"])
    assert halfway["status"] == "running"
    written = await employees_of(world, home.region)
    assert len(written) == (4 if mode == "per_row" else 0)

    await _run(app, small, accepted)
    done = await _get(client, home.headers, accepted.json()["id"])
    assert done["status"] == "succeeded"
    assert done["counts"] == {"read": 6, "created": 6, "updated": 0, "unchanged": 0, "failed": 0}
    recorded = await employees_of(world, home.region)
    assert set(recorded) == {row["nip"] for row in rows}
    boss_id = recorded[boss["nip"]]["id"]
    assert {e["supervisor_id"] for nip, e in recorded.items() if nip != boss["nip"]} == {boss_id}
    await _run(app, small, accepted)  # a late duplicate run changes nothing
    assert await _get(client, home.headers, accepted.json()["id"]) == done


async def test_cancelling_stops_before_the_next_batch_and_keeps_what_was_written(
    client: httpx.AsyncClient,
    app: FastAPI,
    settings: Settings,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = await a_region(world)
    rows = [employee_row(home.agency) for _ in range(4)]
    small = settings.model_copy(update={"import_batch_rows": 2})
    accepted = await upload(client, home.headers, employees_csv(rows))
    import_id = accepted.json()["id"]
    with monkeypatch.context() as patched:
        _dying_after(patched, 1)  # stands for the running worker, stopped between batches
        with pytest.raises(KilledError):
            await _run(app, small, accepted)
    cancelled = await client.post(f"{IMPORTS}/{import_id}/cancel", headers=home.headers)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    await _run(app, small, accepted)
    final = await _get(client, home.headers, import_id)
    assert (final["status"], final["rows_done"], final["counts"]["created"]) == ("cancelled", 2, 2)
    assert set(await employees_of(world, home.region)) == {row["nip"] for row in rows[:2]}
    assert await staged_rows(world, import_id) == 0
    again = await client.post(f"{IMPORTS}/{import_id}/cancel", headers=home.headers)
    assert again.status_code == 409, again.text


async def test_a_queued_import_cancelled_never_writes(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home = await a_region(world)
    accepted = await upload(client, home.headers, employees_csv([employee_row(home.agency)]))
    cancelled = await client.post(f"{IMPORTS}/{accepted.json()['id']}/cancel", headers=home.headers)
    assert cancelled.json()["status"] == "cancelled"
    await _run(app, settings, accepted)
    assert await employees_of(world, home.region) == {}
    assert await staged_rows(world, accepted.json()["id"]) == 0


async def test_a_retried_upload_with_the_same_key_is_answered_as_the_first(
    client: httpx.AsyncClient, world: World
) -> None:
    home = await a_region(world)
    body = employees_csv([employee_row(home.agency)])
    headers = {**home.headers, "Idempotency-Key": "unggah-1"}
    first = await upload(client, headers, body)
    retried = await upload(client, headers, body)
    assert (first.status_code, retried.status_code) == (202, 202)
    assert retried.json()["id"] == first.json()["id"]
    assert retried.headers["Idempotent-Replayed"] == "true"
    assert retried.headers["Location"] == first.headers["Location"]
    other = await upload(client, headers, employees_csv([employee_row(home.agency)]))
    assert other.status_code == 422, other.text
    listed = await client.get(IMPORTS, headers=home.headers)
    assert [item["id"] for item in listed.json()["items"]] == [first.json()["id"]]
