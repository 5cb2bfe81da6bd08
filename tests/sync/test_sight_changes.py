"""Copies kept in step while rows move out of some readers' sight and into others': an agency
moved under another parent, a service unit moved to another agency, a complaint handed to
another agency and employee. Each reader's app syncs only with `updated_since` and the
tombstones; after every round each copy equals a fresh full read."""

from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.config import Settings
from kinerja_api.models.org import Role
from tests.factories import World
from tests.sync.client import ALL_LISTS, LocalCopy, age_the_world, full_read, normalized

HOUR = timedelta(hours=1)
FEEDBACK_LISTS = {kind: ALL_LISTS[kind] for kind in ("service_unit", "complaint", "feedback")}
ASSIGNED_LISTS = {"complaint": ALL_LISTS["complaint"]}


class Tree:
    """A region R with agencies A and B under it and C under A. C holds an employee with an
    approved plan (a target, an indicator, a progress report), their user account, a service
    unit with a staff member, a complaint and a survey response. Apps: the region admin's, the
    agency admins' of A and B, the complaint officers' of A and B (feedback lists), and two
    employees of B's (the complaints assigned to them)."""

    def __init__(
        self, client: httpx.AsyncClient, world: World, connection: AsyncConnection, role: str
    ) -> None:
        self.client, self.world, self.connection, self.role = client, world, connection, role

    async def build(self) -> None:
        world = self.world
        self.region = region = await world.region()
        root = await world.agency(region)
        self.a = await world.agency(region, root)
        self.b = await world.agency(region, root)
        self.c = await world.agency(region, self.a)
        self.staff = await world.employee(region, self.c)
        self.in_b = await world.employee(region, self.b)
        self.also_in_b = await world.employee(region, self.b)
        day = date.today() - timedelta(days=2)
        plan = await world.plan(await world.period(region, year=day.year), self.staff, "approved")
        self.plan = plan
        indicator = await world.indicator(await world.target(plan))
        staff_login = world.auth(await world.user(region, Role.EMPLOYEE, employee=self.staff))
        self.staff_user = await world.user(region, Role.EMPLOYEE, agency=self.c)
        self.unit = await world.service_unit(self.c)
        await world.staff(self.unit, self.staff)
        self.complaint = await world.complaint(
            region, service_unit_id=self.unit.id, agency_id=self.c.id
        )
        self.feedback = await world.feedback(self.unit)
        self.admin = world.auth(await world.user(region, Role.REGION_ADMIN))
        self.handler = world.auth(await world.user(region, Role.COMPLAINT_OFFICER))
        report = await self.client.post(
            "/api/v1/progress-reports",
            json={"indicator_id": str(indicator.id), "value": "3", "reported_for": str(day)},
            headers=staff_login,
        )
        assert report.status_code == 201, report.text
        self.report_id = report.json()["id"]
        self.copies = {
            "region admin": LocalCopy(self.admin, dict(ALL_LISTS)),
            "admin of A": await self._copy(Role.AGENCY_ADMIN, self.a, ALL_LISTS),
            "admin of B": await self._copy(Role.AGENCY_ADMIN, self.b, ALL_LISTS),
            "officer of A": await self._copy(Role.COMPLAINT_OFFICER, self.a, FEEDBACK_LISTS),
            "officer of B": await self._copy(Role.COMPLAINT_OFFICER, self.b, FEEDBACK_LISTS),
            "employee of B": await self._employee_copy(self.in_b),
            "other employee of B": await self._employee_copy(self.also_in_b),
        }

    async def _copy(self, role: Role, agency: Any, lists: dict[str, str]) -> LocalCopy:
        user = await self.world.user(self.region, role, agency=agency)
        return LocalCopy(self.world.auth(user), dict(lists))

    async def _employee_copy(self, employee: Any) -> LocalCopy:
        user = await self.world.user(self.region, Role.EMPLOYEE, employee=employee)
        return LocalCopy(self.world.auth(user), dict(ASSIGNED_LISTS))

    def copy(self, name: str) -> LocalCopy:
        return self.copies[name]

    async def change(
        self, method: str, path: str, body: dict[str, Any], headers: dict[str, str]
    ) -> None:
        resource = path.removesuffix("/assign")
        current = await self.client.get(resource, headers=headers)
        assert current.status_code == 200, current.text
        response = await self.client.request(
            method, path, json=body, headers={**headers, "If-Match": current.headers["etag"]}
        )
        assert response.status_code == 200, response.text

    async def round(self) -> None:
        """Time passes, every app syncs, and each copy must equal a fresh full read."""
        await age_the_world(self.connection, self.role, HOUR)
        for name, copy in self.copies.items():
            copy.age(HOUR)
            await copy.sync(self.client)
            fresh = await full_read(self.client, copy.headers, copy.lists)
            assert normalized(copy.rows) == normalized(fresh), name

    def held(self, name: str, kind: str) -> set[str]:
        return set(self.copy(name).rows[kind])

    def hidden(self, name: str) -> set[tuple[str, str]]:
        return {
            (t["entity_type"], t["entity_id"])
            for t in self.copy(name).tombstones
            if t["reason"] == "hidden"
        }


@pytest.fixture
async def tree(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection, settings: Settings
) -> Tree:
    built = Tree(client, world, connection, settings.db_app_role or "kinerja_app")
    await built.build()
    await built.round()
    assert all(copy.full_reads == 1 for copy in built.copies.values())
    assert str(built.plan.id) in built.held("admin of A", "plan")
    assert str(built.plan.id) not in built.held("admin of B", "plan")
    return built


def _of_c(tree: Tree) -> set[tuple[str, str]]:
    """Everything of agency C an agency admin reads, by its tombstones' entity types."""
    return {
        ("agency", str(tree.c.id)),
        ("employee", str(tree.staff.id)),
        ("plan", str(tree.plan.id)),
        ("user", str(tree.staff_user.id)),
        ("service_unit", str(tree.unit.id)),
        ("complaint", str(tree.complaint.id)),
        ("feedback", str(tree.feedback.id)),
    }


async def test_an_agency_moved_under_another_parent_moves_its_rows_between_the_admins(
    tree: Tree,
) -> None:
    path = f"/api/v1/agencies/{tree.c.id}"
    await tree.change("PATCH", path, {"parent_id": str(tree.b.id)}, tree.admin)
    await tree.round()
    assert tree.hidden("admin of A") == _of_c(tree)
    assert tree.held("admin of A", "progress_report") == set(), "gone with their employee"
    assert tree.held("admin of A", "target") == set(), "gone with their plan"
    assert tree.hidden("officer of A") == {
        (kind, entity_id)
        for kind, entity_id in _of_c(tree)
        if kind in ("service_unit", "complaint", "feedback")
    }
    gained = tree.copy("admin of B").fetched
    assert str(tree.plan.id) in gained["plan"]
    assert tree.report_id in gained["progress_report"]
    assert str(tree.feedback.id) in tree.copy("officer of B").fetched["feedback"]
    assert tree.hidden("admin of B") == set()
    assert tree.hidden("region admin") == set(), "region-wide readers never lose sight"

    await tree.change("PATCH", path, {"parent_id": str(tree.a.id)}, tree.admin)
    await tree.round()
    assert tree.hidden("admin of B") == _of_c(tree)
    assert tree.hidden("admin of A") == set(), "back in sight: no tombstone, the rows again"
    assert str(tree.plan.id) in tree.held("admin of A", "plan")
    assert tree.report_id in tree.held("admin of A", "progress_report")


async def test_a_service_unit_moved_to_another_agency_takes_only_itself(tree: Tree) -> None:
    path = f"/api/v1/service-units/{tree.unit.id}"
    await tree.change("PATCH", path, {"agency_id": str(tree.b.id)}, tree.admin)
    await tree.round()
    unit = ("service_unit", str(tree.unit.id))
    assert tree.hidden("officer of A") == {unit}
    assert tree.hidden("admin of A") == {unit}
    assert str(tree.complaint.id) in tree.held("officer of A", "complaint"), "filed under C"
    assert str(tree.feedback.id) in tree.held("officer of A", "feedback")
    assert tree.copy("officer of B").fetched["service_unit"] == {str(tree.unit.id)}


async def test_a_complaint_handed_to_another_agency_and_employee_leaves_the_former_ones(
    tree: Tree,
) -> None:
    path = f"/api/v1/complaints/{tree.complaint.id}/assign"
    await tree.change("POST", path, {"assignee_employee_id": str(tree.in_b.id)}, tree.handler)
    await tree.round()
    complaint = ("complaint", str(tree.complaint.id))
    assert tree.hidden("officer of A") == {complaint}
    assert tree.hidden("admin of A") == {complaint}
    assert tree.held("employee of B", "complaint") == {str(tree.complaint.id)}
    assert tree.held("officer of B", "complaint") == {str(tree.complaint.id)}

    await tree.change("POST", path, {"assignee_employee_id": str(tree.also_in_b.id)}, tree.handler)
    await tree.round()
    assert tree.hidden("employee of B") == {complaint}, "the former assignee"
    assert tree.held("employee of B", "complaint") == set()
    assert tree.held("other employee of B", "complaint") == {str(tree.complaint.id)}
    assert tree.hidden("officer of B") == set(), "still the agency's"
    assert tree.hidden("officer of A") == set(), "told once"
