"""The statements organisation predikat are read and written with, the one condition that says
who may read them (`readable`), and the agency's ratings they calibrate: those of the agency's
subtree for the period."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    any_,
    false,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from kinerja_api.auth.policies import REGION_WIDE_READERS, agency_in_subtree, in_region
from kinerja_api.auth.principal import Principal
from kinerja_api.evaluations.ratings.repository import READ_SCOPE
from kinerja_api.models.evaluations import (
    AgencyRating,
    EvaluationRating,
    Predicate,
    RatingStatus,
)
from kinerja_api.models.org import Agency, Role
from kinerja_api.models.plans import Period

_RATINGS = cast(Table, EvaluationRating.__table__)


def readable(principal: Principal) -> ColumnElement[bool]:
    """Region-wide readers and superadmins see the region's organisation predikat; agency
    administrators those of agencies in their subtree; service accounts the region's, holding
    `evaluations:read`."""
    if principal.is_superadmin or principal.has_any(*REGION_WIDE_READERS):
        return in_region(principal, AgencyRating.region_id)
    if principal.kind == "service_account":
        if READ_SCOPE in principal.scopes:
            return in_region(principal, AgencyRating.region_id)
        return false()
    if principal.has_any(Role.AGENCY_ADMIN):
        return and_(
            in_region(principal, AgencyRating.region_id),
            agency_in_subtree(principal, AgencyRating.agency_id),
        )
    return false()


def readable_agency_ratings(principal: Principal) -> Select[Any]:
    return select(AgencyRating).where(readable(principal))


async def find(
    session: AsyncSession, principal: Principal, agency_rating_id: uuid.UUID
) -> AgencyRating | None:
    found: AgencyRating | None = await session.scalar(
        readable_agency_ratings(principal).where(AgencyRating.id == agency_rating_id)
    )
    return found


async def lock(session: AsyncSession, agency_rating: AgencyRating) -> None:
    """Locks the row (ratings being written in its subtree wait, see
    `ratings.repository.covering_lock_status`) and reads it again."""
    await session.refresh(agency_rating, with_for_update=True)


async def agency_path(
    session: AsyncSession, region_id: uuid.UUID, agency_id: uuid.UUID
) -> str | None:
    path: str | None = await session.scalar(
        select(Agency.path).where(Agency.id == agency_id, Agency.region_id == region_id)
    )
    return path


async def period_in_region(
    session: AsyncSession, region_id: uuid.UUID, period_id: uuid.UUID
) -> bool:
    found = await session.scalar(
        select(Period.id).where(Period.id == period_id, Period.region_id == region_id)
    )
    return found is not None


async def overlapping(
    session: AsyncSession, region_id: uuid.UUID, period_id: uuid.UUID, path: str
) -> uuid.UUID | None:
    """An organisation predikat of the period for an agency above or below the agency at
    `path` (or that agency itself): their subtrees would share ratings."""
    other = aliased(Agency)
    found: uuid.UUID | None = await session.scalar(
        select(AgencyRating.id)
        .join(other, other.id == AgencyRating.agency_id)
        .where(
            AgencyRating.region_id == region_id,
            AgencyRating.period_id == period_id,
            or_(
                other.path.startswith(path, autoescape=True),
                literal(path).startswith(other.path, autoescape=False),
            ),
        )
        .limit(1)
    )
    return found


def _in_subtree(region_id: uuid.UUID, period_id: uuid.UUID, root_path: str) -> list[Any]:
    members = select(Agency.id).where(
        Agency.region_id == region_id, Agency.path.startswith(root_path, autoescape=True)
    )
    return [
        _RATINGS.c.region_id == region_id,
        _RATINGS.c.period_id == period_id,
        _RATINGS.c.agency_id == any_(func.array(members.scalar_subquery())),
    ]


async def predicate_counts(
    session: AsyncSession, region_id: uuid.UUID, period_id: uuid.UUID, root_path: str
) -> dict[Predicate, int]:
    """How many of the subtree's ratings for the period carry each predikat."""
    rows = await session.execute(
        select(_RATINGS.c.predicate, func.count())
        .where(*_in_subtree(region_id, period_id, root_path))
        .group_by(_RATINGS.c.predicate)
    )
    return {Predicate(predicate): count for predicate, count in rows}


async def lock_ratings(
    session: AsyncSession,
    region_id: uuid.UUID,
    period_id: uuid.UUID,
    root_path: str,
    locked_at: datetime,
) -> Sequence[Any]:
    """Locks every draft rating of the subtree for the period in one statement; the rows
    locked (what their events and audit need)."""
    rows = await session.execute(
        update(_RATINGS)
        .where(
            *_in_subtree(region_id, period_id, root_path),
            _RATINGS.c.status == RatingStatus.DRAFT,
        )
        .values(
            status=RatingStatus.LOCKED.value,
            locked_at=locked_at,
            version=_RATINGS.c.version + 1,
            updated_at=func.now(),
        )
        .returning(
            _RATINGS.c.id,
            _RATINGS.c.region_id,
            _RATINGS.c.period_id,
            _RATINGS.c.employee_id,
            _RATINGS.c.agency_id,
            _RATINGS.c.status,
        )
    )
    return list(rows)
