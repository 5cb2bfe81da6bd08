"""The SKP in e-Kinerja BKN's shape: the example file round-trips (an agency built as the file
describes exports as the file reads), the subtree and the caller's reading rights bound it,
and every role and scope refusal."""

from typing import Any

import httpx

from kinerja_api.models.org import Role
from tests.exchange.helpers import Example, example, health_office
from tests.factories import World

URL = "/api/v1/exchange/e-kinerja/skp"


def _query(ex: Example, agency: Any) -> dict[str, str]:
    return {"agency_id": str(agency.id), "period_id": str(ex.period.id)}


async def test_the_example_file_is_what_the_agency_exports(
    client: httpx.AsyncClient, world: World
) -> None:
    ex = await health_office(world)
    admin = await world.user(ex.region, Role.REGION_ADMIN)
    response = await client.get(URL, params=_query(ex, ex.office), headers=world.auth(admin))
    assert response.status_code == 200, response.text
    import json

    print("DOC" + json.dumps(ex.spelled_as_example(response.json()), ensure_ascii=False, indent=2))
    assert ex.spelled_as_example(response.json()) == example("e-kinerja-skp.json")


async def test_a_subtree_exports_its_own_and_an_agency_administrator_only_theirs(
    client: httpx.AsyncClient, world: World
) -> None:
    ex = await health_office(world)
    centre_admin = await world.user(ex.region, Role.AGENCY_ADMIN, agency=ex.centre)
    office_admin = await world.user(ex.region, Role.AGENCY_ADMIN, agency=ex.office)

    def nips(response: httpx.Response) -> list[str]:
        assert response.status_code == 200, response.text
        return [skp["pegawai"]["nip"] for skp in response.json()["skp"]]

    centre = await client.get(URL, params=_query(ex, ex.centre), headers=world.auth(centre_admin))
    assert nips(centre) == [ex.staff.nip]
    assert centre.json()["unit_kerja"]["nama"] == "Puskesmas Muara Bungo"
    office = await client.get(URL, params=_query(ex, ex.office), headers=world.auth(office_admin))
    assert nips(office) == sorted([ex.head.nip, ex.staff.nip])
    # the office lies above the centre administrator's subtree: not theirs to see
    above = await client.get(URL, params=_query(ex, ex.office), headers=world.auth(centre_admin))
    assert above.status_code == 404
    empty = await client.get(
        URL,
        params=_query(ex, ex.other_agency),
        headers=world.auth(await world.user(ex.region, Role.AUDITOR)),
    )
    assert nips(empty) == []


async def test_refusals_and_another_regions_404(client: httpx.AsyncClient, world: World) -> None:
    ex = await health_office(world)
    query = _query(ex, ex.office)
    employee = await world.user(ex.region, Role.EMPLOYEE, employee=ex.staff)
    for refused in (
        employee,
        await world.user(ex.region, Role.TRAINING_ADMIN),
        await world.service_account(ex.region, "plans:read"),
        await world.service_account(ex.region, "exchange:read"),
    ):
        response = await client.get(URL, params=query, headers=world.auth(refused))
        assert response.status_code == 403, response.text
    assert (await client.get(URL, params=query)).status_code == 401
    integration = await world.service_account(ex.region, "plans:read", "exchange:read")
    allowed = await client.get(URL, params=query, headers=world.auth(integration))
    assert allowed.status_code == 200
    assert len(allowed.json()["skp"]) == 2

    elsewhere = await world.region()
    foreign = await world.user(elsewhere, Role.REGION_ADMIN)
    assert (await client.get(URL, params=query, headers=world.auth(foreign))).status_code == 404
    # a period of another region is not this agency's
    foreign_period = await world.period(elsewhere)
    mixed = {"agency_id": str(ex.office.id), "period_id": str(foreign_period.id)}
    admin = await world.user(ex.region, Role.REGION_ADMIN)
    assert (await client.get(URL, params=mixed, headers=world.auth(admin))).status_code == 404
    bad = await client.get(URL, params={"agency_id": "x"}, headers=world.auth(admin))
    assert bad.status_code == 422
