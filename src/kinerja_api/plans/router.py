import uuid
from typing import Annotated

from fastapi import Path, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from kinerja_api.auth.access import requires, rule_of
from kinerja_api.auth.principal import Principal
from kinerja_api.auth.reading import csv_list
from kinerja_api.core.csv_export import CsvWanted, csv_content
from kinerja_api.core.etag import IfMatch, created_headers, set_etag
from kinerja_api.core.exportable import ExportableList, exportable
from kinerja_api.core.idempotency import IdempotencyKey, idempotent_create
from kinerja_api.core.pagination import Page, PageQuery
from kinerja_api.core.problems import problem_responses
from kinerja_api.core.routing import Router
from kinerja_api.core.schemas import query_parameters
from kinerja_api.core.uow import DbSession
from kinerja_api.plans import cascade, views, workflow
from kinerja_api.plans.repository import READ_SCOPE
from kinerja_api.plans.schemas import (
    PLAN_COLUMNS,
    CascadeOut,
    PlanCreate,
    PlanFilters,
    PlanOut,
    PlanRevisionOut,
    PlanSort,
    ReturnBody,
)

router = Router(prefix="/api/v1/plans", tags=["plans"])
READ = requires(any_role=True, scopes=[READ_SCOPE])
Reader = Annotated[Principal, READ]
# Writes are decided per plan: its employee edits and submits, its approver approves.
Actor = Annotated[Principal, requires(any_role=True)]
TRANSITION_ERRORS = problem_responses(401, 403, 404, 409, 412, 422, 428)


async def _out(session: DbSession, plan: object, response: Response) -> PlanOut:
    out = await views.plan_view(session, plan)
    set_etag(response, out.version)
    return out


PLANS = exportable(
    ExportableList(
        name="plans",
        columns=PLAN_COLUMNS,
        filters=PlanFilters,
        sorts=PlanSort,
        default_sort=PlanSort.UPDATED_AT,
        readers=rule_of(READ),
        query=views.plans_query,
        views=views.listed_plans,
    )
)


@router.get(
    "",
    name="list",
    summary="List plans (SKP)",
    response_model=Page[PlanOut],
    responses={
        **problem_responses(400, 401, 403, 422),
        **csv_content("Every plan listed, with its achievement's `achievement.percent`."),
    },
)
async def list_plans(
    request: Request,
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    filters: Annotated[PlanFilters, query_parameters(PlanFilters)],
    csv: CsvWanted,
    sort: Annotated[PlanSort, Query()] = PlanSort.UPDATED_AT,
) -> Page[PlanOut] | StreamingResponse:
    """Plans the caller may see, least recently changed first unless `sort` says otherwise:
    region administrators and auditors their region's, agency administrators their subtree's,
    employees their own, their reports' and those they approve."""
    if csv is not None:
        return await csv_list(request, session, principal, PLANS, filters, sort, csv)
    plans, cursor = await views.list_plans(session, principal, filters, sort=sort, page=page)
    return Page(items=plans, next_cursor=cursor)


@router.post(
    "",
    status_code=201,
    response_model=PlanOut,
    name="create",
    summary="Create a plan (SKP)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_plan(
    request: Request,
    body: PlanCreate,
    session: DbSession,
    principal: Actor,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Start the caller's own plan (SKP) for an open period, as a draft. One per period."""

    async def run() -> tuple[PlanOut, dict[str, str]]:
        plan = await views.plan_view(session, await workflow.create_plan(session, principal, body))
        return plan, created_headers(router.prefix, plan.id, plan.version)

    return await idempotent_create(
        session, request, principal_key=principal.key, key=idempotency_key, payload=body, create=run
    )


@router.get(
    "/{plan_id}",
    name="get",
    summary="Get a plan",
    description="One plan (SKP) the caller may see, with its achievement so far.",
    response_model=PlanOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_plan(
    plan_id: uuid.UUID, session: DbSession, principal: Reader, response: Response
) -> PlanOut:
    return await _out(session, await views.find_plan(session, principal, plan_id), response)


@router.post(
    "/{plan_id}/submit",
    name="submit",
    summary="Submit a plan for approval",
    response_model=PlanOut,
    responses=TRANSITION_ERRORS,
)
async def submit_plan(
    plan_id: uuid.UUID,
    session: DbSession,
    principal: Actor,
    response: Response,
    if_match: IfMatch = None,
) -> PlanOut:
    """draft or returned → submitted, by the plan's employee. The approver becomes the
    employee's current supervisor; with none (the top of the chain) the region's administrators
    approve it. 422 lists every problem: targets without indicators, and weights partly missing
    or not adding up to 100."""
    plan = await workflow.submit_plan(session, principal, plan_id, if_match)
    return await _out(session, plan, response)


@router.post(
    "/{plan_id}/approve",
    name="approve",
    summary="Approve a plan",
    response_model=PlanOut,
    responses=TRANSITION_ERRORS,
)
async def approve_plan(
    plan_id: uuid.UUID,
    session: DbSession,
    principal: Actor,
    response: Response,
    if_match: IfMatch = None,
) -> PlanOut:
    """submitted → approved, by the approver only (a region administrator when the plan has
    none). The approved plan is locked and its content is kept as a revision."""
    plan = await workflow.approve_plan(session, principal, plan_id, if_match)
    return await _out(session, plan, response)


@router.post(
    "/{plan_id}/return",
    name="return",
    summary="Return a plan for changes",
    response_model=PlanOut,
    responses=TRANSITION_ERRORS,
)
async def return_plan(
    plan_id: uuid.UUID,
    body: ReturnBody,
    session: DbSession,
    principal: Actor,
    response: Response,
    if_match: IfMatch = None,
) -> PlanOut:
    """submitted → returned with the approver's note; the employee edits and resubmits."""
    plan = await workflow.return_plan(session, principal, plan_id, body.note, if_match)
    return await _out(session, plan, response)


@router.post(
    "/{plan_id}/revise",
    name="revise",
    summary="Revise an approved plan",
    response_model=PlanOut,
    responses=TRANSITION_ERRORS,
)
async def revise_plan(
    plan_id: uuid.UUID,
    session: DbSession,
    principal: Actor,
    response: Response,
    if_match: IfMatch = None,
) -> PlanOut:
    """approved → draft under the next revision number, by the plan's employee; the approved
    revision stays readable under `/revisions`."""
    plan = await workflow.revise_plan(session, principal, plan_id, if_match)
    return await _out(session, plan, response)


@router.get(
    "/{plan_id}/revisions",
    name="revisions",
    summary="List a plan's approved revisions",
    response_model=Page[PlanRevisionOut],
    responses=problem_responses(400, 401, 403, 404, 422),
)
async def list_revisions(
    plan_id: uuid.UUID, session: DbSession, principal: Reader, page: PageQuery
) -> Page[PlanRevisionOut]:
    """The plan's approved revisions, oldest first, each frozen as approved."""
    revisions, cursor = await views.list_revisions(session, principal, plan_id, page=page)
    return Page(items=[PlanRevisionOut.model_validate(r) for r in revisions], next_cursor=cursor)


@router.get(
    "/{plan_id}/revisions/{revision}",
    name="revision",
    summary="Get an approved revision of a plan",
    description="One approved revision of the plan, frozen as it was approved.",
    response_model=PlanRevisionOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_revision(
    plan_id: uuid.UUID,
    revision: Annotated[int, Path(ge=1, le=1_000_000)],
    session: DbSession,
    principal: Reader,
) -> PlanRevisionOut:
    found = await views.get_revision(session, principal, plan_id, revision)
    return PlanRevisionOut.model_validate(found)


@router.get(
    "/{plan_id}/cascade",
    name="cascade",
    summary="Get a plan's cascade",
    response_model=CascadeOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_cascade(plan_id: uuid.UUID, session: DbSession, principal: Reader) -> CascadeOut:
    """Targets above this plan's (up the supervisor chain), this plan's, and subordinates'
    targets cascading from them, with the numeric alignment of `direct` cascades."""
    return await cascade.cascade(session, principal, plan_id)
