"""The evaluations' demo: in every region a 360° cycle for the fourth quarter of the demo year,
region-wide and launched, so `employee@…` has colleagues, their supervisor and themselves to
rate, and `supervisor@…` has their team to rate and, once the cycle closes, the ratings of the
plans they approved to give. The cycle is found by its name; launching it again adds nothing."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.core import clock
from kinerja_api.core.audit import record_entity
from kinerja_api.demo.plans import DEMO_YEAR
from kinerja_api.demo.writing import DemoRegion, SeedReport
from kinerja_api.evaluations.cycles.repository import assign
from kinerja_api.models.evaluations import CycleStatus, EvaluationCycle
from kinerja_api.models.plans import Period

CYCLE_NAME = f"Evaluasi 360° Triwulan IV {DEMO_YEAR}"
OPENS_ON = date(DEMO_YEAR, 11, 16)
CLOSES_ON = date(DEMO_YEAR, 12, 31)
CYCLE_FIELDS = ("name", "period_id", "quarter", "opens_on", "closes_on", "status")


async def seed(session: AsyncSession, region: DemoRegion, report: SeedReport) -> None:
    cycle = await session.scalar(
        select(EvaluationCycle).where(
            EvaluationCycle.region_id == region.id, EvaluationCycle.name == CYCLE_NAME
        )
    )
    if cycle is None:
        period_id = await session.scalar(
            select(Period.id).where(Period.region_id == region.id, Period.year == DEMO_YEAR)
        )
        cycle = EvaluationCycle(
            region_id=region.id,
            period_id=period_id,
            quarter=4,
            name=CYCLE_NAME,
            opens_on=OPENS_ON,
            closes_on=CLOSES_ON,
        )
        session.add(cycle)
        await session.flush()
        await session.refresh(cycle)
        report.created["evaluation_cycle"] += 1
        await record_entity(session, None, "evaluation_cycle", "created", cycle, CYCLE_FIELDS)
    if cycle.status == CycleStatus.DRAFT:
        report.created["evaluation_assignment"] += await assign(session, cycle)
        cycle.status = CycleStatus.LAUNCHED
        cycle.launched_at = clock.utc_now()
        await session.flush()
        await record_entity(session, None, "evaluation_cycle", "launched", cycle, CYCLE_FIELDS)
