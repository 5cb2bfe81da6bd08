"""The statements progress reports are read and written with, and the one condition that says
which reports a principal may read (`readable`), used by get, list and verification."""

import uuid
from typing import Any

from sqlalchemy import ColumnElement, Select, Uuid, and_, bindparam, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import employee_visible, in_region
from kinerja_api.auth.principal import Principal
from kinerja_api.models.org import Region
from kinerja_api.models.plans import Indicator, Period, Plan, Target
from kinerja_api.models.progress import ProgressReport, ReportStatus

READ_SCOPE = "progress:read"


def readable(principal: Principal) -> ColumnElement[bool]:
    """Reports are read by the readers of the employee they belong to (themselves, their
    supervisor chain, their agency's administrators, region-wide roles), and by service
    accounts holding `progress:read` in their region."""
    if principal.kind == "service_account":
        if READ_SCOPE not in principal.scopes:
            return false()
        return in_region(principal, ProgressReport.region_id)
    return and_(
        in_region(principal, ProgressReport.region_id),
        employee_visible(principal, ProgressReport.employee_id),
    )


def readable_reports(principal: Principal) -> Select[Any]:
    return select(ProgressReport).where(readable(principal))


async def find(
    session: AsyncSession, principal: Principal, report_id: uuid.UUID, *, lock: bool = False
) -> ProgressReport | None:
    statement = readable_reports(principal).where(ProgressReport.id == report_id)
    if lock:
        statement = statement.with_for_update(of=ProgressReport)
    report: ProgressReport | None = await session.scalar(statement)
    return report


async def is_readable(session: AsyncSession, principal: Principal, report_id: uuid.UUID) -> bool:
    found = await session.scalar(
        select(ProgressReport.id).where(ProgressReport.id == report_id, readable(principal))
    )
    return found is not None


async def get_for_update_in_region(
    session: AsyncSession, principal: Principal, report_id: uuid.UUID
) -> ProgressReport | None:
    report: ProgressReport | None = await session.scalar(
        select(ProgressReport)
        .where(ProgressReport.id == report_id, in_region(principal, ProgressReport.region_id))
        .with_for_update()
    )
    return report


# Built once: building the statement costs more CPU than running it.
_INDICATOR_CONTEXT = (
    select(Indicator, Target, Plan, Period, Region.timezone)
    .join(Target, Target.id == Indicator.target_id)
    .join(Plan, Plan.id == Indicator.plan_id)
    .join(Period, Period.id == Plan.period_id)
    .join(Region, Region.id == Indicator.region_id)
    .where(
        Indicator.id == bindparam("indicator_id", type_=Uuid),
        Indicator.region_id == bindparam("region_id", type_=Uuid),
    )
    .with_for_update(of=Period, read=True)
)


async def indicator_context(
    session: AsyncSession, indicator_id: uuid.UUID, region_id: uuid.UUID
) -> tuple[Indicator, Target, Plan, Period, str] | None:
    """An indicator of the region with its target, plan, period (locked FOR SHARE, as for plans:
    closing the period, FOR UPDATE, waits for the report) and the region's time zone."""
    row = (
        await session.execute(
            _INDICATOR_CONTEXT, {"indicator_id": indicator_id, "region_id": region_id}
        )
    ).first()
    return None if row is None else (row[0], row[1], row[2], row[3], row[4])


async def period_of_plan_for_share(session: AsyncSession, plan_id: uuid.UUID) -> Period | None:
    # FOR SHARE, as for plans: closing the period (FOR UPDATE) waits for this change.
    period: Period | None = await session.scalar(
        select(Period)
        .join(Plan, Plan.period_id == Period.id)
        .where(Plan.id == plan_id)
        .with_for_update(of=Period, read=True)
    )
    return period


async def period_year(session: AsyncSession, plan_id: uuid.UUID) -> int | None:
    year: int | None = await session.scalar(
        select(Period.year).join(Plan, Plan.period_id == Period.id).where(Plan.id == plan_id)
    )
    return year


async def approver_of(session: AsyncSession, plan_id: uuid.UUID) -> uuid.UUID | None:
    approver: uuid.UUID | None = await session.scalar(
        select(Plan.approver_id).where(Plan.id == plan_id)
    )
    return approver


async def target_is_public(session: AsyncSession, target_id: uuid.UUID) -> bool:
    return bool(await session.scalar(select(Target.public).where(Target.id == target_id)))


async def status_counts(session: AsyncSession, plan_id: uuid.UUID) -> dict[ReportStatus, int]:
    rows = await session.execute(
        select(ProgressReport.status, func.count())
        .where(ProgressReport.plan_id == plan_id)
        .group_by(ProgressReport.status)
    )
    counts = dict.fromkeys(ReportStatus, 0)
    for status, count in rows:
        counts[ReportStatus(status)] = int(count)
    return counts
