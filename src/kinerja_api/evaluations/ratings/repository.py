"""The statements ratings are read and written with, and the one condition that says which
ratings a principal may read (`readable`), used by get, list and the objections' readers."""

import uuid
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from kinerja_api.auth.policies import (
    REGION_WIDE_READERS,
    agency_in_subtree,
    agency_path_of,
    in_region,
    subordinates_of,
)
from kinerja_api.auth.principal import Principal
from kinerja_api.models.evaluations import AgencyRating, EvaluationRating
from kinerja_api.models.org import Agency, Employee, Role
from kinerja_api.models.plans import Target

READ_SCOPE = "evaluations:read"


def readable(principal: Principal) -> ColumnElement[bool]:
    """Region-wide readers (region administrators, auditors) and superadmins see the region's
    ratings; agency administrators those of their subtree (by the plan's agency); employees
    their own, those they gave, and their reports' (transitively); service accounts the
    region's, holding `evaluations:read`."""
    rating = EvaluationRating
    if principal.is_superadmin or principal.has_any(*REGION_WIDE_READERS):
        return in_region(principal, rating.region_id)
    if principal.kind == "service_account":
        return in_region(principal, rating.region_id) if READ_SCOPE in principal.scopes else false()
    conditions: list[ColumnElement[bool]] = []
    if principal.has_any(Role.AGENCY_ADMIN):
        conditions.append(agency_in_subtree(principal, rating.agency_id))
    if principal.employee_id is not None:
        me = principal.employee_id
        conditions.append(rating.employee_id == me)
        conditions.append(rating.rater_id == me)
        conditions.append(rating.employee_id.in_(subordinates_of(me)))
    if not conditions:
        return false()
    return and_(in_region(principal, rating.region_id), or_(*conditions))


def readable_ratings(principal: Principal) -> Select[Any]:
    return select(EvaluationRating).where(readable(principal))


async def find(
    session: AsyncSession, principal: Principal, rating_id: uuid.UUID
) -> EvaluationRating | None:
    rating: EvaluationRating | None = await session.scalar(
        readable_ratings(principal).where(EvaluationRating.id == rating_id)
    )
    return rating


async def lock(session: AsyncSession, rating: EvaluationRating) -> None:
    """Locks the rating's row and reads it again, so checks after this see the latest state."""
    await session.refresh(rating, with_for_update=True)


async def of_employee(
    session: AsyncSession, region_id: uuid.UUID, period_id: uuid.UUID, employee_id: uuid.UUID
) -> uuid.UUID | None:
    found: uuid.UUID | None = await session.scalar(
        select(EvaluationRating.id).where(
            EvaluationRating.region_id == region_id,
            EvaluationRating.period_id == period_id,
            EvaluationRating.employee_id == employee_id,
        )
    )
    return found


async def covering_lock_status(
    session: AsyncSession, region_id: uuid.UUID, period_id: uuid.UUID, agency_id: uuid.UUID
) -> str | None:
    """The status of the organisation predikat whose agency subtree holds `agency_id` for the
    period (None: none yet), its row locked FOR SHARE: locking the agency's ratings (FOR
    UPDATE) waits for this change, and this change for the lock."""
    root = aliased(Agency)
    status: str | None = await session.scalar(
        select(AgencyRating.status)
        .join(root, root.id == AgencyRating.agency_id)
        .where(
            AgencyRating.region_id == region_id,
            AgencyRating.period_id == period_id,
            agency_path_of(agency_id).scalar_subquery().startswith(root.path, autoescape=False),
        )
        .with_for_update(read=True, of=AgencyRating)
    )
    return status


async def targets_of_plan(
    session: AsyncSession, region_id: uuid.UUID, plan_id: uuid.UUID
) -> list[Any]:
    """The plan's targets (id, kind, title) in display order."""
    rows = await session.execute(
        select(Target.id, Target.kind, Target.title)
        .where(Target.region_id == region_id, Target.plan_id == plan_id)
        .order_by(Target.position, Target.created_at, Target.id)
    )
    return list(rows)


async def supervisor_of(session: AsyncSession, employee_id: uuid.UUID) -> uuid.UUID | None:
    supervisor: uuid.UUID | None = await session.scalar(
        select(Employee.supervisor_id).where(Employee.id == employee_id)
    )
    return supervisor
