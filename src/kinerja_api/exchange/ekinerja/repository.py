"""What the e-Kinerja document is read from, in four statements whatever the number of plans:
the plans of an agency subtree in a period that the caller may read (with the employee, their
agency and the approving superior), their RHK (with the superior's RHK each intervenes in),
their indicators, and their locked ratings."""

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from kinerja_api.auth.principal import Principal
from kinerja_api.models.evaluations import EvaluationRating
from kinerja_api.models.org import Agency, Employee, Region
from kinerja_api.models.plans import Indicator, Period, Plan, Target
from kinerja_api.org.agencies.service import in_subtree
from kinerja_api.org.agencies.service import readable as readable_agencies
from kinerja_api.plans.api import readable_plans

_APPROVER = aliased(Employee)
_PARENT = aliased(Target)
_PARENT_PLAN = aliased(Plan)
_PARENT_OWNER = aliased(Employee)


async def root(
    session: AsyncSession, principal: Principal, agency_id: uuid.UUID, period_id: uuid.UUID
) -> Any:
    """The agency (readable by the caller), its region and the period (of the same region)."""
    result = await session.execute(
        select(
            Agency.code.label("agency_code"),
            Agency.name.label("agency_name"),
            Agency.path,
            Region.code.label("region_code"),
            Region.name.label("region_name"),
            Region.timezone,
            Period.year,
        )
        .join(Region, Region.id == Agency.region_id)
        .join(Period, (Period.region_id == Agency.region_id) & (Period.id == period_id))
        .where(Agency.id == agency_id, readable_agencies(principal))
    )
    return result.first()


async def plans(
    session: AsyncSession, principal: Principal, period_id: uuid.UUID, root_path: str
) -> Sequence[Any]:
    result = await session.execute(
        select(
            Plan.id,
            Plan.region_id,
            Plan.status,
            Plan.revision,
            Plan.approved_at,
            Employee.nip,
            Employee.name,
            Employee.position,
            Employee.grade,
            Employee.employment_type,
            Agency.code.label("agency_code"),
            Agency.name.label("agency_name"),
            _APPROVER.nip.label("approver_nip"),
            _APPROVER.name.label("approver_name"),
            _APPROVER.position.label("approver_position"),
        )
        .join(Employee, Employee.id == Plan.employee_id)
        .join(Agency, Agency.id == Plan.agency_id)
        .outerjoin(_APPROVER, _APPROVER.id == Plan.approver_id)
        .where(
            Plan.period_id == period_id,
            in_subtree(Plan.agency_id, root_path),
            readable_plans(principal),
        )
        .order_by(Employee.nip, Plan.id)
    )
    return result.all()


async def targets(
    session: AsyncSession, region_id: uuid.UUID, plan_ids: Sequence[uuid.UUID]
) -> Sequence[Any]:
    result = await session.execute(
        select(
            Target.id,
            Target.region_id,
            Target.plan_id,
            Target.kind,
            Target.title,
            Target.cascade_mode,
            _PARENT.title.label("parent_title"),
            _PARENT_OWNER.nip.label("parent_nip"),
        )
        .outerjoin(_PARENT, _PARENT.id == Target.parent_target_id)
        .outerjoin(_PARENT_PLAN, _PARENT_PLAN.id == _PARENT.plan_id)
        .outerjoin(_PARENT_OWNER, _PARENT_OWNER.id == _PARENT_PLAN.employee_id)
        .where(Target.region_id == region_id, Target.plan_id.in_(plan_ids))
        # e-Kinerja lists the main RHK (utama) before the additional ones (tambahan).
        .order_by(
            Target.plan_id, case((Target.kind == "utama", 0), else_=1), Target.position, Target.id
        )
    )
    return result.all()


async def indicators(
    session: AsyncSession, region_id: uuid.UUID, plan_ids: Sequence[uuid.UUID]
) -> Sequence[Any]:
    result = await session.execute(
        select(
            Indicator.id,
            Indicator.target_id,
            Indicator.aspect,
            Indicator.description,
            Indicator.target_value,
            Indicator.unit,
        )
        .where(Indicator.region_id == region_id, Indicator.plan_id.in_(plan_ids))
        .order_by(Indicator.target_id, Indicator.position, Indicator.id)
    )
    return result.all()


async def locked_ratings(
    session: AsyncSession, region_id: uuid.UUID, plan_ids: Sequence[uuid.UUID]
) -> Sequence[Any]:
    result = await session.execute(
        select(
            EvaluationRating.plan_id,
            EvaluationRating.hasil_kerja,
            EvaluationRating.perilaku,
            EvaluationRating.predicate,
        ).where(
            EvaluationRating.region_id == region_id,
            EvaluationRating.plan_id.in_(plan_ids),
            EvaluationRating.status == "locked",
        )
    )
    return result.all()
