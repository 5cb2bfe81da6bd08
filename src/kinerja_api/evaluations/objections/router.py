import uuid
from typing import Annotated

from fastapi import Query, Request, Response
from fastapi.responses import JSONResponse

from kinerja_api.auth.access import requires
from kinerja_api.auth.principal import Principal
from kinerja_api.core.etag import IfMatch, created_headers, set_etag
from kinerja_api.core.idempotency import IdempotencyKey, idempotent_create
from kinerja_api.core.pagination import Page, PageQuery
from kinerja_api.core.problems import problem_responses
from kinerja_api.core.ratelimit import settings_of
from kinerja_api.core.routing import Router
from kinerja_api.core.schemas import query_parameters
from kinerja_api.core.uow import DbSession
from kinerja_api.evaluations.objections import service
from kinerja_api.evaluations.objections.schemas import (
    ObjectionCreate,
    ObjectionDecision,
    ObjectionFilters,
    ObjectionOut,
    ObjectionSort,
)
from kinerja_api.evaluations.ratings.repository import READ_SCOPE
from kinerja_api.models.org import Role

OBJECTIONS = "/api/v1/evaluation-objections"
router = Router(prefix=OBJECTIONS, tags=["evaluation-objections"])
Reader = Annotated[
    Principal,
    requires(
        Role.SUPERADMIN,
        Role.REGION_ADMIN,
        Role.AGENCY_ADMIN,
        Role.AUDITOR,
        Role.EMPLOYEE,
        scopes=[READ_SCOPE],
    ),
]
# The rated employee files, the rater's supervisor decides: both employees, checked per row.
Employee = Annotated[Principal, requires(Role.EMPLOYEE)]


@router.post(
    "",
    status_code=201,
    name="create",
    summary="Object to a locked rating",
    response_model=ObjectionOut,
    responses=problem_responses(401, 403, 409, 422),
)
async def file_objection(
    request: Request,
    body: ObjectionCreate,
    session: DbSession,
    principal: Employee,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """File the rated employee's objection (keberatan) to their locked rating, within the
    region's allowed days after the lock (14 by default), counted in the region's calendar.
    409 `objection-refused`, with a `reason` (`not_locked`, `repeated`, `late` with its
    `last_day`, `no_decider`), otherwise. The rater's own supervisor decides."""
    days = settings_of(request).evaluation_objection_days

    async def run() -> tuple[ObjectionOut, dict[str, str]]:
        objection = await service.file_objection(session, principal, body, days=days)
        headers = created_headers(OBJECTIONS, objection.id, objection.version)
        return ObjectionOut.model_validate(objection), headers

    return await idempotent_create(
        session, request, principal_key=principal.key, key=idempotency_key, payload=body, create=run
    )


@router.get(
    "",
    name="list",
    summary="List objections",
    response_model=Page[ObjectionOut],
    responses=problem_responses(400, 401, 403, 422),
)
async def list_objections(
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    filters: Annotated[ObjectionFilters, query_parameters(ObjectionFilters)],
    sort: Annotated[ObjectionSort, Query()] = ObjectionSort.UPDATED_AT,
) -> Page[ObjectionOut]:
    """Objections the caller filed or decides, or those of their agency subtree or region for
    administrators and auditors."""
    rows, cursor = await service.list_objections(
        session, principal, filters=filters, sort=sort, page=page
    )
    return Page(items=[ObjectionOut.model_validate(row) for row in rows], next_cursor=cursor)


@router.get(
    "/{objection_id}",
    name="get",
    summary="Get an objection",
    response_model=ObjectionOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_objection(
    objection_id: uuid.UUID, session: DbSession, principal: Reader, response: Response
) -> ObjectionOut:
    """One objection the caller may read."""
    objection = await service.get_objection(session, principal, objection_id)
    set_etag(response, objection.version)
    return ObjectionOut.model_validate(objection)


@router.post(
    "/{objection_id}/decision",
    name="decide",
    summary="Decide an objection",
    response_model=ObjectionOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def decide_objection(
    objection_id: uuid.UUID,
    body: ObjectionDecision,
    session: DbSession,
    principal: Employee,
    response: Response,
    if_match: IfMatch = None,
) -> ObjectionOut:
    """The decider (the rater's own supervisor) upholds the rating or changes it; a change
    reads the predikat again from the matrix (the rating stays locked; the objection keeps
    `previous_predicate`). Decided once (409 afterwards). Send the `ETag` in `If-Match`."""
    objection = await service.decide(session, principal, objection_id, body, if_match)
    set_etag(response, objection.version)
    return ObjectionOut.model_validate(objection)
