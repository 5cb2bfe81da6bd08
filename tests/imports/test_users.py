"""Importing users: roles the importer may grant and no other, their employee by NIP."""

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.config import Settings
from kinerja_api.models.org import Role, User
from tests.factories import World
from tests.imports.helpers import a_region, errors, imported

HEADER = "email;name;roles;nip;agency_code"


async def _users(world: World, region: object) -> dict[str, User]:
    await enter_all_regions(world.connection)
    rows = await world.connection.execute(
        select(User).where(User.region_id == region.id)  # type: ignore[attr-defined]
    )
    return {row.email.lower(): row for row in rows}


async def test_accounts_are_created_then_left_alone_and_cannot_sign_in_yet(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home = await a_region(world)
    staff = await world.employee(home.region, home.agency)
    lines = [
        HEADER,
        f"siti@bungo.go.id;Siti;employee;{staff.nip};",
        f"budi@bungo.go.id;Budi;agency_admin, complaint_officer;;{home.agency.code}",
    ]
    result = await imported(client, app, settings, home.headers, "\n".join(lines), kind="users")
    assert result["counts"]["created"] == 2, await errors(client, home.headers, result["id"])
    users = await _users(world, home.region)
    assert users["siti@bungo.go.id"].employee_id == staff.id
    assert users["siti@bungo.go.id"].roles == ["employee"]
    assert sorted(users["budi@bungo.go.id"].roles) == ["agency_admin", "complaint_officer"]
    assert users["budi@bungo.go.id"].agency_id == home.agency.id
    signed_in = await client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": "siti@bungo.go.id", "password": "x" * 12},
    )
    assert signed_in.status_code == 400

    lines[1] = f"SITI@bungo.go.id;Siti;employee;{staff.nip};"
    again = await imported(client, app, settings, home.headers, "\n".join(lines), kind="users")
    assert again["counts"] == {"read": 2, "created": 0, "updated": 0, "unchanged": 2, "failed": 0}


async def test_roles_beyond_the_importers_and_others_accounts_are_refused(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home, foreign = await a_region(world), await a_region(world)
    taken = await world.employee(home.region, home.agency)
    await world.user(home.region, Role.EMPLOYEE, employee=taken)
    outsider = await world.user(foreign.region, Role.EMPLOYEE)
    before = set(await _users(world, home.region))
    lines = [
        HEADER,
        "a@x.go.id;A;superadmin;;",
        "b@x.go.id;B;raja;;",
        "c@x.go.id;C;agency_admin;;",
        f"{outsider.email};D;employee;;",
        f"e@x.go.id;E;employee;{taken.nip};",
        f"{home.admin.email};F;employee;;",
        "g@x.go.id;G;employee;198503142010011999;",
        "not-an-email;H;employee;;",
    ]
    result = await imported(client, app, settings, home.headers, "\n".join(lines), kind="users")
    found = {
        (e["row"], e["field"], e["problem"])
        for e in await errors(client, home.headers, result["id"])
    }
    assert found == {
        (1, "roles", "not_allowed"),
        (2, "roles", "invalid"),
        (3, "agency_code", "missing"),
        (4, "email", "other_region"),
        (5, "nip", "conflict"),
        (6, "roles", "conflict"),
        (7, "nip", "not_found"),
        (8, "email", "invalid"),
    }
    assert set(await _users(world, home.region)) == before


async def test_a_service_account_grants_no_role_so_its_user_rows_are_refused(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home = await a_region(world)
    account = await world.service_account(home.region, "imports:write")
    recorded = await world.user(home.region, Role.EMPLOYEE)
    before = set(await _users(world, home.region))
    lines = [HEADER, "baru@x.go.id;Baru;employee;;", f"{recorded.email};Ganti Nama;employee;;"]
    result = await imported(
        client, app, settings, world.auth(account), "\n".join(lines), kind="users"
    )
    found = {
        (e["row"], e["field"], e["problem"])
        for e in await errors(client, world.auth(account), result["id"])
    }
    assert found == {
        (1, "roles", "not_allowed"),
        (2, "roles", "not_allowed"),
        (2, "email", "not_allowed"),
    }
    assert set(await _users(world, home.region)) == before
