"""Service units (unit layanan), their public codes and staff codes."""

from typing import Any

import httpx

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
    assert codes != sorted(codes) or len({code[:6] for code in codes}) > 1


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
