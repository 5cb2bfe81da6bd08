"""Development plans (rencana pengembangan): recorded by the supervisor who rated the employee,
for a rating whose predikat calls for one (Butuh Perbaikan, Kurang, Sangat Kurang), one per
rating; audited, and announced to the employee (`evaluation.development_planned`)."""

import uuid
from dataclasses import asdict

from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import forbidden, not_found, region_of
from kinerja_api.auth.principal import Principal
from kinerja_api.core.audit import record_entity, snapshot
from kinerja_api.core.etag import check_if_match
from kinerja_api.core.events import publish
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import ListOf, list_page
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.core.problems import CONFLICT, Problem, ProblemKind, field_problem
from kinerja_api.evaluations.development_plans import repository
from kinerja_api.evaluations.development_plans.schemas import (
    DevelopmentPlanCreate,
    DevelopmentPlanFilters,
    DevelopmentPlanUpdate,
)
from kinerja_api.evaluations.events import DevelopmentPlanEventData
from kinerja_api.evaluations.predicate import NEEDS_DEVELOPMENT
from kinerja_api.models.evaluations import DevelopmentPlan, EvaluationRating, Predicate
from kinerja_api.org.agencies.service import subtree

ENTITY = "development_plan"
PLANNED = "evaluation.development_planned"
AUDITED = ("rating_id", "employee_id", "author_id", "values", "actions", "due_on")
DEVELOPMENT_NOT_REQUIRED = ProblemKind(
    "development-plan-not-required",
    409,
    Msg("Rencana pengembangan tidak diperlukan", "No development plan is required"),
)
_NOT_REQUIRED = Msg(
    "Predikat {predicate} tidak memerlukan rencana pengembangan; hanya Butuh Perbaikan, Kurang"
    " dan Sangat Kurang.",
    "The predikat {predicate} needs no development plan; only Butuh Perbaikan, Kurang and"
    " Sangat Kurang do.",
)
_ALREADY = Msg(
    "Penilaian ini sudah memiliki rencana pengembangan; ubah rencana yang ada.",
    "This rating already has a development plan; change that one instead.",
)
_RATING_UNKNOWN = Msg("Penilaian tidak ditemukan.", "The rating was not found.")
_LIST = ListOf(
    "development-plans",
    {"updated_at": Keyset((DevelopmentPlan.updated_at, DevelopmentPlan.id))},
)


async def _announce(session: AsyncSession, plan: DevelopmentPlan, rating: EvaluationRating) -> None:
    """To the employee's streams: which plan and rating, nothing of its content."""
    await publish(
        session,
        PLANNED,
        region_id=plan.region_id,
        entity_type=ENTITY,
        entity_id=plan.id,
        employee_id=rating.employee_id,
        agency_id=rating.agency_id,
        payload=DevelopmentPlanEventData(development_plan_id=plan.id, rating_id=rating.id),
    )


async def create_plan(
    session: AsyncSession, principal: Principal, data: DevelopmentPlanCreate
) -> DevelopmentPlan:
    rating = await repository.rating_for_update(
        session, principal, region_of(principal), data.rating_id
    )
    if rating is None:
        raise field_problem("body.rating_id", _RATING_UNKNOWN, code="not_found")
    if principal.employee_id is None or rating.rater_id != principal.employee_id:
        raise forbidden("Development plan")
    if Predicate(rating.predicate) not in NEEDS_DEVELOPMENT:
        raise Problem(
            DEVELOPMENT_NOT_REQUIRED, _NOT_REQUIRED, params={"predicate": rating.predicate}
        )
    if await repository.plan_of(session, rating) is not None:
        raise Problem(CONFLICT, _ALREADY)
    plan = DevelopmentPlan(
        region_id=rating.region_id,
        rating_id=rating.id,
        employee_id=rating.employee_id,
        author_id=principal.employee_id,
        values=[value.value for value in data.values],
        actions=data.actions,
        due_on=data.due_on,
    )
    session.add(plan)
    await session.flush()
    await session.refresh(plan)
    await record_entity(session, principal, ENTITY, "created", plan, AUDITED)
    await _announce(session, plan, rating)
    return plan


async def get_plan(
    session: AsyncSession, principal: Principal, plan_id: uuid.UUID
) -> DevelopmentPlan:
    found = await repository.find(session, principal, plan_id)
    if found is None:
        raise not_found("Development plan")
    return found[0]


async def list_plans(
    session: AsyncSession,
    principal: Principal,
    filters: DevelopmentPlanFilters,
    page: PageParams,
) -> tuple[list[DevelopmentPlan], str | None]:
    """Least recently changed first (with `updated_since`: what a syncing client fetches)."""
    return await list_page(
        session,
        repository.readable_plans(principal),
        _LIST,
        "updated_at",
        cursor_filters=asdict(filters),
        page=page,
        equal={
            DevelopmentPlan.employee_id: filters.employee_id,
            DevelopmentPlan.rating_id: filters.rating_id,
            EvaluationRating.period_id: filters.period_id,
        },
        subtree=subtree(principal, filters.under, EvaluationRating.agency_id),
        updated_at=DevelopmentPlan.updated_at,
        updated_since=filters.updated_since,
    )


async def update_plan(
    session: AsyncSession,
    principal: Principal,
    plan_id: uuid.UUID,
    data: DevelopmentPlanUpdate,
    if_match: str | None,
) -> DevelopmentPlan:
    """Only the rating's rater changes the plan; its other readers are refused (403)."""
    found = await repository.find(session, principal, plan_id, for_update=True)
    if found is None:
        raise not_found("Development plan")
    plan, rating = found
    if principal.employee_id is None or rating.rater_id != principal.employee_id:
        raise forbidden("Development plan")
    check_if_match(if_match, plan.version)
    before = snapshot(plan, AUDITED)
    changes = data.changes()
    if "values" in changes:
        changes["values"] = [value.value for value in data.values or ()]
    for field, value in changes.items():
        setattr(plan, field, value)
    await session.flush()
    await session.refresh(plan)
    await record_entity(session, principal, ENTITY, "updated", plan, AUDITED, before=before)
    await _announce(session, plan, rating)
    return plan
