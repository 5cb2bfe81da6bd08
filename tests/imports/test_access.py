"""Who may import and read imports: region administrators and `imports:write` service accounts
(their own imports only); every other role is refused, another region's import is 404; the
errors page by row in the caller's language."""

import httpx
import pytest
from fastapi import FastAPI

from kinerja_api.config import Settings
from kinerja_api.models.org import Role
from tests.factories import World
from tests.imports.helpers import (
    IMPORTS,
    a_region,
    employee_row,
    employees_csv,
    imported,
    run_job,
    upload,
)


@pytest.mark.parametrize("role", sorted(set(Role) - {Role.REGION_ADMIN}))
async def test_only_region_administrators_import(
    client: httpx.AsyncClient, world: World, role: Role
) -> None:
    home = await a_region(world)
    user = await world.user(None if role is Role.SUPERADMIN else home.region, role)
    response = await upload(client, world.auth(user), employees_csv([employee_row(home.agency)]))
    assert response.status_code == 403, response.text
    cancel = await client.post(f"{IMPORTS}/{home.region.id}/cancel", headers=world.auth(user))
    assert cancel.status_code == 403, cancel.text


@pytest.mark.parametrize("role", sorted(Role))
async def test_imports_are_read_by_administrators_auditors_and_superadmins_only(
    client: httpx.AsyncClient, world: World, role: Role
) -> None:
    home = await a_region(world)
    accepted = await upload(client, home.headers, employees_csv([employee_row(home.agency)]))
    user = await world.user(None if role is Role.SUPERADMIN else home.region, role)
    readers = {Role.SUPERADMIN, Role.REGION_ADMIN, Role.AUDITOR}
    for path in (IMPORTS, accepted.headers["Location"], accepted.headers["Location"] + "/errors"):
        response = await client.get(path, headers=world.auth(user))
        assert response.status_code == (200 if role in readers else 403), (path, response.text)


async def test_service_accounts_need_the_scope_and_see_only_their_own_imports(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home = await a_region(world)
    without = await world.service_account(home.region, "org:write", "org:read")
    body = employees_csv([employee_row(home.agency)])
    assert (await upload(client, world.auth(without), body)).status_code == 403
    assert (await client.get(IMPORTS, headers=world.auth(without))).status_code == 403

    account = await world.service_account(home.region, "imports:write")
    other = await world.service_account(home.region, "imports:write")
    mine = await imported(client, app, settings, world.auth(account), body)
    assert mine["created_by"] == {"kind": "service_account", "id": str(account.id)}
    by_admin = await imported(
        client, app, settings, home.headers, employees_csv([employee_row(home.agency)])
    )
    listed = await client.get(IMPORTS, headers=world.auth(account))
    assert [item["id"] for item in listed.json()["items"]] == [mine["id"]]
    admin_list = await client.get(IMPORTS, headers=home.headers)
    assert {item["id"] for item in admin_list.json()["items"]} == {by_admin["id"], mine["id"]}
    for path in (f"{IMPORTS}/{mine['id']}", f"{IMPORTS}/{mine['id']}/errors"):
        assert (await client.get(path, headers=world.auth(other))).status_code == 404
    cancel = await client.post(f"{IMPORTS}/{mine['id']}/cancel", headers=world.auth(other))
    assert cancel.status_code == 404


async def test_another_regions_import_is_404_on_every_route(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home, foreign = await a_region(world), await a_region(world)
    accepted = await upload(client, foreign.headers, employees_csv([employee_row(foreign.agency)]))
    assert accepted.status_code == 202
    theirs = accepted.json()["id"]
    auditor = await world.user(home.region, Role.AUDITOR)
    for headers in (home.headers, world.auth(auditor)):
        for path in (f"{IMPORTS}/{theirs}", f"{IMPORTS}/{theirs}/errors"):
            response = await client.get(path, headers=headers)
            assert response.status_code == 404, (path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
        listed = await client.get(IMPORTS, headers=headers)
        assert theirs not in [item["id"] for item in listed.json()["items"]]
    cancel = await client.post(f"{IMPORTS}/{theirs}/cancel", headers=home.headers)
    assert cancel.status_code == 404
    superadmin = await world.user(None, Role.SUPERADMIN)
    seen = await client.get(f"{IMPORTS}/{theirs}", headers=world.auth(superadmin))
    assert seen.status_code == 200
    await run_job(app, settings, accepted)


async def test_errors_page_by_row_in_the_callers_language(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home = await a_region(world)
    rows = [employee_row(home.agency, name="", position="") for _ in range(3)]
    result = await imported(client, app, settings, home.headers, employees_csv(rows))
    path = f"{IMPORTS}/{result['id']}/errors"
    seen: list[tuple[int, str]] = []
    cursor = None
    while True:
        params = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        page = await client.get(
            path, params=params, headers={**home.headers, "Accept-Language": "en"}
        )
        assert page.status_code == 200, page.text
        seen += [(e["row"], e["message"]) for e in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert [row for row, _ in seen] == [1, 1, 2, 2, 3, 3]
    assert ("The name cell is empty.") in {message for _, message in seen}
    indonesian = await client.get(path, headers=home.headers)
    assert "Kolom name wajib diisi." in {e["message"] for e in indonesian.json()["items"]}
    foreign_cursor = await client.get(
        f"{IMPORTS}",
        params={"cursor": page.json()["next_cursor"] or cursor or "x.y"},
        headers=home.headers,
    )
    assert foreign_cursor.status_code == 400
