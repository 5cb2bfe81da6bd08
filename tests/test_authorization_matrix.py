"""Role × endpoint: who may use each collection, and cross-region objects are always 404."""

import httpx
import pytest

from kinerja_api.models.org import Role
from tests.factories import World

ALL = set(Role)
PEOPLE_WITHOUT_SUPERADMIN = ALL - {Role.SUPERADMIN}

# Collection reads: roles that get 200 (the rest get 403).
LIST_ACCESS: dict[str, set[Role]] = {
    "/api/v1/regions": ALL,
    "/api/v1/agencies": ALL,
    "/api/v1/users": {Role.SUPERADMIN, Role.REGION_ADMIN, Role.AGENCY_ADMIN, Role.AUDITOR},
    "/api/v1/service-accounts": {Role.SUPERADMIN, Role.REGION_ADMIN},
    "/api/v1/audit-events": {Role.SUPERADMIN, Role.REGION_ADMIN, Role.AUDITOR},
    # Everyone signed in; each sees only the reports of employees they may read.
    "/api/v1/progress-reports": ALL,
}


async def _principal(world: World, role: Role) -> tuple[object, object]:
    region = await world.region()
    agency = await world.agency(region)
    employee = await world.employee(region, agency)
    if role is Role.SUPERADMIN:
        return region, await world.user(None, role)
    linked = employee if role is Role.EMPLOYEE else None
    return region, await world.user(region, role, employee=linked, agency=agency)


@pytest.mark.parametrize("path", sorted(LIST_ACCESS))
@pytest.mark.parametrize("role", sorted(Role))
async def test_collection_access_by_role(
    client: httpx.AsyncClient, world: World, path: str, role: Role
) -> None:
    _region, user = await _principal(world, role)
    response = await client.get(path, headers=world.auth(user))
    expected = 200 if role in LIST_ACCESS[path] else 403
    assert response.status_code == expected, (role, path, response.text)


async def test_another_regions_objects_are_404_on_every_object_route(
    client: httpx.AsyncClient, world: World
) -> None:
    home, foreign = await world.region(), await world.region()
    foreign_agency = await world.agency(foreign)
    foreign_employee = await world.employee(foreign, foreign_agency)
    foreign_user = await world.user(foreign, Role.EMPLOYEE, employee=foreign_employee)
    foreign_account = await world.service_account(foreign, "org:read")
    admin = await world.user(home, Role.REGION_ADMIN)
    headers = world.auth(admin)
    object_routes = [
        f"/api/v1/regions/{foreign.id}",
        f"/api/v1/agencies/{foreign_agency.id}",
        f"/api/v1/employees/{foreign_employee.id}",
        f"/api/v1/employees/{foreign_employee.id}/subordinates",
        f"/api/v1/users/{foreign_user.id}",
        f"/api/v1/service-accounts/{foreign_account.id}",
    ]
    for path in object_routes:
        response = await client.get(path, headers=headers)
        assert response.status_code == 404, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    # Writes: 404 as well, except where the role may never write (regions: superadmin only),
    # which is refused before any object is looked at and so reveals nothing either.
    for path in object_routes:
        if path.endswith("/subordinates"):
            continue
        patched = await client.patch(path, json={}, headers={**headers, "If-Match": '"1"'})
        expected = 403 if path.startswith("/api/v1/regions/") else 404
        assert patched.status_code == expected, (path, patched.text)


async def test_another_regions_progress_is_404(client: httpx.AsyncClient, world: World) -> None:
    from tests.progress.helpers import report_body, team

    home, foreign = await team(world), await team(world)
    created = await client.post(
        "/api/v1/progress-reports",
        json=report_body(foreign.indicator),
        headers=world.auth(foreign.staff_user),
    )
    report = f"/api/v1/progress-reports/{created.json()['id']}"
    plan = f"/api/v1/plans/{foreign.plan.id}"
    for user in (await world.user(home.region, Role.REGION_ADMIN), home.boss_user):
        headers = world.auth(user)
        for path in (report, f"{plan}/progress", f"{plan}/comments"):
            response = await client.get(path, headers=headers)
            assert response.status_code == 404, (path, response.text)
        writes = [
            await client.patch(report, json={"value": "1"}, headers={**headers, "If-Match": '"1"'}),
            await client.post(f"{report}/withdraw", headers={**headers, "If-Match": '"1"'}),
            await client.post(f"{report}/verify", json={"decision": "accept"}, headers=headers),
            await client.post(f"{plan}/comments", json={"body": "x"}, headers=headers),
            await client.post(
                "/api/v1/progress-reports", json=report_body(foreign.indicator), headers=headers
            ),
        ]
        assert [w.status_code for w in writes] == [404, 404, 404, 404, 422], writes[-1].text
