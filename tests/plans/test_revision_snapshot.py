"""The approved revision's snapshot, assembled by the insert in SQL, is exactly what
`plan_snapshot` builds from the entities in Python (which the demo data still uses)."""

from decimal import Decimal

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.models.plans import Plan, PlanRevision
from kinerja_api.plans.revisions import plan_snapshot
from tests.plans.conftest import Team, transition


async def test_the_stored_snapshot_is_the_one_python_builds(
    client: httpx.AsyncClient, team: Team, connection: AsyncConnection
) -> None:
    world = team.world
    head_plan = await world.plan(team.period, team.head, status="approved")
    parent = await world.target(head_plan)
    plan = await world.plan(
        team.period, team.staff, status="submitted", approver_id=team.supervisor.id
    )
    main = await world.target(
        plan,
        description="Sasaran utama",
        public=True,
        parent_target_id=parent.id,
        cascade_mode="direct",
        position=2,
    )
    extra = await world.target(plan, kind="tambahan", position=1)
    await world.indicator(main, target_value=Decimal("12.5"), weight=Decimal("60"), position=1)
    await world.indicator(main, target_value=100, aggregation="latest", weight=Decimal("40.25"))
    await world.indicator(extra, target_value=Decimal("0.0001"))
    await world.target(plan, title="Tanpa indikator", position=3)

    approved = await transition(client, plan.id, "approve", team.auth(team.supervisor_user))
    assert approved.status_code == 200, approved.text

    await enter_all_regions(connection)
    stored = await connection.scalar(
        select(PlanRevision.snapshot).where(PlanRevision.plan_id == plan.id)
    )
    session = AsyncSession(bind=connection)
    expected = await plan_snapshot(session, await session.get_one(Plan, plan.id))
    assert stored == expected
    assert [len(t["indicators"]) for t in stored["targets"]] == [1, 2, 0]
    main_values = [i["target_value"] for i in stored["targets"][1]["indicators"]]
    assert main_values == ["100.0000", "12.5000"]
