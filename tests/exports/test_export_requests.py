"""Asking for export jobs: checked as the list's route checks the caller, recorded with the
job deferred in the same transaction, read back only by whoever asked; the file is a 409 until
a worker has written it."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.core import exportable
from kinerja_api.core.csv_export import CSV_MEDIA_TYPE
from kinerja_api.core.openapi import api_routes
from kinerja_api.export_lists import EXPORT_LIST_MODULES
from kinerja_api.exports.schemas import LIST_NAMES
from kinerja_api.models.org import Role
from tests.factories import World

EXPORTS = "/api/v1/exports"


async def _ask(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> httpx.Response:
    return await client.post(EXPORTS, json={"list": "employees", **body}, headers=headers)


def test_every_exportable_list_is_named_in_the_contract() -> None:
    assert sorted(LIST_NAMES) == exportable.names()


async def test_an_export_is_accepted_recorded_and_its_job_deferred_with_it(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    region = await world.region()
    agency = await world.agency(region)
    admin = await world.user(region, Role.REGION_ADMIN)
    response = await _ask(
        client,
        world.auth(admin),
        filters={"agency_id": str(agency.id), "active": True},
        sort="updated_at",
        separator="semicolon",
    )
    assert response.status_code == 202, response.text
    export = response.json()
    assert response.headers["location"] == f"{EXPORTS}/{export['id']}"
    assert export["status"] == "queued"
    assert export["list"] == "employees"
    assert export["filters"] == {"agency_id": str(agency.id), "active": True}
    assert (export["sort"], export["separator"]) == ("updated_at", "semicolon")
    assert export["file_name"].startswith("employees-20")
    assert export["file_url"] is None
    assert export["failure"] is None
    job = (
        await connection.execute(
            text(
                "select task_name, args, lock, queue_name from procrastinate_jobs "
                "where args->>'export_id' = :id"
            ),
            {"id": export["id"]},
        )
    ).one()
    assert job.task_name == "exports.run"
    assert job.args == {"export_id": export["id"], "region_id": str(region.id)}
    assert (job.lock, job.queue_name) == (f"export:{export['id']}", "exports")
    assert await world.audit_actions(export["id"]) == ["export.requested"]

    read = await client.get(f"{EXPORTS}/{export['id']}", headers=world.auth(admin))
    assert read.json() == export
    listed = await client.get(EXPORTS, headers=world.auth(admin))
    assert [item["id"] for item in listed.json()["items"]] == [export["id"]]
    not_yet = await client.get(f"{EXPORTS}/{export['id']}/file", headers=world.auth(admin))
    assert not_yet.status_code == 409
    assert not_yet.json()["type"].endswith("/export-not-ready")
    assert not_yet.json()["export_status"] == "queued"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"list": "nothing-here"}, "body.list"),
        ({"list": "Employees!"}, "body.list"),
        ({"filters": {"shoe_size": 42}}, "body.filters.shoe_size"),
        ({"filters": {"agency_id": "not-a-uuid"}}, "body.filters.agency_id"),
        ({"filters": {"q": ""}}, "body.filters.q"),
        ({"filters": {"q": "a\u0000"}}, "body.filters"),
        ({"sort": "salary"}, "body.sort"),
        ({"separator": "tab"}, "body.separator"),
    ],
)
async def test_what_the_list_would_refuse_is_refused_when_asking(
    client: httpx.AsyncClient, world: World, body: dict[str, Any], field: str
) -> None:
    region = await world.region()
    admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    response = await _ask(client, admin, **body)
    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]]


async def test_the_lists_own_refusals_come_when_asking(
    client: httpx.AsyncClient, world: World
) -> None:
    region, foreign = await world.region(), await world.region()
    employee = await world.employee(region, await world.agency(region))
    person = world.auth(await world.user(region, Role.EMPLOYEE, employee=employee))
    # assignments of others: the cycles' administrators only, as on the list itself
    refused = await _ask(client, person, list="evaluation-assignments")
    assert refused.status_code == 403
    # the JP report on another region's agency: not found, as on the report itself
    foreign_agency = await world.agency(foreign)
    trainer = world.auth(await world.user(region, Role.TRAINING_ADMIN))
    missing = await _ask(
        client, trainer, list="jp-compliance", filters={"agency_id": str(foreign_agency.id)}
    )
    assert missing.status_code == 404
    # a list the role may not read at all
    assert (await _ask(client, person, list="jp-compliance")).status_code == 403


async def test_service_accounts_need_exports_read_and_the_lists_scope(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    both = world.auth(await world.service_account(region, "exports:read", "org:read"))
    assert (await _ask(client, both)).status_code == 202
    without_exports = world.auth(await world.service_account(region, "org:read"))
    assert (await _ask(client, without_exports)).status_code == 403
    assert (await client.get(EXPORTS, headers=without_exports)).status_code == 403
    without_list = world.auth(await world.service_account(region, "exports:read"))
    assert (await _ask(client, without_list)).status_code == 403
    assert (await _ask(client, without_list, list="plans")).status_code == 403
    # a report for people only stays theirs
    with_everything = world.auth(
        await world.service_account(region, "exports:read", "org:read", "training:read")
    )
    assert (await _ask(client, with_everything, list="jp-compliance")).status_code == 403


async def test_superadmins_read_lists_as_csv_but_ask_for_no_export_job(
    client: httpx.AsyncClient, world: World
) -> None:
    superadmin = world.auth(await world.user(None, Role.SUPERADMIN))
    assert (await _ask(client, superadmin)).status_code == 403
    assert (await client.get(EXPORTS, headers=superadmin)).status_code == 403


async def test_an_export_is_read_by_whoever_asked_alone(
    client: httpx.AsyncClient, world: World
) -> None:
    region, foreign = await world.region(), await world.region()
    asker = world.auth(await world.user(region, Role.REGION_ADMIN))
    export = (await _ask(client, asker)).json()
    colleague = world.auth(await world.user(region, Role.REGION_ADMIN))
    outsider = world.auth(await world.user(foreign, Role.REGION_ADMIN))
    for other in (colleague, outsider):
        for path in (f"{EXPORTS}/{export['id']}", f"{EXPORTS}/{export['id']}/file"):
            response = await client.get(path, headers=other)
            assert response.status_code == 404, (path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
        assert (await client.get(EXPORTS, headers=other)).json()["items"] == []


async def test_an_idempotency_key_asks_once(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    headers = {**admin, "Idempotency-Key": "export-once"}
    first, again = await _ask(client, headers), await _ask(client, headers)
    assert (first.status_code, again.status_code) == (202, 202)
    assert first.json()["id"] == again.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    assert len((await client.get(EXPORTS, headers=admin)).json()["items"]) == 1


def test_every_list_answering_csv_can_be_exported_by_a_worker(app: FastAPI) -> None:
    """A list whose route declares `text/csv` is registered from a module the wiring names,
    so that a worker (which imports only those) finds it."""
    document = app.openapi()
    modules = set()
    for route in api_routes(app.routes):
        answer = document["paths"][route.path_format].get("get", {}).get("responses", {})
        if CSV_MEDIA_TYPE in answer.get("200", {}).get("content", {}):
            modules.add(route.endpoint.__module__)
    modules.discard("kinerja_api.exports.router")  # the export's own file
    assert modules == set(EXPORT_LIST_MODULES)
    assert len(exportable.names()) == len(modules)
