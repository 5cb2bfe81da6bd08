"""When a complaint is due, when it is late, and until when a citizen may reopen it: working
days in the region's zone and holiday calendar."""

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.core import clock
from kinerja_api.core.ratelimit import settings_of
from kinerja_api.feedback import workdays
from kinerja_api.feedback.complaints import repository
from kinerja_api.models.feedback import Complaint, ComplaintStatus


async def due_at(
    session: AsyncSession, request: Request, region_id: uuid.UUID, start: datetime
) -> datetime:
    """`complaint_due_working_days` working days after `start`'s day in the region's calendar."""
    days = settings_of(request).complaint_due_working_days
    return await region_deadline(session, region_id, start, days)


async def region_deadline(
    session: AsyncSession, region_id: uuid.UUID, start: datetime, working_days: int
) -> datetime:
    """`working_days` working days after `start`'s day, in the region's zone and calendar."""
    [deadline] = await region_deadlines(session, region_id, [start], working_days)
    return deadline


async def region_deadlines(
    session: AsyncSession, region_id: uuid.UUID, starts: Sequence[datetime], working_days: int
) -> list[datetime]:
    """The deadline of each of `starts` (complaints received at once, an import's), with one
    look-up of the region's zone and of its holidays."""
    if not starts:
        return []
    zone = ZoneInfo(await clock.region_zone(session, region_id))
    spans = [workdays.horizon(start, zone, working_days) for start in starts]
    first, last = min(span[0] for span in spans), max(span[1] for span in spans)
    holidays = await repository.holidays_between(session, region_id, first, last)
    return [workdays.deadline(start, zone, holidays, working_days).due_at for start in starts]


def is_overdue(complaint: Complaint) -> bool:
    return complaint.status != ComplaintStatus.RESOLVED and complaint.due_at < clock.utc_now()


def reopen_until(request: Request, complaint: Complaint) -> datetime | None:
    if complaint.status != ComplaintStatus.RESOLVED or complaint.resolved_at is None:
        return None
    return complaint.resolved_at + timedelta(days=settings_of(request).complaint_reopen_days)
