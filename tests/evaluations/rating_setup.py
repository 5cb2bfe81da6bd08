"""A small organisation whose staff have approved plans with known achievement, and the calls
that rate, calibrate and lock them, for the ratings, calibration and objections tests."""

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.models.events import OutboxEvent
from kinerja_api.models.org import Role
from kinerja_api.models.progress import ProgressReport
from tests.factories import World

RATINGS = "/api/v1/evaluation-ratings"
AGENCY_RATINGS = "/api/v1/agency-ratings"
OBJECTIONS = "/api/v1/evaluation-objections"

# (kind, achieved percent) of each target; every target has one indicator of target value 100.
Results = list[tuple[str, str]]
MEETS: Results = [("utama", "100")]


@dataclass
class Unit:
    """A head (kepala) over a rater (the pejabat penilai, who approved the staff's plans) over
    the staff; a peer of the rater under the head; their users; the period."""

    world: World
    region: Any
    agency: Any
    head: Any
    rater: Any
    peer: Any
    head_user: Any
    rater_user: Any
    peer_user: Any
    period: Any
    staff: list[Any] = field(default_factory=list)
    staff_users: list[Any] = field(default_factory=list)
    plans: list[Any] = field(default_factory=list)

    def auth(self, user: Any) -> dict[str, str]:
        return self.world.auth(user)

    async def add_staff(self, results: Results = MEETS, agency: Any = None) -> int:
        """A staff member under the rater with an approved plan achieving `results`; their
        index in `staff`."""
        world = self.world
        employee = await world.employee(self.region, agency or self.agency, supervisor=self.rater)
        self.staff.append(employee)
        self.staff_users.append(await world.user(self.region, Role.EMPLOYEE, employee=employee))
        self.plans.append(await plan_with_results(world, self.period, employee, results))
        return len(self.staff) - 1


async def unit(world: World, timezone: str = "Asia/Jakarta", staff: int = 1) -> Unit:
    region = await world.region(timezone=timezone)
    agency = await world.agency(region)
    head = await world.employee(region, agency)
    rater = await world.employee(region, agency, supervisor=head)
    peer = await world.employee(region, agency, supervisor=head)
    users = [await world.user(region, Role.EMPLOYEE, employee=e) for e in (head, rater, peer)]
    head_user, rater_user, peer_user = users
    built = Unit(
        world,
        region,
        agency,
        head,
        rater,
        peer,
        head_user,
        rater_user,
        peer_user,
        await world.period(region),
    )
    for _ in range(staff):
        await built.add_staff()
    return built


async def plan_with_results(world: World, period: Any, employee: Any, results: Results) -> Any:
    """An approved plan (approved by the employee's supervisor) whose targets achieve the
    percentages given, through accepted progress reports."""
    plan = await world.plan(period, employee, status="approved")
    for position, (kind, percent) in enumerate(results):
        target = await world.target(plan, kind=kind, position=position)
        indicator = await world.indicator(target, target_value=100)
        await world._insert(
            ProgressReport,
            region_id=plan.region_id,
            plan_id=plan.id,
            target_id=target.id,
            indicator_id=indicator.id,
            employee_id=employee.id,
            agency_id=employee.agency_id,
            value=Decimal(percent),
            reported_for=date(2026, 5, 10),
            year=2026,
            quarter=2,
            status="accepted",
        )
    return plan


async def rate(
    client: httpx.AsyncClient,
    unit: Unit,
    index: int = 0,
    hasil_kerja: str = "meets",
    perilaku: str = "meets",
    **extra: Any,
) -> httpx.Response:
    body = {"plan_id": str(unit.plans[index].id), "hasil_kerja": hasil_kerja, "perilaku": perilaku}
    return await client.post(RATINGS, json={**body, **extra}, headers=unit.auth(unit.rater_user))


async def calibrate(
    client: httpx.AsyncClient, unit: Unit, admin: Any, predicate: str = "istimewa"
) -> httpx.Response:
    body = {
        "agency_id": str(unit.agency.id),
        "period_id": str(unit.period.id),
        "predicate": predicate,
    }
    return await client.post(AGENCY_RATINGS, json=body, headers=unit.auth(admin))


async def lock(
    client: httpx.AsyncClient, unit: Unit, admin: Any, agency_rating: Any
) -> httpx.Response:
    url = f"{AGENCY_RATINGS}/{agency_rating['id']}"
    current = await client.get(url, headers=unit.auth(admin))
    return await client.post(
        f"{url}/lock", headers={**unit.auth(admin), "If-Match": current.headers["ETag"]}
    )


async def locked_rating(
    client: httpx.AsyncClient, unit: Unit, hasil_kerja: str = "meets", perilaku: str = "meets"
) -> dict[str, Any]:
    """The first staff member rated and the agency's ratings locked (organisation predikat
    `istimewa`, which any spread without too many Sangat Baik fits)."""
    rated = await rate(client, unit, 0, hasil_kerja, perilaku)
    assert rated.status_code == 201, rated.text
    admin = await unit.world.user(unit.region, Role.REGION_ADMIN)
    agency_rating = await calibrate(client, unit, admin)
    assert agency_rating.status_code == 201, agency_rating.text
    locked = await lock(client, unit, admin, agency_rating.json())
    assert locked.status_code == 200, locked.text
    body: dict[str, Any] = (
        await client.get(f"{RATINGS}/{rated.json()['id']}", headers=unit.auth(unit.rater_user))
    ).json()
    return body


async def outbox(connection: AsyncConnection, entity_id: object) -> list[tuple[str, Any]]:
    """(type, employee_id) of the events about an entity, in order."""
    await enter_all_regions(connection)
    rows = await connection.execute(
        select(OutboxEvent.type, OutboxEvent.employee_id)
        .where(OutboxEvent.entity_id == uuid.UUID(str(entity_id)))
        .order_by(OutboxEvent.id)
    )
    return [(row.type, row.employee_id) for row in rows]
