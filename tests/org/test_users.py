import uuid
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.auth.passwords import verify_secret
from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.models.audit import AuditEvent
from kinerja_api.models.org import Role, User
from tests.factories import PASSWORD, World

USERS = "/api/v1/users"
NEW_PASSWORD = "kata-sandi-baru-yang-panjang"


def new_user(**overrides: Any) -> dict[str, Any]:
    return {
        "email": f"u{uuid.uuid4().hex[:10]}@bungokab.go.id",
        "full_name": "Siti Rahma",
        "password": NEW_PASSWORD,
        "roles": ["employee"],
        **overrides,
    }


def error_fields(response: httpx.Response) -> set[str]:
    assert response.status_code == 422, response.text
    return {e["field"] for e in response.json()["errors"]}


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": password},
    )


async def audit_changes(connection: AsyncConnection, entity_id: object) -> list[dict[str, Any]]:
    await enter_all_regions(connection)
    rows = await connection.execute(
        select(AuditEvent.changes)
        .where(AuditEvent.entity_id == str(entity_id))
        .order_by(AuditEvent.id)
    )
    return list(rows.scalars())


async def test_region_admin_creates_reads_and_updates_a_user(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    region = await world.region()
    agency = await world.agency(region)
    employee = await world.employee(region, agency)
    admin = await world.user(region, Role.REGION_ADMIN)
    headers = world.auth(admin)
    body = new_user(employee_id=str(employee.id), agency_id=str(agency.id))

    created = await client.post(USERS, json=body, headers=headers)
    assert created.status_code == 201, created.text
    user = created.json()
    assert created.headers["location"] == f"{USERS}/{user['id']}"
    assert created.headers["etag"] == f'"{user["version"]}"'
    assert user["region_id"] == str(region.id)
    assert user["roles"] == ["employee"]
    assert user["employee_id"] == str(employee.id)
    assert "password" not in user
    assert "password_hash" not in user
    stored = (await connection.execute(select(User).where(User.id == user["id"]))).one()
    assert verify_secret(NEW_PASSWORD, stored.password_hash)

    fetched = await client.get(f"{USERS}/{user['id']}", headers=headers)
    assert fetched.status_code == 200
    assert fetched.json() == user
    etag = fetched.headers["etag"]
    patch = await client.patch(
        f"{USERS}/{user['id']}",
        json={"full_name": "Siti Rahmawati", "roles": ["employee", "training_admin"]},
        headers={**headers, "If-Match": etag},
    )
    assert patch.status_code == 200, patch.text
    assert patch.json()["roles"] == ["employee", "training_admin"]
    assert patch.json()["version"] == user["version"] + 1
    assert patch.headers["etag"] == f'"{user["version"] + 1}"'

    assert await world.audit_actions(user["id"]) == ["user.created", "user.updated"]
    created_event, updated_event = await audit_changes(connection, user["id"])
    assert created_event["after"]["password"] == "[redacted]"
    assert created_event["after"]["email"] == body["email"]
    assert "password_hash" not in created_event["after"]
    assert updated_event["before"] == {"full_name": "Siti Rahma", "roles": ["employee"]}
    assert (await sign_in(client, body["email"], NEW_PASSWORD)).status_code == 200


async def test_update_needs_a_current_if_match(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    admin = await world.user(region, Role.REGION_ADMIN)
    target = await world.user(region, Role.EMPLOYEE)
    url = f"{USERS}/{target.id}"
    missing = await client.patch(url, json={"active": False}, headers=world.auth(admin))
    assert missing.status_code == 428
    stale = await client.patch(
        url, json={"active": False}, headers={**world.auth(admin), "If-Match": '"99"'}
    )
    assert stale.status_code == 412
    assert await world.audit_actions(target.id) == []


async def test_create_replays_with_the_same_idempotency_key(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    admin = await world.user(region, Role.REGION_ADMIN)
    headers = {**world.auth(admin), "Idempotency-Key": "user-1"}
    body = new_user()
    first = await client.post(USERS, json=body, headers=headers)
    again = await client.post(USERS, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    other = await client.post(USERS, json=new_user(), headers=headers)
    assert other.status_code == 422
    assert await world.audit_actions(first.json()["id"]) == ["user.created"]


async def test_email_is_unique_across_regions_ignoring_case(
    client: httpx.AsyncClient, world: World
) -> None:
    region, other = await world.region(), await world.region()
    await world.user(other, Role.EMPLOYEE, email="budi@surabaya.go.id")
    admin = await world.user(region, Role.REGION_ADMIN)
    response = await client.post(
        USERS, json=new_user(email="BUDI@surabaya.go.id"), headers=world.auth(admin)
    )
    assert response.status_code == 409, response.text
    assert response.json()["type"].endswith("/conflict")


async def test_an_employee_has_at_most_one_user(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    agency = await world.agency(region)
    employee = await world.employee(region, agency)
    await world.user(region, Role.EMPLOYEE, employee=employee)
    admin = await world.user(region, Role.REGION_ADMIN)
    response = await client.post(
        USERS, json=new_user(employee_id=str(employee.id)), headers=world.auth(admin)
    )
    assert response.status_code == 409, response.text


async def test_user_input_is_validated(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    admin = await world.user(region, Role.REGION_ADMIN)
    response = await client.post(
        USERS,
        json={
            "email": "not-an-email",
            "full_name": "",
            "password": "rahasia1",
            "roles": ["employee", "mayor"],
            "id": str(uuid.uuid4()),
        },
        headers=world.auth(admin),
    )
    assert error_fields(response) == {
        "body.email",
        "body.full_name",
        "body.password",
        "body.roles.1",
        "body.id",
    }
    assert "rahasia1" not in response.text
    no_roles = await client.post(USERS, json=new_user(roles=[]), headers=world.auth(admin))
    assert error_fields(no_roles) == {"body.roles"}
    target = await world.user(region, Role.EMPLOYEE)
    url = f"{USERS}/{target.id}"
    headers = {**world.auth(admin), "If-Match": '"1"'}
    patch = await client.patch(
        url, json={"email": "x@example.go.id", "password": NEW_PASSWORD}, headers=headers
    )
    assert error_fields(patch) == {"body.email", "body.password"}
    nulls = await client.patch(url, json={"full_name": None}, headers=headers)
    assert error_fields(nulls) == {"body"}


async def test_only_superadmins_choose_the_region(client: httpx.AsyncClient, world: World) -> None:
    region, other = await world.region(), await world.region()
    admin = await world.user(region, Role.REGION_ADMIN)
    for region_id in (str(other.id), str(region.id), None):
        response = await client.post(
            USERS, json=new_user(region_id=region_id), headers=world.auth(admin)
        )
        assert error_fields(response) == {"body.region_id"}

    superadmin = await world.user(None, Role.SUPERADMIN)
    headers = world.auth(superadmin)
    missing = await client.post(USERS, json=new_user(), headers=headers)
    assert error_fields(missing) == {"body.region_id"}
    unknown = await client.post(USERS, json=new_user(region_id=str(uuid.uuid4())), headers=headers)
    assert error_fields(unknown) == {"body.region_id"}
    placed = await client.post(USERS, json=new_user(region_id=str(other.id)), headers=headers)
    assert placed.status_code == 201, placed.text
    assert placed.json()["region_id"] == str(other.id)

    regional_superadmin = new_user(roles=["superadmin"], region_id=str(other.id))
    refused = await client.post(USERS, json=regional_superadmin, headers=headers)
    assert error_fields(refused) == {"body.region_id"}
    created = await client.post(USERS, json=new_user(roles=["superadmin"]), headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["region_id"] is None
    assert await world.audit_actions(created.json()["id"]) == ["user.created"]


async def test_superadmin_role_cannot_be_toggled_on_an_existing_user(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    superadmin = await world.user(None, Role.SUPERADMIN)
    target = await world.user(region, Role.EMPLOYEE)
    response = await client.patch(
        f"{USERS}/{target.id}",
        json={"roles": ["superadmin"]},
        headers={**world.auth(superadmin), "If-Match": '"1"'},
    )
    assert error_fields(response) == {"body.roles"}


async def test_nobody_grants_a_role_above_their_own(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    agency = await world.agency(region)
    region_admin = await world.user(region, Role.REGION_ADMIN)
    refused = await client.post(
        USERS, json=new_user(roles=["superadmin"]), headers=world.auth(region_admin)
    )
    assert refused.status_code == 403
    assert "superadmin" in refused.json()["detail"]

    agency_admin = await world.user(region, Role.AGENCY_ADMIN, agency=agency)
    body = new_user(roles=["employee", "region_admin"], agency_id=str(agency.id))
    refused = await client.post(USERS, json=body, headers=world.auth(agency_admin))
    assert refused.status_code == 403
    assert "region_admin" in refused.json()["detail"]

    target = await world.user(region, Role.EMPLOYEE, agency=agency)
    promote = await client.patch(
        f"{USERS}/{target.id}",
        json={"roles": ["auditor"]},
        headers={**world.auth(agency_admin), "If-Match": '"1"'},
    )
    assert promote.status_code == 403
    assert "auditor" in promote.json()["detail"]
    assert await world.audit_actions(target.id) == []


async def test_agency_admin_manages_users_only_inside_their_subtree(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    parent = await world.agency(region)
    child = await world.agency(region, parent)
    sibling = await world.agency(region)
    admin = await world.user(region, Role.AGENCY_ADMIN, agency=parent)
    headers = world.auth(admin)

    created = await client.post(USERS, json=new_user(agency_id=str(child.id)), headers=headers)
    assert created.status_code == 201, created.text
    outside = await client.post(USERS, json=new_user(agency_id=str(sibling.id)), headers=headers)
    assert error_fields(outside) == {"body.agency_id"}
    placeless = await client.post(USERS, json=new_user(), headers=headers)
    assert error_fields(placeless) == {"body.agency_id"}
    stranger_employee = await world.employee(region, sibling)
    linked = await client.post(
        USERS,
        json=new_user(agency_id=str(child.id), employee_id=str(stranger_employee.id)),
        headers=headers,
    )
    assert error_fields(linked) == {"body.employee_id"}

    sibling_user = await world.user(region, Role.EMPLOYEE, agency=sibling)
    listed = await client.get(USERS, headers=headers)
    assert {u["id"] for u in listed.json()["items"]} == {str(admin.id), created.json()["id"]}
    assert (await client.get(f"{USERS}/{sibling_user.id}", headers=headers)).status_code == 404
    moved = await client.patch(
        f"{USERS}/{sibling_user.id}",
        json={"agency_id": str(child.id)},
        headers={**headers, "If-Match": '"1"'},
    )
    assert moved.status_code == 404
    user_id = created.json()["id"]
    escape = await client.patch(
        f"{USERS}/{user_id}",
        json={"agency_id": str(sibling.id)},
        headers={**headers, "If-Match": '"1"'},
    )
    assert error_fields(escape) == {"body.agency_id"}
    cleared = await client.patch(
        f"{USERS}/{user_id}", json={"agency_id": None}, headers={**headers, "If-Match": '"1"'}
    )
    assert error_fields(cleared) == {"body.agency_id"}

    senior = await world.user(region, Role.REGION_ADMIN, agency=child)
    reset = await client.post(
        f"{USERS}/{senior.id}/password", json={"password": NEW_PASSWORD}, headers=headers
    )
    assert reset.status_code == 403
    assert "region_admin" in reset.json()["detail"]


async def test_agency_and_employee_must_be_in_the_users_region(
    client: httpx.AsyncClient, world: World
) -> None:
    region, other = await world.region(), await world.region()
    foreign_agency = await world.agency(other)
    foreign_employee = await world.employee(other, foreign_agency)
    admin = await world.user(region, Role.REGION_ADMIN)
    headers = world.auth(admin)
    response = await client.post(
        USERS,
        json=new_user(agency_id=str(foreign_agency.id), employee_id=str(foreign_employee.id)),
        headers=headers,
    )
    assert error_fields(response) == {"body.agency_id"}
    response = await client.post(
        USERS, json=new_user(employee_id=str(foreign_employee.id)), headers=headers
    )
    assert error_fields(response) == {"body.employee_id"}
    agency_admin = await client.post(USERS, json=new_user(roles=["agency_admin"]), headers=headers)
    assert error_fields(agency_admin) == {"body.agency_id"}
    officer = await client.post(USERS, json=new_user(roles=["complaint_officer"]), headers=headers)
    assert officer.status_code == 201, officer.text


async def test_nobody_changes_their_own_roles_or_deactivates_themselves(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    admin = await world.user(region, Role.REGION_ADMIN)
    url = f"{USERS}/{admin.id}"
    headers = {**world.auth(admin), "If-Match": '"1"'}
    roles = await client.patch(url, json={"roles": ["region_admin", "auditor"]}, headers=headers)
    assert roles.status_code == 403
    deactivate = await client.patch(url, json={"active": False}, headers=headers)
    assert deactivate.status_code == 403
    rename = await client.patch(
        url, json={"full_name": "Admin BKPSDM", "roles": ["region_admin"]}, headers=headers
    )
    assert rename.status_code == 200, rename.text
    assert await world.audit_actions(admin.id) == ["user.updated"]


async def test_deactivating_a_user_signs_them_out(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    admin = await world.user(region, Role.REGION_ADMIN)
    target = await world.user(region, Role.EMPLOYEE)
    session = (await sign_in(client, target.email, PASSWORD)).json()
    url = f"{USERS}/{target.id}"
    etag = (await client.get(url, headers=world.auth(admin))).headers["etag"]
    response = await client.patch(
        url, json={"active": False}, headers={**world.auth(admin), "If-Match": etag}
    )
    assert response.status_code == 200, response.text
    assert response.json()["active"] is False
    refresh = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]}
    )
    assert refresh.status_code == 400
    assert (await sign_in(client, target.email, PASSWORD)).status_code == 400


async def test_admin_sets_a_password(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    region = await world.region()
    admin = await world.user(region, Role.REGION_ADMIN)
    target = await world.user(region, Role.EMPLOYEE)
    session = (await sign_in(client, target.email, PASSWORD)).json()
    url = f"{USERS}/{target.id}/password"

    short = await client.post(url, json={"password": "pendek"}, headers=world.auth(admin))
    assert error_fields(short) == {"body.password"}
    response = await client.post(url, json={"password": NEW_PASSWORD}, headers=world.auth(admin))
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == f'"{response.json()["version"]}"'
    assert "password" not in response.json()
    assert "password_hash" not in response.json()

    assert (await sign_in(client, target.email, PASSWORD)).status_code == 400
    assert (await sign_in(client, target.email, NEW_PASSWORD)).status_code == 200
    refresh = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]}
    )
    assert refresh.status_code == 400
    assert await world.audit_actions(target.id) == ["user.password_set"]
    assert await audit_changes(connection, target.id) == [{"after": {"password": "[redacted]"}}]
    assert NEW_PASSWORD not in str(await audit_changes(connection, target.id))


async def test_users_list_filters_sorts_and_pages(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    agency = await world.agency(region)
    employee = await world.employee(region, agency)
    admin = await world.user(region, Role.REGION_ADMIN, email="admin@bungo.go.id")
    trainer = await world.user(region, Role.TRAINING_ADMIN, email="c_trainer@bungo.go.id")
    linked = await world.user(
        region, Role.EMPLOYEE, employee=employee, agency=agency, email="b.linked@bungo.go.id"
    )
    headers = world.auth(admin)

    async def ids(**params: Any) -> list[str]:
        response = await client.get(USERS, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [u["id"] for u in response.json()["items"]]

    assert await ids() == [str(admin.id), str(linked.id), str(trainer.id)]
    assert await ids(role="training_admin") == [str(trainer.id)]
    assert await ids(agency_id=str(agency.id)) == [str(linked.id)]
    assert await ids(employee_id=str(employee.id)) == [str(linked.id)]
    assert await ids(q="LINKED") == [str(linked.id)]
    assert await ids(q="n_") == []
    assert await ids(q="%") == []
    assert await ids(active=False) == []
    assert await ids(updated_since="2999-01-01T00:00:00Z") == []
    by_update = await ids(sort="updated_at")
    assert sorted(by_update) == sorted([str(admin.id), str(linked.id), str(trainer.id)])

    first = await client.get(USERS, params={"limit": 2}, headers=headers)
    assert first.status_code == 200, first.text
    cursor = first.json()["next_cursor"]
    assert cursor is not None
    second = await client.get(USERS, params={"limit": 2, "cursor": cursor}, headers=headers)
    assert [u["id"] for u in second.json()["items"]] == [str(trainer.id)]
    assert second.json()["next_cursor"] is None
    other_list = await client.get(
        USERS, params={"limit": 2, "cursor": cursor, "role": "employee"}, headers=headers
    )
    assert other_list.status_code == 400
    bad_sort = await client.get(USERS, params={"sort": "password"}, headers=headers)
    assert error_fields(bad_sort) == {"query.sort"}


async def test_roles_without_user_administration_are_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    target = await world.user(region, Role.EMPLOYEE)
    url = f"{USERS}/{target.id}"
    for role in (Role.EMPLOYEE, Role.TRAINING_ADMIN, Role.COMPLAINT_OFFICER):
        headers = world.auth(await world.user(region, role))
        assert (await client.get(USERS, headers=headers)).status_code == 403
        assert (await client.get(url, headers=headers)).status_code == 403
        assert (await client.post(USERS, json=new_user(), headers=headers)).status_code == 403
    account = await world.service_account(region, "org:read", "org:write", "audit:read")
    assert (await client.get(USERS, headers=world.auth(account))).status_code == 403

    auditor = world.auth(await world.user(region, Role.AUDITOR))
    assert (await client.get(USERS, headers=auditor)).status_code == 200
    assert (await client.get(url, headers=auditor)).status_code == 200
    assert (await client.post(USERS, json=new_user(), headers=auditor)).status_code == 403
    patch = await client.patch(url, json={"active": False}, headers={**auditor, "If-Match": '"1"'})
    assert patch.status_code == 403
    reset = await client.post(f"{url}/password", json={"password": NEW_PASSWORD}, headers=auditor)
    assert reset.status_code == 403
    assert (await client.get(USERS)).status_code == 401
    assert await world.audit_actions(target.id) == []


async def test_another_regions_users_do_not_exist(client: httpx.AsyncClient, world: World) -> None:
    region, other = await world.region(), await world.region()
    foreign = await world.user(other, Role.EMPLOYEE)
    for role in (Role.REGION_ADMIN, Role.AUDITOR):
        headers = world.auth(await world.user(region, role))
        listed = await client.get(USERS, headers=headers)
        assert str(foreign.id) not in {u["id"] for u in listed.json()["items"]}
        assert (await client.get(f"{USERS}/{foreign.id}", headers=headers)).status_code == 404
    headers = world.auth(await world.user(region, Role.REGION_ADMIN))
    patch = await client.patch(
        f"{USERS}/{foreign.id}", json={"full_name": "X"}, headers={**headers, "If-Match": '"1"'}
    )
    assert patch.status_code == 404
    reset = await client.post(
        f"{USERS}/{foreign.id}/password", json={"password": NEW_PASSWORD}, headers=headers
    )
    assert reset.status_code == 404

    superadmin = world.auth(await world.user(None, Role.SUPERADMIN))
    assert (await client.get(f"{USERS}/{foreign.id}", headers=superadmin)).status_code == 200
    assert await world.audit_actions(foreign.id) == []
