"""Who reads which plans, and the plan list's filters and cursor."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import update

from kinerja_api.models.org import Role
from kinerja_api.models.plans import Plan
from tests.plans.conftest import PLANS, Team


def _ids(response: httpx.Response) -> set[str]:
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


async def test_plan_readers(client: httpx.AsyncClient, team: Team) -> None:
    world = team.world
    plan = await world.plan(team.period, team.staff)
    path = f"{PLANS}/{plan.id}"
    readers = [
        team.staff_user,
        team.supervisor_user,
        team.head_user,
        await world.user(team.region, Role.REGION_ADMIN),
        await world.user(team.region, Role.AUDITOR),
        await world.user(team.region, Role.AGENCY_ADMIN, agency=team.agency),
        await world.user(None, Role.SUPERADMIN),
    ]
    for user in readers:
        response = await client.get(path, headers=world.auth(user))
        assert response.status_code == 200, (user.roles, response.text)
        assert response.headers["etag"] == '"1"'
    other_agency = await world.agency(team.region)
    peer = await world.employee(team.region, team.unit, supervisor=team.supervisor)
    strangers = [
        await world.user(team.region, Role.EMPLOYEE, employee=peer),
        await world.user(team.region, Role.AGENCY_ADMIN, agency=other_agency),
        await world.user(team.region, Role.TRAINING_ADMIN),
        await world.user(await world.region(), Role.REGION_ADMIN),
    ]
    for user in strangers:
        response = await client.get(path, headers=world.auth(user))
        assert response.status_code == 404, (user.roles, response.text)
        assert (await client.get(f"{path}/cascade", headers=world.auth(user))).status_code == 404
        assert (await client.get(f"{path}/revisions", headers=world.auth(user))).status_code == 404


async def test_another_regions_plan_is_404_for_every_route(
    client: httpx.AsyncClient, team: Team
) -> None:
    world = team.world
    plan = await world.plan(
        team.period, team.staff, status="submitted", approver_id=team.supervisor.id
    )
    foreign = await world.region()
    foreign_employee = await world.employee(foreign, await world.agency(foreign))
    for user in (
        await world.user(foreign, Role.REGION_ADMIN),
        await world.user(foreign, Role.EMPLOYEE, employee=foreign_employee),
    ):
        headers = {**world.auth(user), "If-Match": "*"}
        for action in ("submit", "approve", "return", "revise"):
            response = await client.post(
                f"{PLANS}/{plan.id}/{action}", json={"note": "x"}, headers=headers
            )
            assert response.status_code == 404, (action, response.text)
        listed = await client.get(PLANS, headers=headers)
        assert _ids(listed) == set()


async def test_list_filters_and_cursor(client: httpx.AsyncClient, team: Team) -> None:
    world = team.world
    other_unit = await world.agency(team.region, parent=team.agency)
    outside = await world.agency(team.region)
    people = [
        await world.employee(team.region, team.unit, supervisor=team.supervisor) for _ in range(3)
    ]
    elsewhere = await world.employee(team.region, other_unit, supervisor=team.head)
    far = await world.employee(team.region, outside)
    plans = {
        "staff": await world.plan(
            team.period, team.staff, status="submitted", approver_id=team.supervisor.id
        ),
        "p0": await world.plan(team.period, people[0]),
        "p1": await world.plan(team.period, people[1], status="approved"),
        "p2": await world.plan(
            team.period, people[2], status="submitted", approver_id=team.supervisor.id
        ),
        "else": await world.plan(
            team.period, elsewhere, status="submitted", approver_id=team.head.id
        ),
        "far": await world.plan(team.period, far),
        "old": await world.plan(await world.period(team.region, year=2025), team.staff),
    }
    ids = {name: str(plan.id) for name, plan in plans.items()}
    admin = world.auth(await world.user(team.region, Role.REGION_ADMIN))

    assert _ids(await client.get(PLANS, headers=admin)) == set(ids.values())
    by_period = await client.get(PLANS, params={"period_id": str(team.period.id)}, headers=admin)
    assert _ids(by_period) == set(ids.values()) - {ids["old"]}
    subtree = await client.get(PLANS, params={"agency_id": str(team.agency.id)}, headers=admin)
    assert _ids(subtree) == set(ids.values()) - {ids["far"]}
    unit = await client.get(PLANS, params={"agency_id": str(team.unit.id)}, headers=admin)
    assert _ids(unit) == {ids[n] for n in ("staff", "p0", "p1", "p2", "old")}
    submitted = {"status": "submitted", "agency_id": str(team.agency.id)}
    assert _ids(await client.get(PLANS, params=submitted, headers=admin)) == {
        ids["staff"],
        ids["p2"],
        ids["else"],
    }
    approver = {"approver_id": str(team.supervisor.id)}
    assert _ids(await client.get(PLANS, params=approver, headers=admin)) == {
        ids["staff"],
        ids["p1"],
        ids["p2"],
    }
    mine = {"employee_id": str(team.staff.id)}
    assert _ids(await client.get(PLANS, params=mine, headers=admin)) == {ids["staff"], ids["old"]}

    await world.connection.execute(
        update(Plan)
        .where(Plan.id != plans["p0"].id)
        .values(updated_at=datetime.now(UTC) - timedelta(days=3))
    )
    recent = {"updated_since": (datetime.now(UTC) - timedelta(days=1)).isoformat()}
    assert _ids(await client.get(PLANS, params=recent, headers=admin)) == {ids["p0"]}

    # Supervisors see their reports' plans (transitively for the head), agency admins a subtree.
    supervisor = team.auth(team.supervisor_user)
    assert _ids(await client.get(PLANS, headers=supervisor)) == {
        ids[n] for n in ("staff", "p0", "p1", "p2", "old")
    }
    head = team.auth(team.head_user)
    assert _ids(await client.get(PLANS, headers=head)) == set(ids.values()) - {ids["far"]}
    unit_admin = world.auth(await world.user(team.region, Role.AGENCY_ADMIN, agency=other_unit))
    assert _ids(await client.get(PLANS, headers=unit_admin)) == {ids["else"]}
    hidden = await client.get(PLANS, params={"agency_id": str(team.unit.id)}, headers=unit_admin)
    assert _ids(hidden) == set()

    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = await client.get(PLANS, params=params, headers=admin)
        assert page.status_code == 200, page.text
        seen += [item["id"] for item in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids.values())
    assert len(seen) == len(set(seen))
    first = await client.get(PLANS, params={"limit": 2}, headers=admin)
    foreign_cursor = {"limit": 2, "status": "draft", "cursor": first.json()["next_cursor"]}
    assert (await client.get(PLANS, params=foreign_cursor, headers=admin)).status_code == 400


async def test_service_accounts_read_plans_with_the_plans_read_scope(
    client: httpx.AsyncClient, team: Team
) -> None:
    world = team.world
    plan = await world.plan(team.period, team.staff)
    reader = world.auth(await world.service_account(team.region, "plans:read"))
    assert _ids(await client.get(PLANS, headers=reader)) == {str(plan.id)}
    assert (await client.get(f"{PLANS}/{plan.id}", headers=reader)).status_code == 200
    assert (await client.get("/api/v1/periods", headers=reader)).status_code == 200
    org_only = world.auth(await world.service_account(team.region, "org:read"))
    assert (await client.get(PLANS, headers=org_only)).status_code == 403
    writing = await client.post(f"{PLANS}/{plan.id}/submit", headers={**reader, "If-Match": "*"})
    assert writing.status_code == 403
    foreign = world.auth(await world.service_account(await world.region(), "plans:read"))
    assert (await client.get(f"{PLANS}/{plan.id}", headers=foreign)).status_code == 404


async def test_supervisor_id_lists_the_direct_reports_plans_drafts_included(
    client: httpx.AsyncClient, team: Team
) -> None:
    """`approver_id` is set at submission only; `supervisor_id` follows the current chain."""
    world = team.world
    peer = await world.employee(team.region, team.unit, supervisor=team.supervisor)
    moved = await world.employee(team.region, team.unit, supervisor=team.supervisor)
    plans = {
        "staff": await world.plan(team.period, team.staff),
        "peer": await world.plan(
            team.period, peer, status="submitted", approver_id=team.supervisor.id
        ),
        "moved": await world.plan(
            team.period, moved, status="submitted", approver_id=team.supervisor.id
        ),
        "supervisor": await world.plan(team.period, team.supervisor),
    }
    ids = {name: str(plan.id) for name, plan in plans.items()}
    await world.set_supervisor(moved, team.head)
    admin = world.auth(await world.user(team.region, Role.REGION_ADMIN))

    def listed(**params: object) -> Any:
        return client.get(PLANS, params=params, headers=admin)

    by_supervisor = await listed(supervisor_id=str(team.supervisor.id))
    assert _ids(by_supervisor) == {ids["staff"], ids["peer"]}
    drafts = await listed(supervisor_id=str(team.supervisor.id), status="draft")
    assert _ids(drafts) == {ids["staff"]}
    by_approver = await listed(approver_id=str(team.supervisor.id))
    assert _ids(by_approver) == {ids["peer"], ids["moved"]}
    head_reports = await listed(supervisor_id=str(team.head.id))
    assert _ids(head_reports) == {ids["supervisor"], ids["moved"]}
    assert _ids(await listed(supervisor_id=str(team.staff.id))) == set()

    # The filter narrows what the caller may see; it never widens it.
    foreign = await world.region()
    foreign_admin = world.auth(await world.user(foreign, Role.REGION_ADMIN))
    hidden = await client.get(
        PLANS, params={"supervisor_id": str(team.supervisor.id)}, headers=foreign_admin
    )
    assert _ids(hidden) == set()


async def _all_pages(
    client: httpx.AsyncClient, headers: dict[str, str], **params: object
) -> list[str]:
    seen: list[str] = []
    cursor = None
    while True:
        page = await client.get(
            PLANS,
            params={**params, "limit": 2, **({"cursor": cursor} if cursor else {})},
            headers=headers,
        )
        assert page.status_code == 200, page.text
        assert len(page.json()["items"]) <= 2
        seen += [item["id"] for item in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return seen


async def test_sorts_page_in_order(client: httpx.AsyncClient, team: Team) -> None:
    world = team.world
    people = [
        await world.employee(team.region, team.unit, supervisor=team.supervisor) for _ in range(5)
    ]
    plans = [await world.plan(team.period, person) for person in people]
    start = datetime(2026, 2, 1, tzinfo=UTC)
    # Created in list order, changed in the reverse order; two share an update time, so the id
    # breaks the tie.
    changed = [5, 4, 3, 3, 1]
    for index, plan in enumerate(plans):
        await world.connection.execute(
            update(Plan)
            .where(Plan.id == plan.id)
            .values(
                created_at=start + timedelta(hours=index),
                updated_at=start + timedelta(days=changed[index]),
            )
        )
    admin = world.auth(await world.user(team.region, Role.REGION_ADMIN))
    by_update = sorted(plans, key=lambda p: (changed[plans.index(p)], str(p.id)))
    expected = {
        "updated_at": [str(p.id) for p in by_update],
        "-updated_at": [str(p.id) for p in reversed(by_update)],
        "created_at": [str(p.id) for p in plans],
    }
    for sort, order in expected.items():
        assert await _all_pages(client, admin, sort=sort) == order, sort
    assert await _all_pages(client, admin) == expected["updated_at"]

    first = await client.get(PLANS, params={"limit": 2, "sort": "created_at"}, headers=admin)
    other_sort = {"limit": 2, "sort": "-updated_at", "cursor": first.json()["next_cursor"]}
    assert (await client.get(PLANS, params=other_sort, headers=admin)).status_code == 400
    unknown = await client.get(PLANS, params={"sort": "name"}, headers=admin)
    assert unknown.status_code == 422


async def test_callers_of_one_kind_share_the_list_statement_and_each_reads_their_own(
    client: httpx.AsyncClient, team: Team
) -> None:
    """The list's statement is built once per kind of caller and filters given (its values
    bound when it runs): callers of the same kind, one after another, each get their own
    plans, page after page."""
    world = team.world
    other = await world.region()
    other_agency = await world.agency(other)
    other_boss = await world.employee(other, other_agency)
    other_staff = [await world.employee(other, other_agency, supervisor=other_boss)]
    other_period = await world.period(other)
    by_employee = {
        employee.id: str((await world.plan(team.period, employee, status="submitted")).id)
        for employee in (team.staff, team.supervisor, team.head)
    }
    mine = set(by_employee.values())
    theirs = {
        str((await world.plan(other_period, employee, status="submitted")).id)
        for employee in (*other_staff, other_boss)
    }
    for _ in range(2):
        for region, period, agency, expected in (
            (team.region, team.period, team.agency, mine),
            (other, other_period, other_agency, theirs),
        ):
            admin = world.auth(await world.user(region, Role.REGION_ADMIN))
            filters = {"period_id": str(period.id), "status": "submitted"}
            assert set(await _all_pages(client, admin, **filters)) == expected
            under = {**filters, "agency_id": str(agency.id)}
            assert set(await _all_pages(client, admin, **under)) == expected
            agency_admin = world.auth(await world.user(region, Role.AGENCY_ADMIN, agency=agency))
            assert set(await _all_pages(client, agency_admin, **filters)) == expected
    # Supervisors: each reads the plans of those below them, not the other's.
    below_supervisor = await _all_pages(client, team.auth(team.supervisor_user))
    below_boss = await _all_pages(
        client, world.auth(await world.user(other, Role.EMPLOYEE, employee=other_boss))
    )
    assert set(below_supervisor) == mine - {by_employee[team.head.id]}
    assert set(below_boss) == theirs
