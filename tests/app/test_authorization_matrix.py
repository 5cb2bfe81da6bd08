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
    "/api/v1/periods": ALL,
    "/api/v1/plans": ALL,
    "/api/v1/service-units": {
        Role.SUPERADMIN,
        Role.REGION_ADMIN,
        Role.AGENCY_ADMIN,
        Role.COMPLAINT_OFFICER,
        Role.AUDITOR,
    },
    "/api/v1/feedback": {
        Role.SUPERADMIN,
        Role.REGION_ADMIN,
        Role.AGENCY_ADMIN,
        Role.COMPLAINT_OFFICER,
        Role.AUDITOR,
    },
    "/api/v1/holidays": {
        Role.SUPERADMIN,
        Role.REGION_ADMIN,
        Role.AGENCY_ADMIN,
        Role.COMPLAINT_OFFICER,
        Role.AUDITOR,
    },
    "/api/v1/complaints": {
        Role.SUPERADMIN,
        Role.REGION_ADMIN,
        Role.AGENCY_ADMIN,
        Role.COMPLAINT_OFFICER,
        Role.AUDITOR,
        Role.EMPLOYEE,
    },
    # Everyone signed in; each sees only the reports of employees they may read.
    "/api/v1/progress-reports": ALL,
    # Administrators of 360° cycles and those who audit them; employees list only their own
    # assignments (`?mine=true`).
    "/api/v1/evaluation-cycles": {
        Role.SUPERADMIN,
        Role.REGION_ADMIN,
        Role.AGENCY_ADMIN,
        Role.AUDITOR,
    },
    "/api/v1/evaluation-assignments": {
        Role.SUPERADMIN,
        Role.REGION_ADMIN,
        Role.AGENCY_ADMIN,
        Role.AUDITOR,
    },
    "/api/v1/agency-ratings": {
        Role.SUPERADMIN,
        Role.REGION_ADMIN,
        Role.AGENCY_ADMIN,
        Role.AUDITOR,
    },
    # Readers of evaluations; employees see their own, their reports' and those they rate.
    "/api/v1/evaluation-ratings": {
        Role.SUPERADMIN,
        Role.REGION_ADMIN,
        Role.AGENCY_ADMIN,
        Role.AUDITOR,
        Role.EMPLOYEE,
    },
    "/api/v1/evaluation-objections": {
        Role.SUPERADMIN,
        Role.REGION_ADMIN,
        Role.AGENCY_ADMIN,
        Role.AUDITOR,
        Role.EMPLOYEE,
    },
    "/api/v1/development-plans": {
        Role.SUPERADMIN,
        Role.REGION_ADMIN,
        Role.AGENCY_ADMIN,
        Role.AUDITOR,
        Role.EMPLOYEE,
    },
    # The training catalog and its sessions are read by everyone of the region; enrollments
    # by everyone, each seeing their own, their reports' or (organisers) the region's; so are
    # certificates.
    "/api/v1/training-programs": ALL,
    "/api/v1/training-sessions": ALL,
    "/api/v1/training-enrollments": ALL,
    "/api/v1/training-certificates": ALL,
    # Everyone of a region may export what they may read; superadmins belong to no region.
    "/api/v1/exports": PEOPLE_WITHOUT_SUPERADMIN,
    # A region's integrations: its administrators; superadmins read them.
    "/api/v1/webhook-subscriptions": {Role.SUPERADMIN, Role.REGION_ADMIN},
    # Imports are run by region administrators; superadmins and auditors read them.
    "/api/v1/imports": {Role.SUPERADMIN, Role.REGION_ADMIN, Role.AUDITOR},
}
# Report reads: roles that get 200 (the rest get 403). Superadmins name the agency reported on.
REPORT_ACCESS: dict[str, set[Role]] = {
    "/api/v1/reports/ikm?date_from=2026-01-01&date_to=2026-12-31": {
        Role.SUPERADMIN,
        Role.REGION_ADMIN,
        Role.AGENCY_ADMIN,
        Role.COMPLAINT_OFFICER,
        Role.AUDITOR,
    },
    "/api/v1/reports/jp-compliance?year=2026": {
        Role.SUPERADMIN,
        Role.REGION_ADMIN,
        Role.TRAINING_ADMIN,
        Role.AGENCY_ADMIN,
        Role.AUDITOR,
    },
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


@pytest.mark.parametrize("path", sorted(REPORT_ACCESS))
@pytest.mark.parametrize("role", sorted(Role))
async def test_report_access_by_role(
    client: httpx.AsyncClient, world: World, path: str, role: Role
) -> None:
    region, user = await _principal(world, role)
    if role is Role.SUPERADMIN:
        path += f"&agency_id={(await world.agency(region)).id}"
    response = await client.get(path, headers=world.auth(user))
    expected = 200 if role in REPORT_ACCESS[path.split("&agency_id=")[0]] else 403
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


async def test_another_regions_plans_are_404_on_every_plan_route(
    client: httpx.AsyncClient, world: World
) -> None:
    home, foreign = await world.region(), await world.region()
    foreign_agency = await world.agency(foreign)
    boss = await world.employee(foreign, foreign_agency)
    foreign_employee = await world.employee(foreign, foreign_agency, supervisor=boss)
    period = await world.period(foreign)
    plan = await world.plan(period, foreign_employee, status="submitted", approver_id=boss.id)
    target = await world.target(plan)
    indicator = await world.indicator(target)
    admin = await world.user(home, Role.REGION_ADMIN)
    home_employee = await world.employee(home, await world.agency(home))
    employee = await world.user(home, Role.EMPLOYEE, employee=home_employee)
    reads = [
        f"/api/v1/periods/{period.id}",
        f"/api/v1/plans/{plan.id}",
        f"/api/v1/plans/{plan.id}/cascade",
        f"/api/v1/plans/{plan.id}/revisions",
        f"/api/v1/plans/{plan.id}/revisions/1",
        f"/api/v1/plans/{plan.id}/targets",
        f"/api/v1/targets/{target.id}",
        f"/api/v1/targets/{target.id}/indicators",
        f"/api/v1/indicators/{indicator.id}",
    ]
    indicator_body = {"aspect": "waktu", "description": "d", "target_value": "1", "unit": "x"}
    writes: list[tuple[str, str, dict[str, str] | None]] = [
        ("POST", f"/api/v1/periods/{period.id}/close", None),
        ("POST", f"/api/v1/plans/{plan.id}/submit", None),
        ("POST", f"/api/v1/plans/{plan.id}/approve", None),
        ("POST", f"/api/v1/plans/{plan.id}/return", {"note": "x"}),
        ("POST", f"/api/v1/plans/{plan.id}/revise", None),
        ("POST", f"/api/v1/plans/{plan.id}/targets", {"kind": "utama", "title": "x"}),
        ("PATCH", f"/api/v1/targets/{target.id}", {"title": "y"}),
        ("DELETE", f"/api/v1/targets/{target.id}", None),
        ("POST", f"/api/v1/targets/{target.id}/indicators", indicator_body),
        ("PATCH", f"/api/v1/indicators/{indicator.id}", {"unit": "y"}),
        ("DELETE", f"/api/v1/indicators/{indicator.id}", None),
    ]
    for user in (admin, employee):
        headers = {**world.auth(user), "If-Match": '"1"'}
        for path in reads:
            response = await client.get(path, headers=headers)
            assert response.status_code == 404, (path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
        for method, path, body in writes:
            # Only region administrators may close periods: others are refused before any lookup.
            expected = 403 if path.endswith("/close") and user is employee else 404
            response = await client.request(method, path, json=body, headers=headers)
            assert response.status_code == expected, (method, path, response.text)


async def test_another_regions_feedback_objects_are_404(
    client: httpx.AsyncClient, world: World
) -> None:
    home, foreign = await world.region(), await world.region()
    foreign_unit = await world.service_unit(await world.agency(foreign))
    foreign_feedback = await world.feedback(foreign_unit)
    foreign_complaint = await world.complaint(foreign)
    officer = world.auth(await world.user(home, Role.COMPLAINT_OFFICER))
    admin = world.auth(await world.user(home, Role.REGION_ADMIN))
    if_match = {"If-Match": '"1"'}
    requests = [
        ("GET", f"/api/v1/service-units/{foreign_unit.id}", admin, None),
        ("PATCH", f"/api/v1/service-units/{foreign_unit.id}", {**admin, **if_match}, {}),
        ("GET", f"/api/v1/service-units/{foreign_unit.id}/staff", admin, None),
        (
            "POST",
            f"/api/v1/service-units/{foreign_unit.id}/staff",
            admin,
            {"employee_id": str(foreign_unit.id), "label": "Loket"},
        ),
        ("DELETE", f"/api/v1/service-units/{foreign_unit.id}/staff/{foreign_unit.id}", admin, None),
        ("GET", f"/api/v1/feedback/{foreign_feedback.id}", officer, None),
        (
            "POST",
            f"/api/v1/feedback/{foreign_feedback.id}/hide-comment",
            {**officer, **if_match},
            {"reason": "kasar"},
        ),
        (
            "GET",
            f"/api/v1/reports/ikm?unit_id={foreign_unit.id}&date_from=2026-01-01&date_to=2026-12-31",
            officer,
            None,
        ),
    ]
    complaint = f"/api/v1/complaints/{foreign_complaint.id}"
    requests += [
        ("GET", complaint, officer, None),
        ("POST", f"{complaint}/triage", {**officer, **if_match}, {}),
        ("POST", f"{complaint}/assign", {**officer, **if_match}, {"agency_id": str(foreign.id)}),
        (
            "POST",
            f"{complaint}/respond",
            {**officer, **if_match},
            {"body": "x", "visibility": "public"},
        ),
        ("POST", f"{complaint}/resolve", {**officer, **if_match}, {"resolution": "x"}),
    ]
    for method, path, headers, body in requests:
        response = await client.request(method, path, headers=headers, json=body)
        assert response.status_code == 404, (method, path, response.text)
        assert response.headers["content-type"] == "application/problem+json"


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
            await client.post(
                f"{report}/verify",
                json={"decision": "accept"},
                headers={**headers, "If-Match": '"1"'},
            ),
            await client.post(f"{plan}/comments", json={"body": "x"}, headers=headers),
            await client.post(
                "/api/v1/progress-reports", json=report_body(foreign.indicator), headers=headers
            ),
        ]
        assert [w.status_code for w in writes] == [404, 404, 404, 404, 422], writes[-1].text
