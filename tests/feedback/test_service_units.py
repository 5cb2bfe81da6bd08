"""Service units (unit layanan), their public codes and staff codes."""

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.feedback.codes import ALPHABET, UNIT_CODE_LENGTH
from kinerja_api.models.org import Role
from tests.factories import World

URL = "/api/v1/service-units"


async def test_region_admin_opens_updates_and_staffs_a_unit(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    agency = await world.agency(region)
    employee = await world.employee(region, agency, name="Budi Santoso")
    headers = world.auth(await world.user(region, Role.REGION_ADMIN))
    created = await client.post(
        URL, json={"agency_id": str(agency.id), "name": "Loket Kependudukan"}, headers=headers
    )
    assert created.status_code == 201, created.text
    unit = created.json()
    assert len(unit["code"]) == UNIT_CODE_LENGTH
    assert set(unit["code"]) <= set(ALPHABET)
    assert created.headers["location"] == f"{URL}/{unit['id']}"
    patched = await client.patch(
        f"{URL}/{unit['id']}",
        json={"address": "Jl. Merdeka 1"},
        headers={**headers, "If-Match": created.headers["etag"]},
    )
    assert patched.status_code == 200, patched.text
    assert (patched.json()["address"], patched.json()["code"]) == ("Jl. Merdeka 1", unit["code"])

    staff = await client.post(
        f"{URL}/{unit['id']}/staff",
        json={"employee_id": str(employee.id), "label": "Petugas Loket 1"},
        headers=headers,
    )
    assert staff.status_code == 201, staff.text
    twice = await client.post(
        f"{URL}/{unit['id']}/staff",
        json={"employee_id": str(employee.id), "label": "Lagi"},
        headers=headers,
    )
    assert twice.status_code == 409
    listed = await client.get(f"{URL}/{unit['id']}/staff", headers=headers)
    assert [s["code"] for s in listed.json()["items"]] == [staff.json()["code"]]

    public = await client.get(f"/api/v1/public/service-units/{unit['code'].lower()}")
    assert public.status_code == 200, public.text
    assert public.json() == {
        "code": unit["code"],
        "name": "Loket Kependudukan",
        "agency_name": agency.name,
        "address": "Jl. Merdeka 1",
        "staff": [{"code": staff.json()["code"], "label": "Petugas Loket 1"}],
    }
    assert employee.nip not in public.text
    assert "Budi" not in public.text

    removed = await client.delete(f"{URL}/{unit['id']}/staff/{staff.json()['id']}", headers=headers)
    assert removed.status_code == 204
    public = await client.get(f"/api/v1/public/service-units/{unit['code']}")
    assert public.json()["staff"] == []
    assert await world.audit_actions(staff.json()["id"]) == [
        "service_unit_staff.created",
        "service_unit_staff.deactivated",
    ]


async def test_codes_are_random_not_sequential(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    agency = await world.agency(region)
    headers = world.auth(await world.user(region, Role.REGION_ADMIN))
    codes = []
    for number in range(5):
        created = await client.post(
            URL, json={"agency_id": str(agency.id), "name": f"Loket {number}"}, headers=headers
        )
        codes.append(created.json()["code"])
    assert len(set(codes)) == 5
    # A counter or a timestamp would share a prefix; 20 random bits almost never do.
    assert len({code[:4] for code in codes}) >= 4


async def test_agency_admins_work_inside_their_subtree(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    agency, sibling = await world.agency(region), await world.agency(region)
    theirs = await world.service_unit(sibling)
    headers = world.auth(await world.user(region, Role.AGENCY_ADMIN, agency=agency))
    outside = await client.post(
        URL, json={"agency_id": str(sibling.id), "name": "Loket"}, headers=headers
    )
    assert outside.status_code == 422
    assert outside.json()["errors"][0]["field"] == "body.agency_id"
    assert (await client.get(f"{URL}/{theirs.id}", headers=headers)).status_code == 404
    auditor = world.auth(await world.user(region, Role.AUDITOR))
    seen = await client.get(f"{URL}/{theirs.id}", headers=auditor)
    assert seen.status_code == 200
    refused = await client.patch(
        f"{URL}/{theirs.id}", json={"name": "X"}, headers={**auditor, "If-Match": '"1"'}
    )
    assert refused.status_code == 403


async def test_other_regions_units_are_404_and_inactive_codes_are_not_public(
    client: httpx.AsyncClient, world: World
) -> None:
    home, foreign = await world.region(), await world.region()
    foreign_unit: Any = await world.service_unit(await world.agency(foreign))
    closed = await world.service_unit(await world.agency(home), active=False)
    headers = world.auth(await world.user(home, Role.REGION_ADMIN))
    assert (await client.get(f"{URL}/{foreign_unit.id}", headers=headers)).status_code == 404
    patched = await client.patch(
        f"{URL}/{foreign_unit.id}", json={"name": "X"}, headers={**headers, "If-Match": '"1"'}
    )
    assert patched.status_code == 404
    assert (await client.get(f"{URL}/{foreign_unit.id}/staff", headers=headers)).status_code == 404
    assert (await client.get(f"/api/v1/public/service-units/{closed.code}")).status_code == 404
    assert (await client.get("/api/v1/public/service-units/ZZZZZZZZ")).status_code == 404


@pytest.mark.parametrize("role", [Role.COMPLAINT_OFFICER, Role.AUDITOR, Role.EMPLOYEE])
async def test_only_administrators_open_units_and_manage_staff(
    client: httpx.AsyncClient, world: World, role: Role
) -> None:
    region = await world.region()
    agency = await world.agency(region)
    employee = await world.employee(region, agency)
    unit = await world.service_unit(agency)
    staff = await world.staff(unit, await world.employee(region, agency))
    caller = world.auth(await world.user(region, role, agency=agency, employee=employee))
    attempts = [
        client.post(URL, json={"agency_id": str(agency.id), "name": "Loket"}, headers=caller),
        client.post(
            f"{URL}/{unit.id}/staff",
            json={"employee_id": str(employee.id), "label": "Loket 3"},
            headers=caller,
        ),
        client.delete(f"{URL}/{unit.id}/staff/{staff.id}", headers=caller),
    ]
    for attempt in attempts:
        response = await attempt
        assert response.status_code == 403, response.text
    assert await world.audit_actions(staff.id) == []


async def test_patch_without_if_match_is_428(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    unit = await world.service_unit(await world.agency(region))
    headers = world.auth(await world.user(region, Role.REGION_ADMIN))
    response = await client.patch(f"{URL}/{unit.id}", json={"name": "Baru"}, headers=headers)
    assert response.status_code == 428, response.text
    assert response.headers["content-type"] == "application/problem+json"
    unchanged = await client.get(f"{URL}/{unit.id}", headers=headers)
    assert unchanged.json()["name"] == unit.name


async def test_creating_units_and_staff_is_idempotent(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    region = await world.region()
    agency = await world.agency(region)
    employee = await world.employee(region, agency)
    admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    key = {**admin, "Idempotency-Key": "unit-1"}
    body = {"agency_id": str(agency.id), "name": "Loket Perizinan"}
    first = await client.post(URL, json=body, headers=key)
    retry = await client.post(URL, json=body, headers=key)
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    other = await client.post(URL, json={**body, "name": "Loket Lain"}, headers=key)
    assert other.status_code == 422, other.text
    units = await connection.scalar(
        text("select count(*) from service_units where agency_id = :id"), {"id": agency.id}
    )
    assert units == 1

    staff_url = f"{URL}/{first.json()['id']}/staff"
    staff_key = {**admin, "Idempotency-Key": "staff-1"}
    staff_body = {"employee_id": str(employee.id), "label": "Petugas Loket 1"}
    added = await client.post(staff_url, json=staff_body, headers=staff_key)
    again = await client.post(staff_url, json=staff_body, headers=staff_key)
    assert (added.status_code, again.status_code) == (201, 201)
    assert again.json() == added.json()
    changed = await client.post(
        staff_url, json={**staff_body, "label": "Petugas Loket 2"}, headers=staff_key
    )
    assert changed.status_code == 422, changed.text


async def test_the_unit_list_sorts_and_syncs(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    region = await world.region()
    agency = await world.agency(region)
    alpha = await world.service_unit(agency, name="Alpha")
    beta = await world.service_unit(agency, name="Beta")
    await connection.execute(
        text("update service_units set updated_at = :at where id = :id"),
        {"at": datetime(2026, 1, 1, tzinfo=UTC), "id": beta.id},
    )
    headers = world.auth(await world.user(region, Role.REGION_ADMIN))
    by_name = await client.get(URL, headers=headers)
    assert [u["id"] for u in by_name.json()["items"]] == [str(alpha.id), str(beta.id)]
    by_update = await client.get(URL, params={"sort": "updated_at"}, headers=headers)
    assert [u["id"] for u in by_update.json()["items"]] == [str(beta.id), str(alpha.id)]
    synced = await client.get(
        URL, params={"updated_since": "2026-06-01T00:00:00Z"}, headers=headers
    )
    assert [u["id"] for u in synced.json()["items"]] == [str(alpha.id)]
    assert (await client.get(URL, params={"sort": "code"}, headers=headers)).status_code == 422


async def test_superadmins_read_every_regions_units_but_change_none(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    unit = await world.service_unit(await world.agency(region))
    superadmin = world.auth(await world.user(None, Role.SUPERADMIN))
    seen = await client.get(f"{URL}/{unit.id}", headers=superadmin)
    assert seen.status_code == 200, seen.text
    refused = await client.patch(
        f"{URL}/{unit.id}",
        json={"name": "X"},
        headers={**superadmin, "If-Match": seen.headers["etag"]},
    )
    assert refused.status_code == 403
