"""The regional holiday calendar that complaint deadlines skip."""

from datetime import date

import httpx

from kinerja_api.models.org import Role
from tests.factories import World

URL = "/api/v1/holidays"


async def test_region_admins_keep_the_calendar(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    body = {"date": "2026-08-17", "name": "Hari Kemerdekaan"}
    created = await client.post(URL, json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert (await client.post(URL, json=body, headers=admin)).status_code == 409
    await client.post(URL, json={"date": "2027-01-01", "name": "Tahun Baru"}, headers=admin)
    officer = world.auth(await world.user(region, Role.COMPLAINT_OFFICER))
    listed = await client.get(URL, params={"year": 2026}, headers=officer)
    assert [(h["date"], h["name"]) for h in listed.json()["items"]] == [
        ("2026-08-17", "Hari Kemerdekaan")
    ]
    refused = await client.post(URL, json={"date": "2026-12-25", "name": "Natal"}, headers=officer)
    assert refused.status_code == 403
    holiday_id = created.json()["id"]
    assert (await client.delete(f"{URL}/{holiday_id}", headers=admin)).status_code == 204
    assert (await client.delete(f"{URL}/{holiday_id}", headers=admin)).status_code == 404
    assert await world.audit_actions(holiday_id) == ["holiday.created", "holiday.deleted"]


async def test_other_regions_holidays_are_invisible(
    client: httpx.AsyncClient, world: World
) -> None:
    home, foreign = await world.region(), await world.region()
    theirs = await world.holiday(foreign, date(2026, 5, 1))
    admin = world.auth(await world.user(home, Role.REGION_ADMIN))
    assert (await client.get(URL, headers=admin)).json()["items"] == []
    assert (await client.delete(f"{URL}/{theirs.id}", headers=admin)).status_code == 404
