import uuid
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
from kinerja_api.models.org import Role
from kinerja_api.training.enrollments import service
from kinerja_api.training.enrollments.schemas import (
    ENROLLMENT_COLUMNS,
    EnrollmentCreate,
    EnrollmentFilters,
    EnrollmentOut,
    EnrollmentSort,
    SessionEnrollmentFilters,
)
from kinerja_api.training.programs.repository import READ_SCOPE

router = Router(prefix="/api/v1/training-enrollments", tags=["training-enrollments"])
session_router = Router(prefix="/api/v1/training-sessions", tags=["training-enrollments"])
READ = requires(any_role=True, scopes=[READ_SCOPE])
Reader = Annotated[Principal, READ]
Organiser = Annotated[
    Principal,
    requires(
        Role.SUPERADMIN,
        Role.TRAINING_ADMIN,
        Role.REGION_ADMIN,
        Role.AUDITOR,
        scopes=[READ_SCOPE],
    ),
]
Enroller = Annotated[Principal, requires(Role.EMPLOYEE, Role.TRAINING_ADMIN, Role.REGION_ADMIN)]


@session_router.post(
    "/{session_id}/enrollments",
    status_code=201,
    name="enroll",
    summary="Enroll in a training session",
    response_model=EnrollmentOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def enroll(
    session_id: uuid.UUID,
    request: Request,
    body: EnrollmentCreate,
    session: DbSession,
    principal: Enroller,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Enroll yourself (an empty body) or nominate `employee_id` (your report; anyone of the
    region for training and region administrators). A seat while any is free (`enrolled`),
    else a place on the waitlist (`waitlisted`), first come first served: capacity is never
    exceeded, however many ask at once. Outside the enrollment window, or for a cancelled
    session: 409 `enrollment-closed`; an agency or employment type the session is not open
    to: 422 `not-eligible`; already enrolled or waitlisted: 409 `already-enrolled`."""

    async def run() -> tuple[EnrollmentOut, dict[str, str]]:
        enrollment = await service.enroll(session, principal, session_id, body)
        headers = created_headers(router.prefix, enrollment.id, enrollment.version)
        return service.enrollment_out(enrollment), headers

    return await idempotent_create(
        session, request, principal_key=principal.key, key=idempotency_key, payload=body, create=run
    )


@session_router.get(
    "/{session_id}/enrollments",
    name="list-for-session",
    summary="List a session's enrollments",
    response_model=Page[EnrollmentOut],
    responses=problem_responses(400, 401, 403, 404, 422),
)
async def list_session_enrollments(
    session_id: uuid.UUID,
    session: DbSession,
    principal: Organiser,
    page: PageQuery,
    filters: Annotated[SessionEnrollmentFilters, query_parameters(SessionEnrollmentFilters)],
    sort: Annotated[EnrollmentSort, Query()] = EnrollmentSort.ARRIVAL,
) -> Page[EnrollmentOut]:
    """The session's participants and waitlist, in arrival order, for its organisers and
    auditors."""
    found, cursor = await service.list_session_enrollments(
        session, principal, session_id, filters=filters, sort=sort, page=page
    )
    return Page(items=found, next_cursor=cursor)


ENROLLMENTS = exportable(
    ExportableList(
        name="training-enrollments",
        columns=ENROLLMENT_COLUMNS,
        filters=EnrollmentFilters,
        sorts=EnrollmentSort,
        default_sort=EnrollmentSort.CREATED_AT,
        readers=rule_of(READ),
        query=service.enrollments_query,
        views=service.enrollment_views,
    )
)


@router.get(
    "",
    name="list",
    summary="List training enrollments",
    response_model=Page[EnrollmentOut],
    responses={
        **problem_responses(400, 401, 403, 422),
        **csv_content("Every enrollment listed."),
    },
)
async def list_enrollments(
    request: Request,
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    filters: Annotated[EnrollmentFilters, query_parameters(EnrollmentFilters)],
    csv: CsvWanted,
    sort: Annotated[EnrollmentSort, Query()] = EnrollmentSort.CREATED_AT,
) -> Page[EnrollmentOut] | StreamingResponse:
    """The enrollments the caller may read: their own (`mine=true` for only those) and their
    reports'; an agency administrator's subtree; all of the region for organisers and
    auditors."""
    if csv is not None:
        return await csv_list(request, session, principal, ENROLLMENTS, filters, sort, csv)
    found, cursor = await service.list_enrollments(
        session, principal, filters=filters, sort=sort, page=page
    )
    return Page(items=found, next_cursor=cursor)


@router.get(
    "/{enrollment_id}",
    name="get",
    summary="Get a training enrollment",
    response_model=EnrollmentOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_enrollment(
    enrollment_id: uuid.UUID, session: DbSession, principal: Reader, response: Response
) -> EnrollmentOut:
    """One enrollment the caller may read, with its `ETag`."""
    enrollment = await service.get_enrollment(session, principal, enrollment_id)
    set_etag(response, enrollment.version)
    return service.enrollment_out(enrollment)


@router.post(
    "/{enrollment_id}/cancel",
    name="cancel",
    summary="Cancel a training enrollment",
    response_model=EnrollmentOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def cancel_enrollment(
    enrollment_id: uuid.UUID,
    session: DbSession,
    principal: Enroller,
    response: Response,
    if_match: IfMatch = None,
) -> EnrollmentOut:
    """Give up a seat or a waitlist place: the participant, their supervisors, or the
    organisers. A seat given up goes, in the same transaction, to the first waitlisted, who
    receives `training.promoted`. Cancelling a cancelled enrollment answers it as it is."""
    enrollment = await service.cancel(session, principal, enrollment_id, if_match)
    set_etag(response, enrollment.version)
    return service.enrollment_out(enrollment)
