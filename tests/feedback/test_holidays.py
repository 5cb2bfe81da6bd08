"""The regional holiday calendar that complaint deadlines skip."""

from datetime import UTC, date, datetime

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

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


async def test_officers_may_not_delete_holidays(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    holiday = await world.holiday(region, date(2026, 8, 17))
    officer = world.auth(await world.user(region, Role.COMPLAINT_OFFICER))
    assert (await client.delete(f"{URL}/{holiday.id}", headers=officer)).status_code == 403
    admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    listed = await client.get(URL, headers=admin)
    assert [h["id"] for h in listed.json()["items"]] == [str(holiday.id)]


async def test_creating_a_holiday_is_idempotent(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    region = await world.region()
    headers = {**world.auth(await world.user(region, Role.REGION_ADMIN)), "Idempotency-Key": "h-1"}
    body = {"date": "2026-08-17", "name": "Hari Kemerdekaan"}
    first = await client.post(URL, json=body, headers=headers)
    retry = await client.post(URL, json=body, headers=headers)
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    other = await client.post(URL, json={**body, "date": "2026-08-18"}, headers=headers)
    assert other.status_code == 422, other.text
    count = await connection.scalar(
        text("select count(*) from holidays where region_id = :id"), {"id": region.id}
    )
    assert count == 1


async def test_the_calendar_sorts_and_syncs(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    region = await world.region()
    first = await world.holiday(region, date(2026, 1, 1))
    later = await world.holiday(region, date(2026, 12, 25))
    await connection.execute(
        text("update holidays set updated_at = :at where id = :id"),
        {"at": datetime(2026, 1, 1, tzinfo=UTC), "id": later.id},
    )
    headers = world.auth(await world.user(region, Role.AUDITOR))
    by_date = await client.get(URL, headers=headers)
    assert [h["id"] for h in by_date.json()["items"]] == [str(first.id), str(later.id)]
    by_update = await client.get(URL, params={"sort": "updated_at"}, headers=headers)
    assert [h["id"] for h in by_update.json()["items"]] == [str(later.id), str(first.id)]
    synced = await client.get(
        URL, params={"updated_since": "2026-06-01T00:00:00Z"}, headers=headers
    )
    assert [h["id"] for h in synced.json()["items"]] == [str(first.id)]
    assert (await client.get(URL, params={"sort": "name"}, headers=headers)).status_code == 422
