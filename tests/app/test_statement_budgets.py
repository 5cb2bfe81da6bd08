"""Statement budgets of the hot requests: how many SQL statements (database round trips) each
sends. A change that adds one fails here, so it is a decision rather than an accident; lower a
budget when a change saves one.

Counted is every statement the request's session sends through the test's connection, through
SQLAlchemy or straight to the driver (core.driver) alike; not asyncpg's own look-up of a type it
meets for the first time on a connection (once per connection). Its
transaction is a SAVEPOINT inside the test's own (see `app` in conftest) and its commit a
RELEASE SAVEPOINT; these are counted apart and stand for the BEGIN and COMMIT the deployed
service sends instead, which the driver issues without passing the statement events (two more
round trips per request in production, not in the budget). The tenancy's set_config is counted:
here the test's transaction has begun before the request, so it is sent as a statement of its
own; in production it travels with the BEGIN (auth/tenancy.py), one round trip less than
counted here (tests/auth/test_tenancy_on_begin.py)."""

from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.models.org import Role
from tests.factories import World
from tests.statements import Sent, sent

PLANS = "/api/v1/plans"
REPORTS = "/api/v1/progress-reports"

APPROVE_BUDGET = 8
REPORT_CREATE_BUDGET = 9
PLANS_LIST_BUDGET = 3


def assert_within(seen: Sent, budget: int) -> None:
    assert len(seen.statements) <= budget, (
        f"{len(seen.statements)} statements, budget {budget}:\n{seen.shown()}"
    )
    # One unit of work: one transaction (here a savepoint), begun and committed once.
    assert [s.split()[0].upper() for s in seen.savepoints] == ["SAVEPOINT", "RELEASE"]


@dataclass
class Org:
    world: World
    region: Any
    agency: Any
    period: Any
    supervisor: Any
    staff: Any
    supervisor_user: Any
    staff_user: Any
    admin_user: Any


@pytest.fixture
async def org(world: World) -> Org:
    region = await world.region()
    agency = await world.agency(region)
    unit = await world.agency(region, parent=agency)
    supervisor = await world.employee(region, agency, name="Kepala Bidang")
    staff = await world.employee(region, unit, supervisor=supervisor, name="Staf")
    return Org(
        world=world,
        region=region,
        agency=agency,
        period=await world.period(region),
        supervisor=supervisor,
        staff=staff,
        supervisor_user=await world.user(region, Role.EMPLOYEE, employee=supervisor),
        staff_user=await world.user(region, Role.EMPLOYEE, employee=staff),
        admin_user=await world.user(region, Role.REGION_ADMIN),
    )


async def plan_with_indicators(org: Org, employee: Any, **values: Any) -> Any:
    plan = await org.world.plan(org.period, employee, **values)
    for _ in range(2):
        target = await org.world.target(plan)
        await org.world.indicator(target)
    return plan


async def test_approving_a_plan(
    client: httpx.AsyncClient, org: Org, connection: AsyncConnection
) -> None:
    plan = await plan_with_indicators(
        org, org.staff, status="submitted", approver_id=org.supervisor.id
    )
    headers = {**org.world.auth(org.supervisor_user), "If-Match": "*"}
    with sent(connection) as seen:
        response = await client.post(f"{PLANS}/{plan.id}/approve", headers=headers)
    assert response.status_code == 200, response.text
    assert_within(seen, APPROVE_BUDGET)


async def test_creating_a_progress_report(
    client: httpx.AsyncClient, org: Org, connection: AsyncConnection
) -> None:
    plan = await plan_with_indicators(org, org.staff, status="approved")
    target = await org.world.target(plan)
    indicator = await org.world.indicator(target)
    headers = {**org.world.auth(org.staff_user), "Idempotency-Key": "budget-1"}
    body = {"indicator_id": str(indicator.id), "value": "1", "reported_for": str(date(2026, 1, 5))}
    with sent(connection) as seen:
        response = await client.post(REPORTS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert_within(seen, REPORT_CREATE_BUDGET)


async def test_listing_plans(
    client: httpx.AsyncClient, org: Org, connection: AsyncConnection
) -> None:
    for employee in (org.supervisor, org.staff):
        await plan_with_indicators(org, employee, status="submitted")
    query = {
        "agency_id": str(org.agency.id),
        "period_id": str(org.period.id),
        "status": "submitted",
        "limit": "50",
    }
    with sent(connection) as seen:
        response = await client.get(PLANS, params=query, headers=org.world.auth(org.admin_user))
    assert response.status_code == 200, response.text
    assert len(response.json()["items"]) == 2
    assert_within(seen, PLANS_LIST_BUDGET)
