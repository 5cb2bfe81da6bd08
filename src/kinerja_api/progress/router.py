import uuid
from dataclasses import asdict
from typing import Annotated

from fastapi import Query, Request, Response
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
from kinerja_api.progress import comments, repository, service
from kinerja_api.progress.schemas import (
    PROGRESS_REPORT_COLUMNS,
    CommentCreate,
    CommentOut,
    PlanProgressOut,
    ProgressFilters,
    ProgressReportCreate,
    ProgressReportOut,
    ProgressReportUpdate,
    ProgressSort,
    VerifyRequest,
)

router = Router(prefix="/api/v1/progress-reports", tags=["progress-reports"])
plans_router = Router(prefix="/api/v1/plans", tags=["plans"])
READ = requires(any_role=True, scopes=[repository.READ_SCOPE])
Reader = Annotated[Principal, READ]
# People only: reports, verifications and comments are acts of an employee.
Person = Annotated[Principal, requires(any_role=True)]


REPORTS = exportable(
    ExportableList(
        name="progress-reports",
        columns=PROGRESS_REPORT_COLUMNS,
        filters=ProgressFilters,
        sorts=ProgressSort,
        default_sort=ProgressSort.UPDATED_AT,
        readers=rule_of(READ),
        query=service.reports_query,
        views=service.report_views,
    )
)


@router.get(
    "",
    name="list",
    summary="List progress reports",
    response_model=Page[ProgressReportOut],
    responses={
        **problem_responses(400, 401, 403, 422),
        **csv_content("Every report listed, without its evidence links."),
    },
)
async def list_reports(
    request: Request,
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    filters: Annotated[ProgressFilters, query_parameters(ProgressFilters)],
    csv: CsvWanted,
    sort: Annotated[ProgressSort, Query()] = ProgressSort.UPDATED_AT,
) -> Page[ProgressReportOut] | StreamingResponse:
    """Reports the caller may see: their own, their reports' (transitively) for supervisors,
    their subtree's for agency administrators, their region's for region-wide roles."""
    if csv is not None:
        return await csv_list(request, session, principal, REPORTS, filters, sort, csv)
    reports, cursor = await service.list_reports(
        session, principal, filters=filters, sort=sort, page=page
    )
    return Page(items=reports, next_cursor=cursor)


@router.post(
    "",
    status_code=201,
    response_model=ProgressReportOut,
    name="create",
    summary="Report progress",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_report(
    request: Request,
    body: ProgressReportCreate,
    session: DbSession,
    principal: Person,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Report progress (realisasi) on an indicator of the caller's own approved plan in an open
    period (a closed one answers `period-closed`), with evidence links (bukti dukung). The
    report waits for the supervisor's verification. Send an `Idempotency-Key`: a retried
    request never creates a duplicate."""

    async def run() -> tuple[ProgressReportOut, dict[str, str]]:
        report = await service.create_report(session, principal, body)
        headers = created_headers(router.prefix, report.id, report.version)
        return ProgressReportOut.model_validate(report), headers

    return await idempotent_create(
        session, request, principal_key=principal.key, key=idempotency_key, payload=body, create=run
    )


@router.get(
    "/{report_id}",
    name="get",
    summary="Get a progress report",
    description="One progress report the caller may see, with its evidence.",
    response_model=ProgressReportOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_report(
    report_id: uuid.UUID, session: DbSession, principal: Reader, response: Response
) -> ProgressReportOut:
    report = await service.get_report(session, principal, report_id)
    set_etag(response, report.version)
    return ProgressReportOut.model_validate(report)


@router.patch(
    "/{report_id}",
    response_model=ProgressReportOut,
    name="update",
    summary="Update a pending progress report",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_report(
    report_id: uuid.UUID,
    body: ProgressReportUpdate,
    session: DbSession,
    principal: Person,
    response: Response,
    if_match: IfMatch = None,
) -> ProgressReportOut:
    """Correct one's own report while it is pending and its period open."""
    report = await service.update_report(session, principal, report_id, body, if_match)
    set_etag(response, report.version)
    return ProgressReportOut.model_validate(report)


@router.post(
    "/{report_id}/withdraw",
    response_model=ProgressReportOut,
    name="withdraw",
    summary="Withdraw a progress report",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def withdraw_report(
    report_id: uuid.UUID,
    session: DbSession,
    principal: Person,
    response: Response,
    if_match: IfMatch = None,
) -> ProgressReportOut:
    """Withdraw one's own pending report while its period is open; it no longer counts and
    cannot be verified."""
    report = await service.withdraw_report(session, principal, report_id, if_match)
    set_etag(response, report.version)
    return ProgressReportOut.model_validate(report)


@router.post(
    "/{report_id}/verify",
    response_model=ProgressReportOut,
    name="verify",
    summary="Verify a progress report",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def verify_report(
    report_id: uuid.UUID,
    body: VerifyRequest,
    session: DbSession,
    principal: Person,
    response: Response,
    if_match: IfMatch = None,
) -> ProgressReportOut:
    """Accept or reject a pending report: the reporting employee's supervisor chain or the
    plan's approver. Only accepted reports count towards achievement, and accepting one moves
    its plan's `updated_at` (not its ETag). Needs `If-Match` with the report's ETag. Refused
    (`period-closed`) once the plan's period is closed."""
    report = await service.verify_report(session, principal, report_id, body, if_match)
    set_etag(response, report.version)
    return ProgressReportOut.model_validate(report)


@plans_router.get(
    "/{plan_id}/progress",
    name="progress",
    summary="Get a plan's progress and achievement",
    response_model=PlanProgressOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def plan_progress(
    plan_id: uuid.UUID, session: DbSession, principal: Reader
) -> PlanProgressOut:
    """Achievement (capaian) of the plan, its targets and indicators from accepted reports:
    overall (year to date) and per quarter, as percentages of the targets."""
    achievement, counts = await comments.plan_progress(session, principal, plan_id)
    return PlanProgressOut.model_validate({**asdict(achievement), "reports_by_status": counts})


@plans_router.get(
    "/{plan_id}/comments",
    name="comments-list",
    summary="List a plan's comments",
    response_model=Page[CommentOut],
    responses=problem_responses(400, 401, 403, 404, 422),
)
async def list_comments(
    plan_id: uuid.UUID,
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    target_id: Annotated[
        uuid.UUID | None, Query(description="Only comments about this target.")
    ] = None,
) -> Page[CommentOut]:
    """The feedback thread (umpan balik berkelanjutan) on the plan, oldest first."""
    thread, cursor = await comments.list_comments(
        session, principal, plan_id, target_id=target_id, page=page
    )
    return Page(items=[CommentOut.model_validate(c) for c in thread], next_cursor=cursor)


@plans_router.post(
    "/{plan_id}/comments",
    status_code=201,
    response_model=CommentOut,
    name="comments-create",
    summary="Comment on a plan or target",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_comment(
    request: Request,
    plan_id: uuid.UUID,
    body: CommentCreate,
    session: DbSession,
    principal: Person,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Add to the thread: the plan's employee, their supervisor chain or the plan's approver."""

    async def run() -> tuple[CommentOut, dict[str, str]]:
        # Comments are read as a thread (there is no per-comment resource), so no Location.
        comment = await comments.create_comment(session, principal, plan_id, body)
        return CommentOut.model_validate(comment), {}

    return await idempotent_create(
        session, request, principal_key=principal.key, key=idempotency_key, payload=body, create=run
    )
