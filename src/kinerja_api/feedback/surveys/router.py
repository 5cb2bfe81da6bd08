import uuid
from typing import Annotated

from fastapi import Query, Request, Response
from fastapi.responses import JSONResponse

from kinerja_api.auth.access import public_route, requires
from kinerja_api.auth.principal import Principal
from kinerja_api.core.etag import IfMatch, set_etag
from kinerja_api.core.idempotency import IdempotencyKey, idempotent_create
from kinerja_api.core.pagination import Page, PageQuery
from kinerja_api.core.problems import problem_responses
from kinerja_api.core.ratelimit import LIMITED_PER_ADDRESS, client_key
from kinerja_api.core.routing import Router
from kinerja_api.core.schemas import query_parameters
from kinerja_api.core.uow import DbSession
from kinerja_api.feedback.abuse import limit_per_unit
from kinerja_api.feedback.scope import STAFF_READERS
from kinerja_api.feedback.surveys import service
from kinerja_api.feedback.surveys.schemas import (
    FeedbackFilters,
    FeedbackOut,
    FeedbackReceipt,
    FeedbackSort,
    FeedbackSubmit,
    HideComment,
    IkmQuery,
    IkmReport,
)
from kinerja_api.models.feedback import FeedbackResponse
from kinerja_api.models.org import Role

public_router = Router(prefix="/api/v1/public/feedback", tags=["public"])
router = Router(prefix="/api/v1/feedback", tags=["feedback"])
reports_router = Router(prefix="/api/v1/reports", tags=["reports"])
Reader = Annotated[Principal, requires(*STAFF_READERS)]
Moderator = Annotated[Principal, requires(Role.COMPLAINT_OFFICER)]


def _out(response: FeedbackResponse) -> FeedbackOut:
    out = FeedbackOut.model_validate(response)
    return out.model_copy(update={"comment": None}) if response.comment_hidden else out


@public_router.post(
    "",
    status_code=201,
    name="submit-feedback",
    summary="Submit a satisfaction survey (public)",
    response_model=FeedbackReceipt,
    dependencies=[LIMITED_PER_ADDRESS],
    responses=problem_responses(409, 413, 422, 429),
)
@public_route
async def submit_feedback(
    request: Request,
    body: FeedbackSubmit,
    session: DbSession,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """A citizen's IKM survey for a service unit, by the code on its poster. No token needed.
    Rate-limited per client address and per unit (429 with `Retry-After`); the same
    questionnaire sent again from the same address within minutes is refused (409)."""
    await limit_per_unit(request, body.unit_code)

    async def run() -> tuple[FeedbackReceipt, dict[str, str]]:
        return await service.submit(session, request, body), {}

    return await idempotent_create(
        session,
        request,
        principal_key=client_key(request),
        key=idempotency_key,
        payload=body,
        create=run,
    )


@router.get(
    "",
    name="list",
    summary="List survey responses",
    response_model=Page[FeedbackOut],
    responses=problem_responses(400, 401, 403, 422),
)
async def list_feedback(
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    filters: Annotated[FeedbackFilters, query_parameters(FeedbackFilters)],
    sort: Annotated[FeedbackSort, Query()] = FeedbackSort.NEWEST,
) -> Page[FeedbackOut]:
    """Survey responses of the units the caller oversees, newest first unless `sort` says
    otherwise. Without the staff member each rated: per-staff figures come only from the IKM
    report, and only from 5 responses up."""
    rows, cursor = await service.list_feedback(
        session, principal, filters=filters, sort=sort, page=page
    )
    return Page(items=[_out(row) for row in rows], next_cursor=cursor)


@router.get(
    "/{feedback_id}",
    name="get",
    summary="Get a survey response",
    description="One citizen survey response the caller may see.",
    response_model=FeedbackOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_feedback(
    feedback_id: uuid.UUID, session: DbSession, principal: Reader, response: Response
) -> FeedbackOut:
    row = await service.get_feedback(session, principal, feedback_id)
    set_etag(response, row.version)
    return _out(row)


@router.post(
    "/{feedback_id}/hide-comment",
    name="hide-comment",
    summary="Hide a survey comment",
    response_model=FeedbackOut,
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def hide_comment(
    feedback_id: uuid.UUID,
    body: HideComment,
    session: DbSession,
    principal: Moderator,
    response: Response,
    if_match: IfMatch = None,
) -> FeedbackOut:
    """Hide an abusive comment (audited with the reason). The scores keep counting."""
    row = await service.hide_comment(session, principal, feedback_id, body, if_match)
    set_etag(response, row.version)
    return _out(row)


@reports_router.get(
    "/ikm",
    name="ikm",
    summary="Get the IKM report",
    response_model=IkmReport,
    responses=problem_responses(401, 403, 404, 422),
)
async def ikm_report(
    session: DbSession, principal: Reader, query: Annotated[IkmQuery, query_parameters(IkmQuery)]
) -> IkmReport:
    """The Indeks Kepuasan Masyarakat (PermenPANRB 14/2017) of a service unit (`unit_id`), an
    agency subtree (`agency_id`), or everything the caller oversees, between two dates of the
    region's calendar: respondents, each element's average (NRR), the IKM (25-100) and its
    category (A Sangat Baik 88.31-100, B Baik 76.61-88.30, C Kurang Baik 65.00-76.60, D Tidak
    Baik 25.00-64.99), the trend by quarter, and staff with at least 5 responses."""
    return await service.ikm_report(session, principal, query)
