import uuid
from typing import Annotated

from fastapi import Query, Request, Response
from fastapi.responses import StreamingResponse

from kinerja_api.auth.access import requires, rule_of
from kinerja_api.auth.principal import Principal
from kinerja_api.auth.reading import csv_list
from kinerja_api.core.csv_export import CsvWanted, csv_content
from kinerja_api.core.etag import set_etag
from kinerja_api.core.exportable import ExportableList, exportable
from kinerja_api.core.pagination import Page, PageQuery
from kinerja_api.core.problems import problem_responses
from kinerja_api.core.routing import Router
from kinerja_api.core.schemas import query_parameters
from kinerja_api.core.uow import DbSession
from kinerja_api.evaluations.assignments import service
from kinerja_api.evaluations.assignments.schemas import (
    ASSIGNMENT_COLUMNS,
    AssignmentFilters,
    AssignmentOut,
    AssignmentSort,
    ResponseIn,
)
from kinerja_api.evaluations.cycles.repository import READ_SCOPE

router = Router(prefix="/api/v1/evaluation-assignments", tags=["evaluation-assignments"])
# Every signed-in person: raters read and answer their own; the cycles' administrators and
# auditors (and integrations with `evaluations:read`) read the cycles' assignments.
READ = requires(any_role=True, scopes=[READ_SCOPE])
Reader = Annotated[Principal, READ]
Rater = Annotated[Principal, requires(any_role=True)]


ASSIGNMENTS = exportable(
    ExportableList(
        name="evaluation-assignments",
        columns=ASSIGNMENT_COLUMNS,
        filters=AssignmentFilters,
        sorts=AssignmentSort,
        default_sort=AssignmentSort.DUE_ON,
        readers=rule_of(READ),
        query=service.assignments_query,
        views=service.assignment_views,
    )
)


@router.get(
    "",
    name="list",
    summary="List evaluation assignments",
    response_model=Page[AssignmentOut],
    responses={
        **problem_responses(400, 401, 403, 422),
        **csv_content("Every assignment listed, the ratee withheld as in the JSON."),
    },
)
async def list_assignments(
    request: Request,
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    filters: Annotated[AssignmentFilters, query_parameters(AssignmentFilters)],
    csv: CsvWanted,
    sort: Annotated[AssignmentSort, Query()] = AssignmentSort.DUE_ON,
) -> Page[AssignmentOut] | StreamingResponse:
    """`mine=true`: whom the caller must rate, with due dates. Without it, for the cycles'
    administrators and auditors only: who must rate, and whether they have answered, with the
    ratee of peer and subordinate assignments withheld (null); `status=overdue` lists those
    not answered by the close date. Nothing tells when an assignment was answered."""
    if csv is not None:
        return await csv_list(request, session, principal, ASSIGNMENTS, filters, sort, csv)
    items, cursor = await service.list_assignments(
        session, principal, filters=filters, sort=sort, page=page
    )
    return Page(items=items, next_cursor=cursor)


@router.get(
    "/{assignment_id}",
    name="get",
    summary="Get an evaluation assignment",
    response_model=AssignmentOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_assignment(
    assignment_id: uuid.UUID, session: DbSession, principal: Reader, response: Response
) -> AssignmentOut:
    """One of the caller's assignments, or one of a cycle they administer or audit (the ratee
    withheld when the rater is anonymous)."""
    assignment = await service.get_assignment(session, principal, assignment_id)
    set_etag(response, assignment.version)
    return assignment


@router.post(
    "/{assignment_id}/response",
    name="respond",
    summary="Answer an evaluation assignment",
    response_model=AssignmentOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def respond(
    assignment_id: uuid.UUID,
    body: ResponseIn,
    session: DbSession,
    principal: Rater,
    response: Response,
) -> AssignmentOut:
    """The rater's answers, one for each BerAKHLAK core value (1-5, with an optional
    comment), while the cycle is open: from its opening to its closing day in the region's
    time zone (else `evaluation-not-open`). Submitted once and never changed (a second answer
    is `already-submitted`). The response is stored without the rater and without a time.
    No `Idempotency-Key`: a stored replay would tie the rater to their answers."""
    assignment = await service.submit(session, principal, assignment_id, body)
    set_etag(response, assignment.version)
    return assignment
