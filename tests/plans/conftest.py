"""A small organisation with an open period: a head of agency, a supervisor reporting to them and
a staff member reporting to the supervisor, each signed in as an employee."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.models.audit import AuditEvent
from kinerja_api.models.events import OutboxEvent
from kinerja_api.models.org import Role
from tests.factories import World
from tests.statements import sent

PLANS = "/api/v1/plans"


@dataclass
class Team:
    world: World
    region: Any
    agency: Any
    unit: Any
    period: Any
    head: Any
    supervisor: Any
    staff: Any
    head_user: Any
    supervisor_user: Any
    staff_user: Any

    def auth(self, user: Any) -> dict[str, str]:
        return self.world.auth(user)


@pytest.fixture
async def team(world: World) -> Team:
    region = await world.region()
    agency = await world.agency(region)
    unit = await world.agency(region, parent=agency)
    head = await world.employee(region, agency, name="Kepala Dinas")
    supervisor = await world.employee(region, unit, supervisor=head, name="Kepala Bidang")
    staff = await world.employee(region, unit, supervisor=supervisor, name="Staf")
    return Team(
        world=world,
        region=region,
        agency=agency,
        unit=unit,
        period=await world.period(region),
        head=head,
        supervisor=supervisor,
        staff=staff,
        head_user=await world.user(region, Role.EMPLOYEE, employee=head),
        supervisor_user=await world.user(region, Role.EMPLOYEE, employee=supervisor),
        staff_user=await world.user(region, Role.EMPLOYEE, employee=staff),
    )


async def etag(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> str:
    response = await client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return response.headers["etag"]


async def transition(
    client: httpx.AsyncClient,
    plan_id: object,
    action: str,
    headers: dict[str, str],
    *,
    json: dict[str, Any] | None = None,
    if_match: str = "*",
) -> httpx.Response:
    return await client.post(
        f"{PLANS}/{plan_id}/{action}", json=json, headers={**headers, "If-Match": if_match}
    )


async def ready_plan(world: World, period: Any, employee: Any, **values: Any) -> Any:
    """A draft plan with one target and one indicator, ready to submit."""
    plan = await world.plan(period, employee, **values)
    target = await world.target(plan)
    await world.indicator(target)
    return plan


@contextmanager
def statements(connection: AsyncConnection) -> Iterator[list[str]]:
    """The SQL the app sends through the test's connection while inside the block, in order."""
    with sent(connection) as seen:
        yield seen.all


async def outbox_rows(connection: AsyncConnection, entity_id: object) -> list[tuple[Any, ...]]:
    """(type, entity_type, entity_id, region_id, employee_id) of an entity's outbox events."""
    await enter_all_regions(connection)
    rows = await connection.execute(
        select(
            OutboxEvent.type,
            OutboxEvent.entity_type,
            OutboxEvent.entity_id,
            OutboxEvent.region_id,
            OutboxEvent.employee_id,
        )
        .where(OutboxEvent.entity_id == entity_id)
        .order_by(OutboxEvent.id)
    )
    return [tuple(row) for row in rows.all()]


async def audit_rows(connection: AsyncConnection, entity_id: object) -> list[tuple[Any, ...]]:
    """(action, entity_type, region_id, actor_id) of an entity's audit events."""
    await enter_all_regions(connection)
    rows = await connection.execute(
        select(AuditEvent.action, AuditEvent.entity_type, AuditEvent.region_id, AuditEvent.actor_id)
        .where(AuditEvent.entity_id == str(entity_id))
        .order_by(AuditEvent.id)
    )
    return [tuple(row) for row in rows.all()]
