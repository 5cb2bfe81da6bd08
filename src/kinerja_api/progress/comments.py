"""Plan-level reads for progress: the achievement summary, and the comment thread (umpan
balik berkelanjutan) between an employee and their supervisor chain."""

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import (
    forbidden,
    is_supervisor_of,
)
from kinerja_api.auth.principal import Principal
from kinerja_api.core.audit import record_entity
from kinerja_api.core.events import publish
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import ListOf, list_page
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.core.problems import field_problem
from kinerja_api.models.plans import Plan, Target
from kinerja_api.models.progress import PlanComment
from kinerja_api.plans.api import PlanAchievement, find_plan, plan_achievement
from kinerja_api.progress.events import CommentEventData
from kinerja_api.progress.repository import READ_SCOPE, status_counts
from kinerja_api.progress.schemas import CommentCreate

ENTITY = "plan_comment"
_COMMENTS = ListOf(
    "plan-comments", {"created_at": Keyset((PlanComment.created_at, PlanComment.id))}
)
_TARGET_UNKNOWN = Msg(
    "Sasaran tidak ditemukan pada rencana ini.", "The target does not belong to this plan."
)


async def plan_progress(
    session: AsyncSession, principal: Principal, plan_id: uuid.UUID
) -> tuple[PlanAchievement, dict[str, int]]:
    plan = await find_plan(session, principal, plan_id, scope=READ_SCOPE)
    counts = await status_counts(session, plan.id)
    return await plan_achievement(session, plan.region_id, plan.id), {
        str(k): v for k, v in counts.items()
    }


async def list_comments(
    session: AsyncSession,
    principal: Principal,
    plan_id: uuid.UUID,
    *,
    target_id: uuid.UUID | None,
    page: PageParams,
) -> tuple[list[PlanComment], str | None]:
    """The thread, oldest first, for anyone who may read the plan."""
    plan = await find_plan(session, principal, plan_id, scope=READ_SCOPE)
    return await list_page(
        session,
        select(PlanComment).where(
            PlanComment.plan_id == plan.id, PlanComment.region_id == plan.region_id
        ),
        _COMMENTS,
        "created_at",
        cursor_filters={"plan": plan.id, "target": target_id},
        page=page,
        equal={PlanComment.target_id: target_id},
    )


async def _may_comment(session: AsyncSession, principal: Principal, plan: Plan) -> bool:
    """The plan's employee, their supervisor chain and the plan's approver."""
    author = principal.employee_id
    if author is None:
        return False
    if author in (plan.employee_id, plan.approver_id):
        return True
    return await is_supervisor_of(session, author, plan.employee_id)


async def create_comment(
    session: AsyncSession, principal: Principal, plan_id: uuid.UUID, data: CommentCreate
) -> PlanComment:
    plan = await find_plan(session, principal, plan_id, scope=READ_SCOPE)
    if principal.employee_id is None or not await _may_comment(session, principal, plan):
        raise forbidden("Plan")
    if data.target_id is not None:
        found = await session.scalar(
            select(Target.id).where(Target.id == data.target_id, Target.plan_id == plan.id)
        )
        if found is None:
            raise field_problem("body.target_id", _TARGET_UNKNOWN, code="not_found")
    comment = PlanComment(
        region_id=plan.region_id,
        plan_id=plan.id,
        target_id=data.target_id,
        author_id=principal.employee_id,
        body=data.body,
        # The statement's clock, not the transaction's: comments keep their order even when
        # several are written in one transaction (imports, tests).
        created_at=func.clock_timestamp(),
    )
    session.add(comment)
    await session.flush()
    await record_entity(
        session, principal, ENTITY, "created", comment, ("plan_id", "target_id", "body")
    )
    await publish(
        session,
        "feedback.commented",
        region_id=plan.region_id,
        entity_type=ENTITY,
        entity_id=comment.id,
        payload=CommentEventData(
            comment_id=comment.id,
            plan_id=plan.id,
            target_id=comment.target_id,
            author_id=comment.author_id,
            body=comment.body,
        ),
        employee_id=plan.employee_id,
        agency_id=plan.agency_id,
    )
    return comment
