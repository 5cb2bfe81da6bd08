"""The test factories build rows that satisfy the schema's own rules."""

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
