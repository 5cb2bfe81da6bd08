"""A supervisor's app keeps a copy of the plans, targets and indicators it may read, syncing
only with `updated_since` and the tombstones, through creates, edits, deletes and a plan that
leaves (and re-enters) its sight; after every round the copy equals a fresh full read."""

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.config import Settings
from kinerja_api.models.org import Role
from tests.factories import World
from tests.sync.client import LocalCopy, age_the_world, full_read, normalized

HOUR = timedelta(hours=1)
INDICATOR = {
    "aspect": "kuantitas",
    "description": "Dokumen diterbitkan",
    "target_value": "12",
    "unit": "dokumen",
}


class Scene:
    def __init__(
        self, client: httpx.AsyncClient, world: World, connection: AsyncConnection, role: str
    ) -> None:
        self.client, self.world, self.connection, self.role = client, world, connection, role

    async def build(self) -> None:
        world = self.world
        region = await world.region()
        agency = await world.agency(region)
        self.head = await world.employee(region, agency, name="Kepala Dinas")
        self.supervisor = await world.employee(region, agency, supervisor=self.head)
        self.peer = await world.employee(region, agency, supervisor=self.head)
        self.staff = await world.employee(region, agency, supervisor=self.supervisor)
        period = await world.period(region)
        own = await world.plan(period, self.supervisor)
        await world.indicator(await world.target(own))
        self.plan = await world.plan(period, self.staff)
        self.kept = await world.target(self.plan)
        self.kept_indicator = await world.indicator(self.kept)
        self.doomed = await world.target(self.plan)
        self.doomed_indicator = await world.indicator(self.doomed)
        user = await world.user(region, Role.EMPLOYEE, employee=self.supervisor)
        self.copy = LocalCopy(world.auth(user))
        self.staff_auth = world.auth(await world.user(region, Role.EMPLOYEE, employee=self.staff))
        self.admin = world.auth(await world.user(region, Role.REGION_ADMIN))

    async def send(self, method: str, path: str, *, etag_of: str | None = None, **kw: Any) -> Any:
        headers = dict(kw.pop("headers", self.staff_auth))
        if etag_of is not None:
            current = await self.client.get(etag_of, headers=headers)
            headers["If-Match"] = current.headers["etag"]
        response = await self.client.request(method, path, headers=headers, **kw)
        assert response.status_code in (200, 201, 204), response.text
        return response.json() if response.content else None

    async def round(self) -> None:
        """Time passes, the copy syncs, and it must equal what a fresh full read returns."""
        await age_the_world(self.connection, self.role, HOUR)
        self.copy.age(HOUR)
        await self.copy.sync(self.client)
        fresh = await full_read(self.client, self.copy.headers)
        assert normalized(self.copy.rows) == normalized(fresh)

    def tombstones(self) -> set[tuple[str, str, str]]:
        return {(t["entity_type"], t["entity_id"], t["reason"]) for t in self.copy.tombstones}


@pytest.fixture
async def scene(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection, settings: Settings
) -> Scene:
    built = Scene(client, world, connection, settings.db_app_role or "kinerja_app")
    await built.build()
    await built.round()
    assert len(built.copy.rows["plan"]) == 2
    assert len(built.copy.rows["target"]) == 3
    return built


async def test_the_copy_follows_creates_and_edits(scene: Scene) -> None:
    target = await scene.send(
        "POST", f"/api/v1/plans/{scene.plan.id}/targets", json={"kind": "tambahan", "title": "Baru"}
    )
    indicator = await scene.send(
        "POST", f"/api/v1/targets/{target['id']}/indicators", json=INDICATOR
    )
    path = f"/api/v1/indicators/{scene.kept_indicator.id}"
    await scene.send("PATCH", path, etag_of=path, json={"target_value": "30"})
    await scene.round()
    assert scene.copy.fetched["target"] == {target["id"]}, "only what changed is fetched"
    assert scene.copy.fetched["indicator"] == {indicator["id"], str(scene.kept_indicator.id)}
    assert scene.copy.fetched["plan"] == {str(scene.plan.id)}
    assert scene.copy.rows["indicator"][path.rsplit("/", 1)[1]]["target_value"] == "30.0000"

    await scene.round()
    assert scene.copy.fetched == {"plan": set(), "target": set(), "indicator": set()}


async def test_the_copy_follows_deletes(scene: Scene) -> None:
    indicator_path = f"/api/v1/indicators/{scene.kept_indicator.id}"
    await scene.send("DELETE", indicator_path, etag_of=indicator_path)
    target_path = f"/api/v1/targets/{scene.doomed.id}"
    await scene.send("DELETE", target_path, etag_of=target_path)
    await scene.round()
    assert scene.tombstones() == {
        ("indicator", str(scene.kept_indicator.id), "deleted"),
        ("indicator", str(scene.doomed_indicator.id), "deleted"),
        ("target", str(scene.doomed.id), "deleted"),
    }
    assert str(scene.doomed.id) not in scene.copy.rows["target"]

    await scene.round()
    assert scene.tombstones() == set(), "tombstones already applied are not served again"


async def test_the_copy_follows_a_plan_out_of_sight_and_back(scene: Scene) -> None:
    employee = f"/api/v1/employees/{scene.staff.id}"
    await scene.send(
        "PATCH",
        employee,
        etag_of=employee,
        headers=scene.admin,
        json={"supervisor_id": str(scene.peer.id)},
    )
    await scene.round()
    assert ("plan", str(scene.plan.id), "hidden") in scene.tombstones()
    assert str(scene.plan.id) not in scene.copy.rows["plan"]
    assert len(scene.copy.rows["plan"]) == 1
    assert len(scene.copy.rows["target"]) == 1, "its targets went with it"

    await scene.send(
        "PATCH",
        employee,
        etag_of=employee,
        headers=scene.admin,
        json={"supervisor_id": str(scene.supervisor.id)},
    )
    await scene.round()
    assert scene.tombstones() == set(), "a plan back in sight has no tombstone for its reader"
    assert str(scene.plan.id) in scene.copy.rows["plan"]
    assert len(scene.copy.rows["target"]) == 3
