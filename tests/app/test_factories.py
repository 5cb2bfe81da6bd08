"""The test factories build rows that satisfy the schema's own rules."""

from sqlalchemy import select

from kinerja_api.auth.policies import employee_visible
from kinerja_api.auth.principal import Principal
from kinerja_api.models.org import Role
from kinerja_api.models.plans import Plan
from tests.factories import World


async def test_plan_factories_build_an_approved_plan_with_an_indicator(world: World) -> None:
    region = await world.region()
    agency = await world.agency(region)
    supervisor = await world.employee(region, agency)
    employee = await world.employee(region, agency, supervisor=supervisor)
    plan = await world.plan(await world.period(region), employee, status="approved")
    indicator = await world.indicator(await world.target(plan), target_value=12)
    assert (plan.approved_revision, plan.approver_id) == (1, supervisor.id)
    assert (indicator.plan_id, indicator.region_id) == (plan.id, region.id)


async def test_employee_visible_follows_the_supervisor_chain(world: World) -> None:
    region = await world.region()
    agency = await world.agency(region)
    head = await world.employee(region, agency)
    staff = await world.employee(region, agency, supervisor=head)
    period = await world.period(region)
    own, subordinates = await world.plan(period, head), await world.plan(period, staff)

    def reader(employee_id: object) -> Principal:
        return Principal(
            kind="user",
            id=employee_id,  # type: ignore[arg-type]
            region_id=region.id,
            roles=frozenset({Role.EMPLOYEE}),
            employee_id=employee_id,  # type: ignore[arg-type]
        )

    async def visible_plans(principal: Principal) -> set[object]:
        rows = await world.connection.scalars(
            select(Plan.id).where(employee_visible(principal, Plan.employee_id))
        )
        return set(rows)

    assert await visible_plans(reader(head.id)) == {own.id, subordinates.id}
    assert await visible_plans(reader(staff.id)) == {subordinates.id}
