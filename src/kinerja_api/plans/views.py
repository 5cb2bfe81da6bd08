"""Reading plans: one plan, the list, approved revisions, and plans as the API shows them."""

import uuid
from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import not_found
from kinerja_api.auth.principal import Principal, bound_caller
from kinerja_api.core.listing import (
    ListOf,
    ListQuery,
    built_once,
    list_page,
    list_query,
    page_of,
)
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.core.shapes import Bindings, Shapes
from kinerja_api.models.plans import Plan, PlanRevision
from kinerja_api.org.agencies import service as agencies
from kinerja_api.plans import repository
from kinerja_api.plans.achievement import plans_achievement
from kinerja_api.plans.achievement_schemas import with_achievements
from kinerja_api.plans.repository import READ_SCOPE
from kinerja_api.plans.schemas import PlanFilters, PlanOut, PlanSort

_LIST = ListOf(
    "plans",
    {
        PlanSort.UPDATED_AT: Keyset((Plan.updated_at, Plan.id)),
        PlanSort.UPDATED_AT_DESC: Keyset((Plan.updated_at, Plan.id), descending=True),
        PlanSort.CREATED_AT: Keyset((Plan.created_at, Plan.id)),
    },
)
_REVISIONS = ListOf(
    "plan-revisions", {"revision": Keyset((PlanRevision.revision, PlanRevision.id))}
)


async def find_plan(
    session: AsyncSession, principal: Principal, plan_id: uuid.UUID, *, scope: str = READ_SCOPE
) -> Plan:
    """The plan, when the caller may read it (service accounts: holding `scope`)."""
    plan = await repository.find(session, principal, plan_id, scope=scope)
    if plan is None:
        raise not_found("Plan")
    return plan


async def plans_query(
    _session: AsyncSession, principal: Principal, filters: PlanFilters, sort: PlanSort
) -> ListQuery:
    """Rows carrying the plan's columns (a hot list: no ORM entities to build), the statement
    built once per kind of caller, filters given and sort (core.shapes)."""
    given = {field.name: getattr(filters, field.name) for field in fields(filters)}
    bindings = Bindings()
    caller, kind = bound_caller(principal, bindings)
    symbols = PlanFilters(
        **{
            name: bindings.bind(f"filter_{name}", value, _FILTER_TYPES[name])
            for name, value in given.items()
        }
    )
    return built_once(
        _SHAPES,
        (kind, sort, bindings.names()),
        bindings,
        lambda: _plans_query(caller, symbols, sort),
        listing=_LIST,
        sort=sort,
        cursor_filters=given,
    )


def _plans_query(principal: Principal, filters: PlanFilters, sort: PlanSort) -> ListQuery:
    return list_query(
        repository.list_rows(principal),
        _LIST,
        sort,
        cursor_filters={},
        equal={
            Plan.period_id: filters.period_id,
            Plan.status: filters.status,
            Plan.employee_id: filters.employee_id,
            Plan.approver_id: filters.approver_id,
        },
        where=[
            None
            if filters.supervisor_id is None
            else Plan.employee_id.in_(repository.direct_reports(principal, filters.supervisor_id))
        ],
        subtree=agencies.subtree(principal, filters.agency_id, Plan.agency_id),
        updated_at=Plan.updated_at,
        updated_since=filters.updated_since,
        rows=True,
    )


_SHAPES = Shapes()
_FILTER_TYPES = {
    "period_id": Plan.period_id.type,
    "agency_id": Plan.agency_id.type,
    "status": Plan.status.type,
    "employee_id": Plan.employee_id.type,
    "approver_id": Plan.approver_id.type,
    "supervisor_id": Plan.employee_id.type,
    "updated_since": Plan.updated_at.type,
}


async def list_plans(
    session: AsyncSession,
    principal: Principal,
    filters: PlanFilters,
    *,
    sort: PlanSort = PlanSort.UPDATED_AT,
    page: PageParams,
) -> tuple[list[PlanOut], str | None]:
    query = await plans_query(session, principal, filters, sort)
    rows, cursor = await page_of(session, query, page)
    return await listed_plans(session, principal, rows), cursor


async def listed_plans(
    session: AsyncSession, _principal: Principal, rows: Sequence[Any]
) -> list[PlanOut]:
    """A batch of the list's rows as its items."""
    return await plan_views(session, rows)


async def list_revisions(
    session: AsyncSession,
    principal: Principal,
    plan_id: uuid.UUID,
    *,
    page: PageParams,
) -> tuple[list[PlanRevision], str | None]:
    plan = await find_plan(session, principal, plan_id)
    return await list_page(
        session,
        repository.revisions_of(plan),
        _REVISIONS,
        "revision",
        cursor_filters={"plan_id": plan.id},
        page=page,
    )


async def get_revision(
    session: AsyncSession, principal: Principal, plan_id: uuid.UUID, revision: int
) -> PlanRevision:
    plan = await find_plan(session, principal, plan_id)
    found = await repository.revision(session, plan, revision)
    if found is None:
        raise not_found("Plan revision")
    return found


async def plan_views(session: AsyncSession, plans: Sequence[Any]) -> list[PlanOut]:
    """Plans (entities or list rows) as the API shows them, with their achievement."""
    figures = await plans_achievement(session, plans)
    return with_achievements(PlanOut, plans, figures)


async def plan_view(session: AsyncSession, plan: Any) -> PlanOut:
    (view,) = await plan_views(session, [plan])
    return view
