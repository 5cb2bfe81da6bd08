"""The BerAKHLAK instrument: the regulation's seven core values and statements for everyone,
extended (never shrunk) by each region for itself."""

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.auth.tenancy import enter_region
from kinerja_api.models.org import Role
from tests.factories import World

INSTRUMENT = "/api/v1/evaluation-instrument"
STATEMENTS = "/api/v1/evaluation-statements"
VALUES = [
    "berorientasi_pelayanan",
    "akuntabel",
    "kompeten",
    "harmonis",
    "loyal",
    "adaptif",
    "kolaboratif",
]
NEW = {
    "value": "berorientasi_pelayanan",
    "text_id": "Menanggapi pengaduan warga paling lambat satu hari kerja",
    "text_en": "Answers citizens' complaints within one working day",
}


async def test_everyone_reads_the_seven_values_with_the_regulations_statements(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    employee = world.auth(await world.user(region, Role.EMPLOYEE))
    body = (await client.get(INSTRUMENT, headers=employee)).json()
    assert (body["scale_min"], body["scale_max"]) == (1, 5)
    assert [v["value"] for v in body["values"]] == VALUES
    first = body["values"][0]
    assert (first["label_id"], first["label_en"]) == ("Berorientasi Pelayanan", "Service oriented")
    assert first["statements"][0]["text_id"] == ("Memahami dan memenuhi kebutuhan masyarakat")
    assert all(len(v["statements"]) == 3 for v in body["values"])
    assert all(s["region_id"] is None for v in body["values"] for s in v["statements"])


async def test_a_region_extends_its_own_instrument_only(
    client: httpx.AsyncClient, world: World
) -> None:
    home, other = await world.region(), await world.region()
    admin = world.auth(await world.user(home, Role.REGION_ADMIN))
    created = await client.post(STATEMENTS, json=NEW, headers=admin)
    assert created.status_code == 201, created.text
    assert (created.json()["region_id"], created.json()["position"]) == (str(home.id), 4)
    mine = (await client.get(INSTRUMENT, headers=admin)).json()["values"][0]["statements"]
    assert [s["text_id"] for s in mine][-1] == NEW["text_id"]
    theirs = world.auth(await world.user(other, Role.REGION_ADMIN))
    seen = (await client.get(INSTRUMENT, headers=theirs)).json()["values"][0]["statements"]
    assert NEW["text_id"] not in [s["text_id"] for s in seen]
    statement_id = created.json()["id"]
    foreign = await client.patch(
        f"{STATEMENTS}/{statement_id}",
        json={"text_en": "x" * 10},
        headers={**theirs, "If-Match": created.headers["ETag"]},
    )
    assert foreign.status_code == 404
    assert await world.audit_actions(statement_id) == ["evaluation_statement.created"]


async def test_a_regions_statement_is_reworded_with_if_match(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    created = await client.post(STATEMENTS, json=NEW, headers=admin)
    url = f"{STATEMENTS}/{created.json()['id']}"
    change = {"text_en": "Answers complaints the same day"}
    assert (await client.patch(url, json=change, headers=admin)).status_code == 428
    stale = await client.patch(url, json=change, headers={**admin, "If-Match": '"9"'})
    assert stale.status_code == 412
    updated = await client.patch(
        url, json=change, headers={**admin, "If-Match": created.headers["ETag"]}
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["text_en"] == change["text_en"]
    assert updated.headers["ETag"] != created.headers["ETag"]


async def test_the_regulations_statements_cannot_be_changed(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    body = (await client.get(INSTRUMENT, headers=admin)).json()
    regulation = body["values"][0]["statements"][0]
    refused = await client.patch(
        f"{STATEMENTS}/{regulation['id']}",
        json={"text_en": "Something else"},
        headers={**admin, "If-Match": '"1"'},
    )
    assert refused.status_code == 404


async def test_the_application_role_can_neither_delete_nor_take_over_statements(
    connection: AsyncConnection, world: World
) -> None:
    region = await world.region()
    await enter_region(connection, region.id)
    with pytest.raises(DBAPIError, match="permission denied"):
        async with connection.begin_nested():
            await connection.execute(text("delete from evaluation_statements"))
    with pytest.raises(DBAPIError, match="row-level security"):
        async with connection.begin_nested():
            await connection.execute(
                text("update evaluation_statements set text_en = 'x' where region_id is null")
            )


async def test_writes_are_for_region_admins_and_input_is_validated(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    for role in (Role.EMPLOYEE, Role.AGENCY_ADMIN, Role.AUDITOR, Role.TRAINING_ADMIN):
        headers = world.auth(await world.user(region, role))
        assert (await client.post(STATEMENTS, json=NEW, headers=headers)).status_code == 403
    admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    for bad in ({**NEW, "value": "jujur"}, {**NEW, "text_id": ""}, {**NEW, "text_en": "a\x00b"}):
        assert (await client.post(STATEMENTS, json=bad, headers=admin)).status_code == 422


async def test_integrations_read_it_with_the_evaluations_scope(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    reader = world.auth(await world.service_account(region, "evaluations:read"))
    assert (await client.get(INSTRUMENT, headers=reader)).status_code == 200
    other = world.auth(await world.service_account(region, "plans:read"))
    assert (await client.get(INSTRUMENT, headers=other)).status_code == 403
