"""Public transparency: targets marked public, with their agency, indicators and achievement.
Nothing here names a person: no employee, NIP, plan or author ever leaves this module."""

import uuid
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import not_found
from kinerja_api.auth.tenancy import enter_region
from kinerja_api.core.pagination import Keyset, PageParams, fetch_page, list_scope
from kinerja_api.models.org import Agency, Region
from kinerja_api.models.plans import Indicator, Period, Plan, PlanStatus, Target
from kinerja_api.plans.api import TargetAchievement, targets_achievement

_BY_TARGET = Keyset((Target.id,))


@dataclass(frozen=True, slots=True)
class PublicTarget:
    target: Target
    agency: Agency
    year: int
    indicators: list[Indicator]
    achievement: TargetAchievement


async def enter_public_region(session: AsyncSession, code: str) -> Region:
    """The region named by `code` (404 when unknown or inactive), entered for RLS."""
    region: Region | None = await session.scalar(
        select(Region).where(Region.code == code, Region.active.is_(True))
    )
    if region is None:
        raise not_found("Region")
    await enter_region(session, region.id)
    return region


async def list_public_targets(
    session: AsyncSession,
    code: str,
    *,
    year: int | None,
    page: PageParams,
) -> tuple[list[PublicTarget], str | None]:
    region = await enter_public_region(session, code)
    statement: Select[Any] = cast(
        "Select[Any]",
        select(Target, Agency, Period.year)
        .join(Plan, Plan.id == Target.plan_id)
        .join(Period, Period.id == Plan.period_id)
        .join(Agency, Agency.id == Plan.agency_id)
        .where(
            Target.region_id == region.id,
            Target.public.is_(True),
            Plan.status == PlanStatus.APPROVED,
        ),
    )
    if year is not None:
        statement = statement.where(Period.year == year)
    rows, cursor = await fetch_page(
        session,
        statement,
        keyset=_BY_TARGET,
        key_of=lambda row: (row[0].id,),
        params=page,
        scope=list_scope("public-progress", "target", {"region": region.id, "year": year}),
    )
    target_ids = [row[0].id for row in rows]
    achievement = await targets_achievement(session, [row[0] for row in rows])
    indicators: dict[uuid.UUID, list[Indicator]] = {target_id: [] for target_id in target_ids}
    for indicator in await session.scalars(
        select(Indicator)
        .where(Indicator.region_id == region.id, Indicator.target_id.in_(target_ids))
        .order_by(Indicator.position, Indicator.id)
    ):
        indicators[indicator.target_id].append(indicator)
    items = [
        PublicTarget(target, agency, year_, indicators[target.id], achievement[target.id])
        for target, agency, year_ in rows
    ]
    return items, cursor
