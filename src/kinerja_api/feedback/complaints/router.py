import uuid
from typing import Annotated

from fastapi import Path, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.access import public_route, requires, rule_of
from kinerja_api.auth.principal import Principal
from kinerja_api.auth.reading import csv_list
from kinerja_api.core.csv_export import CsvWanted, csv_content
from kinerja_api.core.etag import IfMatch, set_etag
from kinerja_api.core.exportable import ExportableList, exportable
from kinerja_api.core.idempotency import IdempotencyKey, idempotent_create
from kinerja_api.core.pagination import Page, PageQuery
from kinerja_api.core.problems import problem_responses
from kinerja_api.core.ratelimit import LIMITED_PER_ADDRESS, client_key
from kinerja_api.core.routing import Router
from kinerja_api.core.schemas import query_parameters
from kinerja_api.core.uow import DbSession
from kinerja_api.feedback.abuse import limit_per_unit
from kinerja_api.feedback.complaints import public, staff
from kinerja_api.feedback.complaints.schemas import (
    COMPLAINT_COLUMNS,
    AssignIn,
    ComplaintDetailOut,
    ComplaintFilters,
    ComplaintOut,
    ComplaintReceipt,
    ComplaintSort,
    ComplaintSubmit,
    PublicComplaintOut,
    ReopenIn,
    ResolveIn,
    RespondIn,
    ResponseOut,
    TrackingCode,
    TriageIn,
)
from kinerja_api.feedback.scope import COMPLAINT_READERS
from kinerja_api.models.feedback import Complaint
from kinerja_api.models.org import Role

public_router = Router(prefix="/api/v1/public/complaints", tags=["public"])
router = Router(prefix="/api/v1/complaints", tags=["complaints"])
# Employees see (and answer) only the complaints assigned to them.
READ = requires(*COMPLAINT_READERS)
Reader = Annotated[Principal, READ]
Handler = Annotated[Principal, requires(Role.COMPLAINT_OFFICER, Role.AGENCY_ADMIN)]
Responder = Annotated[Principal, requires(Role.COMPLAINT_OFFICER, Role.AGENCY_ADMIN, Role.EMPLOYEE)]
ACTION_ERRORS = problem_responses(401, 403, 404, 409, 412, 422, 428)


async def _detail(
    session: AsyncSession, principal: Principal, complaint: Complaint, response: Response
) -> ComplaintDetailOut:
    set_etag(response, complaint.version)
    responses = await staff.responses_of(session, complaint)
    return ComplaintDetailOut(
        **staff.staff_view(principal, complaint).model_dump(),
        responses=[ResponseOut.model_validate(r) for r in responses],
    )


@public_router.post(
    "",
    status_code=201,
    name="submit-complaint",
    summary="Submit a complaint (public)",
    response_model=ComplaintReceipt,
    dependencies=[LIMITED_PER_ADDRESS],
    responses=problem_responses(409, 413, 422, 429),
)
@public_route
async def submit_complaint(
    request: Request,
    body: ComplaintSubmit,
    session: DbSession,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """File a complaint without an account. The answer carries the tracking code: keep it, it
    is the only way to follow the complaint. Contact details are optional and never shown
    publicly. Rate-limited per client address and per unit (429 with `Retry-After`)."""
    await limit_per_unit(request, body.unit_code)

    async def run() -> tuple[ComplaintReceipt, dict[str, str]]:
        return await public.submit(session, request, body), {}

    return await idempotent_create(
        session,
        request,
        principal_key=client_key(request),
        key=idempotency_key,
        payload=body,
        create=run,
    )


@public_router.get(
    "/{tracking_code}",
    name="complaint",
    summary="Track a complaint (public)",
    response_model=PublicComplaintOut,
    dependencies=[LIMITED_PER_ADDRESS],
    responses=problem_responses(404, 422, 429),
)
@public_route
async def public_complaint(
    request: Request, tracking_code: Annotated[TrackingCode, Path()], session: DbSession
) -> PublicComplaintOut:
    """Status, deadline and public answers of a complaint, by its tracking code."""
    return await public.public_view(session, request, tracking_code)


@public_router.post(
    "/{tracking_code}/reopen",
    name="reopen-complaint",
    summary="Reopen a resolved complaint (public)",
    response_model=PublicComplaintOut,
    dependencies=[LIMITED_PER_ADDRESS],
    responses=problem_responses(404, 409, 413, 422, 429),
)
@public_route
async def reopen_complaint(
    request: Request,
    tracking_code: Annotated[TrackingCode, Path()],
    body: ReopenIn,
    session: DbSession,
) -> PublicComplaintOut:
    """Reopen a resolved complaint within 14 days of its resolution, saying why; a new
    deadline starts."""
    return await public.reopen(session, request, tracking_code, body)


COMPLAINTS = exportable(
    ExportableList(
        name="complaints",
        columns=COMPLAINT_COLUMNS,
        filters=ComplaintFilters,
        sorts=ComplaintSort,
        default_sort=ComplaintSort.NEWEST,
        readers=rule_of(READ),
        query=staff.complaints_query,
        views=staff.complaint_views,
    )
)


@router.get(
    "",
    name="list",
    summary="List complaints",
    response_model=Page[ComplaintOut],
    responses={
        **problem_responses(400, 401, 403, 422),
        **csv_content("Every complaint listed, contact details as the JSON shows them."),
    },
)
async def list_complaints(
    request: Request,
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    filters: Annotated[ComplaintFilters, query_parameters(ComplaintFilters)],
    csv: CsvWanted,
    sort: Annotated[ComplaintSort, Query()] = ComplaintSort.NEWEST,
) -> Page[ComplaintOut] | StreamingResponse:
    """Complaints the caller oversees, newest first unless `sort` says otherwise;
    `overdue=true` lists those past their deadline."""
    if csv is not None:
        return await csv_list(request, session, principal, COMPLAINTS, filters, sort, csv)
    complaints, cursor = await staff.list_complaints(
        session, principal, filters=filters, sort=sort, page=page
    )
    return Page(items=complaints, next_cursor=cursor)


@router.get(
    "/{complaint_id}",
    name="get",
    summary="Get a complaint",
    response_model=ComplaintDetailOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_complaint(
    complaint_id: uuid.UUID, session: DbSession, principal: Reader, response: Response
) -> ComplaintDetailOut:
    """A complaint with every response, internal ones included. Contact details only for
    complaint officers and the assigned employee."""
    complaint = await staff.get_complaint(session, principal, complaint_id)
    return await _detail(session, principal, complaint, response)


@router.post(
    "/{complaint_id}/triage",
    name="triage",
    summary="Triage a complaint",
    response_model=ComplaintDetailOut,
    responses=ACTION_ERRORS,
)
async def triage_complaint(
    complaint_id: uuid.UUID,
    body: TriageIn,
    session: DbSession,
    principal: Handler,
    response: Response,
    if_match: IfMatch = None,
) -> ComplaintDetailOut:
    """Review a new or reopened complaint: correct its category, route it to an agency."""
    complaint = await staff.triage(session, principal, complaint_id, body, if_match)
    return await _detail(session, principal, complaint, response)


@router.post(
    "/{complaint_id}/assign",
    name="assign",
    summary="Assign a complaint",
    response_model=ComplaintDetailOut,
    responses=ACTION_ERRORS,
)
async def assign_complaint(
    complaint_id: uuid.UUID,
    body: AssignIn,
    session: DbSession,
    principal: Handler,
    response: Response,
    if_match: IfMatch = None,
) -> ComplaintDetailOut:
    """Hand the complaint to an agency or an employee."""
    complaint = await staff.assign(session, principal, complaint_id, body, if_match)
    return await _detail(session, principal, complaint, response)


@router.post(
    "/{complaint_id}/respond",
    name="respond",
    summary="Respond to a complaint",
    response_model=ComplaintDetailOut,
    responses=ACTION_ERRORS,
)
async def respond_to_complaint(
    complaint_id: uuid.UUID,
    body: RespondIn,
    session: DbSession,
    principal: Responder,
    response: Response,
    if_match: IfMatch = None,
) -> ComplaintDetailOut:
    """Answer publicly (shown on the tracking page) or leave an internal note. The employee
    the complaint is assigned to may answer too."""
    complaint = await staff.respond(session, principal, complaint_id, body, if_match)
    return await _detail(session, principal, complaint, response)


@router.post(
    "/{complaint_id}/resolve",
    name="resolve",
    summary="Resolve a complaint",
    response_model=ComplaintDetailOut,
    responses=ACTION_ERRORS,
)
async def resolve_complaint(
    complaint_id: uuid.UUID,
    body: ResolveIn,
    session: DbSession,
    principal: Handler,
    response: Response,
    if_match: IfMatch = None,
) -> ComplaintDetailOut:
    """Close the complaint with a public answer; the citizen may reopen it for 14 days."""
    complaint = await staff.resolve(session, principal, complaint_id, body, if_match)
    return await _detail(session, principal, complaint, response)
