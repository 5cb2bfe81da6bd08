from datetime import UTC, datetime, timedelta

import httpx
import pytest

from kinerja_api.models.org import Role
from kinerja_api.plans.periods.service import quarters
from tests.factories import World

URL = "/api/v1/periods"


def test_quarters_start_at_local_midnight_in_wib() -> None:
    parts = quarters(2026, "Asia/Jakarta")
    assert [q.name for q in parts] == ["I", "II", "III", "IV"]
    assert [q.starts_at.isoformat() for q in parts] == [
        "2026-01-01T00:00:00+07:00",
        "2026-04-01T00:00:00+07:00",
        "2026-07-01T00:00:00+07:00",
        "2026-10-01T00:00:00+07:00",
    ]
    assert parts[-1].ends_at.isoformat() == "2027-01-01T00:00:00+07:00"
    assert parts[0].starts_at.utcoffset() == timedelta(hours=7)


def test_quarters_start_at_local_midnight_in_wita() -> None:
    parts = quarters(2026, "Asia/Makassar")
    assert parts[1].starts_at.isoformat() == "2026-04-01T00:00:00+08:00"
    assert parts[0].ends_at == parts[1].starts_at


@pytest.mark.parametrize(
    ("timezone", "utc_hour"),
    [("Asia/Jakarta", 17), ("Asia/Makassar", 16)],
)
def test_quarter_boundaries_are_the_exact_utc_instants_of_local_midnight(
    timezone: str, utc_hour: int
) -> None:
    """In UTC each quarter starts on the previous evening: 17:00 for WIB, 16:00 for WITA."""
    parts = quarters(2026, timezone)
    boundaries = [q.starts_at for q in parts] + [parts[-1].ends_at]
    evenings = ["2025-12-31", "2026-03-31", "2026-06-30", "2026-09-30", "2026-12-31"]
    assert [b.astimezone(UTC) for b in boundaries] == [
        datetime.fromisoformat(f"{day}T{utc_hour}:00:00+00:00") for day in evenings
    ]
    assert [q.ends_at for q in parts[:-1]] == [q.starts_at for q in parts[1:]]


async def test_region_admin_creates_lists_closes_and_reopens_a_period(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region(timezone="Asia/Makassar")
    admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    created = await client.post(URL, json={"year": 2027}, headers=admin)
    assert created.status_code == 201, created.text
    period = created.json()
    assert created.headers["location"] == f"{URL}/{period['id']}"
    assert period["status"] == "open"
    assert period["timezone"] == "Asia/Makassar"
    assert period["starts_at"] == "2027-01-01T00:00:00+08:00"
    assert period["ends_at"] == "2028-01-01T00:00:00+08:00"
    assert [q["starts_at"] for q in period["quarters"]][2] == "2027-07-01T00:00:00+08:00"

    duplicate = await client.post(URL, json={"year": 2027}, headers=admin)
    assert duplicate.status_code == 409, duplicate.text

    employee = await world.employee(region, await world.agency(region))
    reader = world.auth(await world.user(region, Role.EMPLOYEE, employee=employee))
    listed = await client.get(URL, headers=reader)
    assert [p["id"] for p in listed.json()["items"]] == [period["id"]]
    assert (await client.post(URL, json={"year": 2028}, headers=reader)).status_code == 403

    path = f"{URL}/{period['id']}/close"
    assert (await client.post(path, headers=admin)).status_code == 428
    assert (await client.post(path, headers={**admin, "If-Match": '"9"'})).status_code == 412
    closed = await client.post(path, headers={**admin, "If-Match": created.headers["etag"]})
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    again = await client.post(path, headers={**admin, "If-Match": closed.headers["etag"]})
    assert again.status_code == 409
    assert again.json()["current_status"] == "closed"
    reopened = await client.post(
        f"{URL}/{period['id']}/reopen", headers={**admin, "If-Match": closed.headers["etag"]}
    )
    assert reopened.json()["status"] == "open"
    assert await world.audit_actions(period["id"]) == [
        "period.created",
        "period.closed",
        "period.reopened",
    ]


async def test_another_regions_period_is_404(client: httpx.AsyncClient, world: World) -> None:
    home, foreign = await world.region(), await world.region()
    period = await world.period(foreign)
    admin = world.auth(await world.user(home, Role.REGION_ADMIN))
    assert (await client.get(f"{URL}/{period.id}", headers=admin)).status_code == 404
    closing = await client.post(f"{URL}/{period.id}/close", headers={**admin, "If-Match": '"1"'})
    assert closing.status_code == 404


async def test_invalid_year_is_422(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    response = await client.post(URL, json={"year": 1999}, headers=admin)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.year"


@pytest.mark.parametrize(
    "role", [Role.AGENCY_ADMIN, Role.AUDITOR, Role.EMPLOYEE, Role.TRAINING_ADMIN, Role.SUPERADMIN]
)
async def test_only_region_admins_open_and_close_periods(
    client: httpx.AsyncClient, world: World, role: Role
) -> None:
    region = await world.region()
    period = await world.period(region)
    user = await world.user(None if role is Role.SUPERADMIN else region, role)
    headers = {**world.auth(user), "If-Match": '"1"'}
    assert (await client.post(URL, json={"year": 2030}, headers=headers)).status_code == 403
    closing = await client.post(f"{URL}/{period.id}/close", headers=headers)
    assert closing.status_code == 403
    assert (await client.get(f"{URL}/{period.id}", headers=headers)).status_code == 200
