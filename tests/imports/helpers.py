"""Uploading files and running their job inside the test's transaction."""

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select, text

from kinerja_api.config import Settings
from kinerja_api.imports import processing
from kinerja_api.models.org import Role
from tests.factories import World, nip_for

IMPORTS = "/api/v1/imports"
CSV = "text/csv"
NDJSON = "application/x-ndjson"


@dataclass
class Region:
    """A region with two agencies and its administrator."""

    region: Any
    agency: Any
    other_agency: Any
    admin: Any
    headers: dict[str, str]


async def a_region(world: World) -> Region:
    region = await world.region()
    agency = await world.agency(region, code=f"dinas-{uuid.uuid4().hex[:8]}")
    other = await world.agency(region, code=f"badan-{uuid.uuid4().hex[:8]}")
    admin = await world.user(region, Role.REGION_ADMIN)
    return Region(region, agency, other, admin, world.auth(admin))


def csv_of(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    separator: str = ";",
    newline: str = "\r\n",
) -> str:
    """A CSV file: the header's columns, then each row's cells as written."""
    lines = [separator.join(header), *(separator.join(row) for row in rows)]
    return newline.join(lines) + newline


def named_csv(
    header: Sequence[str], rows: Iterable[Mapping[str, str]], separator: str = ";"
) -> str:
    """A CSV file of rows given by column name; a column a row does not name is empty."""
    cells = ([row.get(column, "") for column in header] for row in rows)
    return csv_of(header, cells, separator=separator)


def id_of(thing: Any) -> str:
    """A row's id cell: a recorded thing's id, or the text given as it is."""
    return thing if isinstance(thing, str) else str(thing.id)


def nip_of(person: Any) -> str:
    """A row's NIP cell: an employee's NIP, or the text given as it is."""
    return person if isinstance(person, str) else str(person.nip)


def employees_csv(rows: list[dict[str, str]], separator: str = ";") -> str:
    columns = ["nip", "name", "employment_type", "position", "agency_code", "supervisor_nip"]
    return named_csv(columns, rows, separator)


def employee_row(agency: Any, **values: str) -> dict[str, str]:
    row = {
        "nip": nip_for(),
        "name": f"Pegawai {uuid.uuid4().hex[:6]}",
        "employment_type": "pns",
        "position": "Analis",
        "agency_code": agency.code,
    }
    row.update(values)
    return row


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    body: str | bytes,
    *,
    kind: str = "employees",
    mode: str = "per_row",
    dry_run: bool = False,
    content_type: str = CSV,
) -> httpx.Response:
    return await client.post(
        IMPORTS,
        params={"kind": kind, "mode": mode, "dry_run": str(dry_run).lower()},
        content=body.encode() if isinstance(body, str) else body,
        headers={**headers, "Content-Type": content_type},
    )


async def run_job(app: FastAPI, settings: Settings, accepted: httpx.Response) -> None:
    """The import's job, as a worker runs it, in the test's transaction."""
    assert accepted.status_code == 202, accepted.text
    body = accepted.json()
    await processing.process(
        app.state.db, settings, uuid.UUID(body["id"]), uuid.UUID(body["region_id"])
    )


async def imported(
    client: httpx.AsyncClient,
    app: FastAPI,
    settings: Settings,
    headers: dict[str, str],
    body: str | bytes,
    **options: Any,
) -> dict[str, Any]:
    """Uploads, runs the job, answers the import as `GET /imports/{id}` does."""
    accepted = await upload(client, headers, body, **options)
    await run_job(app, settings, accepted)
    found = await client.get(accepted.headers["Location"], headers=headers)
    assert found.status_code == 200, found.text
    result: dict[str, Any] = found.json()
    return result


async def failed_whole(
    client: httpx.AsyncClient,
    app: FastAPI,
    settings: Settings,
    headers: dict[str, str],
    body: str | bytes,
    **options: Any,
) -> dict[str, Any]:
    """An `all_or_nothing` import that a bad row fails as a whole: the import as read back."""
    result = await imported(client, app, settings, headers, body, mode="all_or_nothing", **options)
    assert (result["status"], result["failure"]) == ("failed", "row_errors")
    return result


async def written_whole(
    client: httpx.AsyncClient,
    app: FastAPI,
    settings: Settings,
    headers: dict[str, str],
    body: str | bytes,
    *,
    batch_rows: int,
    **options: Any,
) -> dict[str, Any]:
    """An `all_or_nothing` import written in batches of `batch_rows` (one transaction all the
    same), which succeeds: the import as read back."""
    small = settings.model_copy(update={"import_batch_rows": batch_rows})
    result = await imported(client, app, small, headers, body, mode="all_or_nothing", **options)
    assert result["status"] == "succeeded"
    return result


async def errors(
    client: httpx.AsyncClient, headers: dict[str, str], import_id: str, **params: Any
) -> list[dict[str, Any]]:
    response = await client.get(f"{IMPORTS}/{import_id}/errors", params=params, headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def employees_of(world: World, region: Any) -> dict[str, dict[str, Any]]:
    from kinerja_api.auth.tenancy import enter_all_regions
    from kinerja_api.models.org import Employee

    await enter_all_regions(world.connection)
    rows = await world.connection.execute(select(Employee).where(Employee.region_id == region.id))
    return {row.nip: row._asdict() for row in rows}


async def staged_rows(world: World, import_id: str) -> int:
    from kinerja_api.auth.tenancy import enter_all_regions

    await enter_all_regions(world.connection)
    return int(
        await world.connection.scalar(
            text("select count(*) from import_rows where import_id = :id"), {"id": import_id}
        )
        or 0
    )
