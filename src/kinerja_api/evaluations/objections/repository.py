"""The statements objections are read and written with, and the one condition that says which
objections a principal may read (`readable`)."""

import uuid
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import REGION_WIDE_READERS, agency_in_subtree, in_region
from kinerja_api.auth.principal import Principal
from kinerja_api.evaluations.ratings.repository import READ_SCOPE
from kinerja_api.models.evaluations import EvaluationObjection, EvaluationRating
from kinerja_api.models.org import Role


def readable(principal: Principal) -> ColumnElement[bool]:
    """Region-wide readers and superadmins see the region's objections; agency administrators
    those against ratings of their subtree; employees their own and those they decide;
    service accounts the region's, holding `evaluations:read`."""
    objection = EvaluationObjection
    if principal.is_superadmin or principal.has_any(*REGION_WIDE_READERS):
        return in_region(principal, objection.region_id)
    if principal.kind == "service_account":
        if READ_SCOPE in principal.scopes:
            return in_region(principal, objection.region_id)
        return false()
    conditions: list[ColumnElement[bool]] = []
    if principal.has_any(Role.AGENCY_ADMIN):
        conditions.append(
            exists(
                select(literal(1)).where(
                    EvaluationRating.region_id == objection.region_id,
                    EvaluationRating.id == objection.rating_id,
                    agency_in_subtree(principal, EvaluationRating.agency_id),
                )
            )
        )
    if principal.employee_id is not None:
        conditions.append(objection.employee_id == principal.employee_id)
        conditions.append(objection.decider_id == principal.employee_id)
    if not conditions:
        return false()
    return and_(in_region(principal, objection.region_id), or_(*conditions))


def readable_objections(principal: Principal) -> Select[Any]:
    return select(EvaluationObjection).where(readable(principal))


async def find(
    session: AsyncSession, principal: Principal, objection_id: uuid.UUID
) -> EvaluationObjection | None:
    found: EvaluationObjection | None = await session.scalar(
        readable_objections(principal).where(EvaluationObjection.id == objection_id)
    )
    return found


async def lock(session: AsyncSession, objection: EvaluationObjection) -> None:
    await session.refresh(objection, with_for_update=True)


async def of_rating(
    session: AsyncSession, region_id: uuid.UUID, rating_id: uuid.UUID
) -> uuid.UUID | None:
    found: uuid.UUID | None = await session.scalar(
        select(EvaluationObjection.id).where(
            EvaluationObjection.region_id == region_id,
            EvaluationObjection.rating_id == rating_id,
        )
    )
    return found


async def rating_for_update(
    session: AsyncSession, region_id: uuid.UUID, rating_id: uuid.UUID
) -> EvaluationRating:
    rating: EvaluationRating = (
        await session.scalars(
            select(EvaluationRating)
            .where(EvaluationRating.region_id == region_id, EvaluationRating.id == rating_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).one()
    return rating
