"""The evaluations' periodic chores: assignments still unanswered after their cycle's close date
(a day in the region's time zone) become overdue, and each rater is told of each one."""

import logging
import uuid
from datetime import date

from procrastinate import JobContext
from sqlalchemy import bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Date, Uuid

from kinerja_api.auth.tenancy import enter_region
from kinerja_api.core import clock
from kinerja_api.core.jobs import app, resources
from kinerja_api.models.org import Region

logger = logging.getLogger("kinerja_api.evaluations.tasks")

# One region's overdue assignments, marked and announced in one statement: only pending ones
# change, so a second run marks and announces nothing. The event goes to the rater alone
# (`employee_id`), and names the assignment, never the ratee.
_MARK_OVERDUE = text(
    """
with due as (
    update evaluation_assignments a
    set status = 'overdue', version = a.version + 1, updated_at = now()
    from evaluation_cycles c
    where a.region_id = :region_id
      and c.region_id = :region_id
      and c.id = a.cycle_id
      and a.status = 'pending'
      and c.status in ('launched', 'closed')
      and c.closes_on < :today
    returning a.id, a.cycle_id, a.rater_id, a.due_on
),
announced as (
    insert into outbox_events (region_id, type, entity_type, entity_id, employee_id, payload)
    select :region_id, 'evaluation.overdue', 'evaluation_assignment', due.id, due.rater_id,
           jsonb_build_object(
               'assignment_id', due.id,
               'cycle_id', due.cycle_id,
               'due_on', due.due_on,
               'status', 'overdue'
           )
    from due
    order by due.id
)
select count(*) from due
"""
).bindparams(bindparam("region_id", type_=Uuid), bindparam("today", type_=Date))


async def mark_overdue_in(session: AsyncSession, region_id: uuid.UUID, today: date) -> int:
    await enter_region(session, region_id)
    marked = await session.scalar(_MARK_OVERDUE, {"region_id": region_id, "today": today})
    return int(marked or 0)


async def mark_overdue(session: AsyncSession) -> int:
    """Every region's, each by its own calendar; answers how many were marked."""
    regions = (await session.execute(select(Region.id, Region.timezone))).all()
    marked = 0
    for region_id, zone in regions:
        marked += await mark_overdue_in(session, region_id, clock.today_in(zone))
    return marked


@app.periodic(cron="7 * * * *")
@app.task(name="evaluations.mark_overdue", pass_context=True)
async def mark_overdue_assignments(context: JobContext, timestamp: int) -> None:
    """Hourly, so that each region's midnight (WIB, WITA, WIT alike) is caught within the hour;
    a run that finds nothing new changes nothing."""
    worker = resources(context)
    async with worker.db.transaction() as session:
        marked = await mark_overdue(session)
    if marked:
        logger.info("evaluation assignments overdue", extra={"marked": marked})
