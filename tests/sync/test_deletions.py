"""GET /api/v1/sync/deletions: the tombstones of rows that left a list, read by that list's
readers only; and the lists a client syncs targets and indicators with."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from kinerja_api.models.org import Role
from kinerja_api.sync.service import SYNC_MARGIN
from tests.app.test_hostile_input import error_fields
from tests.factories import World

URL = "/api/v1/sync/deletions"
# Inside the retention window: the test's changes happen at its transaction's start, now.
SINCE = (datetime.now(UTC) - timedelta(days=1)).isoformat()


async def deletions(
    client: httpx.AsyncClient, headers: dict[str, str], **params: str
) -> list[tuple[str, str, str]]:
    response = await client.get(URL, params={"since": SINCE, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return [(t["entity_type"], t["entity_id"], t["reason"]) for t in response.json()["items"]]


async def delete(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> None:
    etag = (await client.get(path, headers=headers)).headers.get("etag", "*")
    response = await client.delete(path, headers={**headers, "If-Match": etag})
    assert response.status_code == 204, response.text


class Org:
    """A region with a chain head → supervisor → staff, a peer of the supervisor, a stranger
    outside the chain, and the staff's draft plan with one target and indicator."""

    async def build(self, world: World) -> "Org":
        self.world = world
        self.logins: dict[Any, dict[str, str]] = {}
        self.region = region = await world.region()
        self.agency = agency = await world.agency(region)
        self.head = await world.employee(region, agency)
        self.supervisor = await world.employee(region, agency, supervisor=self.head)
        self.peer = await world.employee(region, agency, supervisor=self.head)
        self.staff = await world.employee(region, agency, supervisor=self.supervisor)
        self.stranger = await world.employee(region, agency)
        self.plan = await world.plan(await world.period(region), self.staff)
        self.target = await world.target(self.plan)
        self.indicator = await world.indicator(self.target)
        return self

    async def as_employee(self, employee: Any) -> dict[str, str]:
        """The headers of the employee's one login."""
        if employee.id not in self.logins:
            user = await self.world.user(self.region, Role.EMPLOYEE, employee=employee)
            self.logins[employee.id] = self.world.auth(user)
        return self.logins[employee.id]

    async def as_role(self, role: Role) -> dict[str, str]:
        return self.world.auth(await self.world.user(self.region, role))


@pytest.fixture
async def org(world: World) -> Org:
    return await Org().build(world)


async def test_a_deleted_target_and_its_indicators_reach_the_plans_readers(
    client: httpx.AsyncClient, org: Org
) -> None:
    staff = await org.as_employee(org.staff)
    await delete(client, f"/api/v1/targets/{org.target.id}", staff)
    gone = [
        ("indicator", str(org.indicator.id), "deleted"),
        ("target", str(org.target.id), "deleted"),
    ]
    for reader in (staff, await org.as_employee(org.supervisor), await org.as_role(Role.AUDITOR)):
        assert sorted(await deletions(client, reader)) == gone
    only_targets = await deletions(client, staff, entity_type="target")
    assert only_targets == [("target", str(org.target.id), "deleted")]
    response = await client.get(
        URL, params={"since": SINCE, "entity_type": "target"}, headers=staff
    )
    (tombstone,) = response.json()["items"]
    assert tombstone["plan_id"] == str(org.plan.id)
    assert await deletions(client, await org.as_employee(org.peer)) == [], "not the peer's plan"
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert await deletions(client, staff, since=later) == [], "since is a lower bound"


async def test_the_sync_time_lies_a_margin_behind_the_server_clock(
    client: httpx.AsyncClient, org: Org
) -> None:
    before = datetime.now(UTC)
    response = await client.get(
        URL, params={"since": SINCE}, headers=await org.as_employee(org.staff)
    )
    sync_time = datetime.fromisoformat(response.json()["sync_time"])
    # The test's transaction began before this request; its time is the server's now().
    assert sync_time <= before - SYNC_MARGIN
    assert sync_time > before - SYNC_MARGIN - timedelta(minutes=10)


async def test_a_deleted_holiday_reaches_the_calendars_readers_only(
    client: httpx.AsyncClient, org: Org, world: World
) -> None:
    holiday = await world.holiday(org.region, date(2026, 8, 17))
    admin = await org.as_role(Role.REGION_ADMIN)
    response = await client.delete(f"/api/v1/holidays/{holiday.id}", headers=admin)
    assert response.status_code == 204
    gone = [("holiday", str(holiday.id), "deleted")]
    assert await deletions(client, await org.as_role(Role.COMPLAINT_OFFICER)) == gone
    employee = await org.as_employee(org.staff)
    refused = await client.get(
        URL, params={"since": SINCE, "entity_type": "holiday"}, headers=employee
    )
    assert refused.status_code == 403
    assert await deletions(client, employee) == [], "all lists: only those the caller reads"


async def test_a_supervisor_change_hides_plans_and_people_from_the_former_chain_only(
    client: httpx.AsyncClient, org: Org
) -> None:
    admin = await org.as_role(Role.REGION_ADMIN)
    path = f"/api/v1/employees/{org.staff.id}"
    etag = (await client.get(path, headers=admin)).headers["etag"]
    moved = await client.patch(
        path, json={"supervisor_id": str(org.peer.id)}, headers={**admin, "If-Match": etag}
    )
    assert moved.status_code == 200, moved.text
    hidden = [("employee", str(org.staff.id), "hidden"), ("plan", str(org.plan.id), "hidden")]
    assert sorted(await deletions(client, await org.as_employee(org.supervisor))) == hidden
    for still_reads in (org.peer, org.head, org.staff):
        assert await deletions(client, await org.as_employee(still_reads)) == []
    never_read = await org.as_employee(org.stranger)
    assert await deletions(client, never_read) == [], "only those who read it before"
    assert await deletions(client, admin) == [], "region-wide readers never lose sight"


async def test_an_agency_move_hides_the_employee_from_the_former_agencys_admins(
    client: httpx.AsyncClient, org: Org, world: World
) -> None:
    elsewhere = await world.agency(org.region)
    former_admin = world.auth(await world.user(org.region, Role.AGENCY_ADMIN, agency=org.agency))
    new_admin = world.auth(await world.user(org.region, Role.AGENCY_ADMIN, agency=elsewhere))
    admin = await org.as_role(Role.REGION_ADMIN)
    path = f"/api/v1/employees/{org.staff.id}"
    etag = (await client.get(path, headers=admin)).headers["etag"]
    moved = await client.patch(
        path, json={"agency_id": str(elsewhere.id)}, headers={**admin, "If-Match": etag}
    )
    assert moved.status_code == 200, moved.text
    hidden = [("employee", str(org.staff.id), "hidden")]
    assert await deletions(client, former_admin, entity_type="employee") == hidden
    assert await deletions(client, new_admin) == []
    assert await deletions(client, admin) == []
    assert await deletions(client, await org.as_employee(org.supervisor)) == [], "still reads"


async def test_service_accounts_read_the_lists_their_scopes_cover(
    client: httpx.AsyncClient, org: Org, world: World
) -> None:
    await delete(client, f"/api/v1/targets/{org.target.id}", await org.as_employee(org.staff))
    reader = world.auth(await world.service_account(org.region, "plans:read"))
    assert len(await deletions(client, reader, entity_type="indicator")) == 1
    assert len(await deletions(client, reader)) == 2
    for entity_type in ("holiday", "employee"):
        refused = await client.get(
            URL, params={"since": SINCE, "entity_type": entity_type}, headers=reader
        )
        assert refused.status_code == 403, entity_type
    other_scope = world.auth(await world.service_account(org.region, "org:read"))
    refused = await client.get(
        URL, params={"since": SINCE, "entity_type": "target"}, headers=other_scope
    )
    assert refused.status_code == 403
    assert (await client.get(URL, params={"since": SINCE})).status_code == 401


async def test_another_regions_principals_get_nothing(
    client: httpx.AsyncClient, org: Org, world: World
) -> None:
    await delete(client, f"/api/v1/targets/{org.target.id}", await org.as_employee(org.staff))
    holiday = await world.holiday(org.region, date(2026, 8, 17))
    admin = await org.as_role(Role.REGION_ADMIN)
    assert (await client.delete(f"/api/v1/holidays/{holiday.id}", headers=admin)).status_code == 204
    foreign = await world.region()
    for role in (Role.REGION_ADMIN, Role.AUDITOR, Role.COMPLAINT_OFFICER):
        assert await deletions(client, world.auth(await world.user(foreign, role))) == []
    account = world.auth(await world.service_account(foreign, "plans:read"))
    assert await deletions(client, account) == []
    superadmin = world.auth(await world.user(None, Role.SUPERADMIN))
    assert len(await deletions(client, superadmin)) == 3


async def test_pages_follow_the_cursor(client: httpx.AsyncClient, org: Org) -> None:
    staff = await org.as_employee(org.staff)
    await delete(client, f"/api/v1/targets/{org.target.id}", staff)
    first = await client.get(URL, params={"since": SINCE, "limit": 1}, headers=staff)
    assert len(first.json()["items"]) == 1
    cursor = first.json()["next_cursor"]
    second = await client.get(
        URL, params={"since": SINCE, "limit": 1, "cursor": cursor}, headers=staff
    )
    assert second.status_code == 200, second.text
    assert second.json()["next_cursor"] is None
    ids = {page.json()["items"][0]["entity_id"] for page in (first, second)}
    assert ids == {str(org.target.id), str(org.indicator.id)}
    other_list = await client.get(
        URL,
        params={"since": SINCE, "limit": 1, "cursor": cursor, "entity_type": "target"},
        headers=staff,
    )
    assert other_list.status_code == 400, "a cursor serves only its own list"


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({}, {"query.since"}),
        ({"since": "yesterday"}, {"query.since"}),
        ({"since": SINCE, "entity_type": "plans"}, {"query.entity_type"}),
        ({"since": SINCE, "limit": 0}, {"query.limit"}),
    ],
)
async def test_invalid_queries_are_422_naming_the_field(
    client: httpx.AsyncClient, org: Org, params: dict[str, Any], fields: set[str]
) -> None:
    response = await client.get(URL, params=params, headers=await org.as_employee(org.staff))
    assert error_fields(response) == fields


# --- the lists a client syncs targets and indicators with -------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/targets", "/api/v1/indicators"])
async def test_target_and_indicator_lists_hold_every_readable_plans_rows(
    client: httpx.AsyncClient, org: Org, world: World, path: str
) -> None:
    own_plan = await world.plan(await world.period(org.region, year=2027), org.supervisor)
    await world.indicator(await world.target(own_plan))

    async def listed(headers: dict[str, str], **params: str) -> int:
        response = await client.get(path, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return len(response.json()["items"])

    assert await listed(await org.as_employee(org.supervisor)) == 2
    assert await listed(await org.as_employee(org.staff)) == 1
    assert await listed(await org.as_employee(org.peer)) == 0
    assert await listed(await org.as_role(Role.AUDITOR), plan_id=str(org.plan.id)) == 1
    assert await listed(await org.as_role(Role.AUDITOR), updated_since="2999-01-01T00:00:00Z") == 0
    assert await listed(world.auth(await world.user(await world.region(), Role.REGION_ADMIN))) == 0
    refused = await client.get(
        path, headers=world.auth(await world.service_account(org.region, "org:read"))
    )
    assert refused.status_code == 403
    invalid = await client.get(
        path, params={"plan_id": "x"}, headers=await org.as_employee(org.staff)
    )
    assert error_fields(invalid) == {"query.plan_id"}


async def _patch(
    client: httpx.AsyncClient, path: str, body: dict[str, Any], headers: dict[str, str]
) -> None:
    etag = (await client.get(path, headers=headers)).headers["etag"]
    response = await client.patch(path, json=body, headers={**headers, "If-Match": etag})
    assert response.status_code == 200, response.text


async def test_a_user_placed_in_another_agency_leaves_the_former_agencys_admins(
    client: httpx.AsyncClient, org: Org, world: World
) -> None:
    elsewhere = await world.agency(org.region)
    former_admin = world.auth(await world.user(org.region, Role.AGENCY_ADMIN, agency=org.agency))
    new_admin = world.auth(await world.user(org.region, Role.AGENCY_ADMIN, agency=elsewhere))
    user = await world.user(org.region, Role.EMPLOYEE, agency=org.agency)
    admin = await org.as_role(Role.REGION_ADMIN)
    await _patch(client, f"/api/v1/users/{user.id}", {"agency_id": str(elsewhere.id)}, admin)
    assert await deletions(client, former_admin, entity_type="user") == [
        ("user", str(user.id), "hidden")
    ]
    assert await deletions(client, new_admin) == []
    assert await deletions(client, admin) == []
    refused = await client.get(
        URL,
        params={"since": SINCE, "entity_type": "user"},
        headers=await org.as_employee(org.staff),
    )
    assert refused.status_code == 403, "employees do not read the users list"


async def test_a_plan_resubmitted_to_a_new_supervisor_leaves_its_former_approver(
    client: httpx.AsyncClient, org: Org, world: World
) -> None:
    """The supervisor changed while the plan was with them: they still read it as its
    approver, until it is submitted again, to the new one."""
    returned = await world.plan(
        await world.period(org.region, year=2027),
        org.staff,
        "returned",
        approver_id=org.supervisor.id,
    )
    await world.indicator(await world.target(returned))
    admin = await org.as_role(Role.REGION_ADMIN)
    await _patch(
        client, f"/api/v1/employees/{org.staff.id}", {"supervisor_id": str(org.peer.id)}, admin
    )
    former = await org.as_employee(org.supervisor)
    assert ("plan", str(returned.id), "hidden") not in await deletions(client, former)

    staff = await org.as_employee(org.staff)
    path = f"/api/v1/plans/{returned.id}"
    etag = (await client.get(path, headers=staff)).headers["etag"]
    submitted = await client.post(f"{path}/submit", headers={**staff, "If-Match": etag})
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["approver_id"] == str(org.peer.id)
    assert ("plan", str(returned.id), "hidden") in await deletions(client, former)
    assert await deletions(client, await org.as_employee(org.peer)) == []


async def test_a_former_agency_admin_keeps_their_tombstones_when_their_agency_moves(
    client: httpx.AsyncClient, org: Org, world: World
) -> None:
    """Tombstones name the agencies the row lay under by id, so an administrator whose own
    agency has moved in the tree since still gets them."""
    parent = await world.agency(org.region)
    inner = await world.agency(org.region, parent)
    employee = await world.employee(org.region, inner)
    parent_admin = world.auth(await world.user(org.region, Role.AGENCY_ADMIN, agency=parent))
    admin = await org.as_role(Role.REGION_ADMIN)
    await _patch(
        client, f"/api/v1/employees/{employee.id}", {"agency_id": str(org.agency.id)}, admin
    )
    hidden = ("employee", str(employee.id), "hidden")
    assert await deletions(client, parent_admin) == [hidden]
    other_root = await world.agency(org.region)
    await _patch(client, f"/api/v1/agencies/{parent.id}", {"parent_id": str(other_root.id)}, admin)
    assert await deletions(client, parent_admin) == [hidden], "their agency's path changed"


async def test_a_complaint_triaged_to_another_agency_leaves_the_former_agencys_staff(
    client: httpx.AsyncClient, org: Org, world: World
) -> None:
    elsewhere = await world.agency(org.region)
    complaint = await world.complaint(org.region, agency_id=org.agency.id)
    former = world.auth(await world.user(org.region, Role.COMPLAINT_OFFICER, agency=org.agency))
    new = world.auth(await world.user(org.region, Role.COMPLAINT_OFFICER, agency=elsewhere))
    handler = await org.as_role(Role.COMPLAINT_OFFICER)
    path = f"/api/v1/complaints/{complaint.id}"
    etag = (await client.get(path, headers=handler)).headers["etag"]
    triaged = await client.post(
        f"{path}/triage",
        json={"agency_id": str(elsewhere.id)},
        headers={**handler, "If-Match": etag},
    )
    assert triaged.status_code == 200, triaged.text
    hidden = [("complaint", str(complaint.id), "hidden")]
    assert await deletions(client, former, entity_type="complaint") == hidden
    assert await deletions(client, new) == []
    assert await deletions(client, handler) == [], "an officer of no agency reads the region's"
