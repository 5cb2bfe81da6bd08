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
from kinerja_api.core.routing import Router
from kinerja_api.core.schemas import query_parameters
from kinerja_api.core.uow import DbSession
from kinerja_api.evaluations.ratings import service
from kinerja_api.evaluations.ratings.repository import READ_SCOPE
from kinerja_api.evaluations.ratings.schemas import (
    RatingCreate,
    RatingDetailOut,
    RatingFilters,
    RatingOut,
    RatingSort,
    RatingUpdate,
)
from kinerja_api.models.org import Role

RATINGS = "/api/v1/evaluation-ratings"
router = Router(prefix=RATINGS, tags=["evaluation-ratings"])
# Supervisors and raters are employees; each reader sees only the ratings in their reach.
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
# The pejabat penilai is the approver of the plan, an employee; the service decides per plan.
Rater = Annotated[Principal, requires(Role.EMPLOYEE)]


@router.post(
    "",
    status_code=201,
    name="create",
    summary="Rate an employee's approved plan",
    response_model=RatingDetailOut,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_rating(
    request: Request,
    body: RatingCreate,
    session: DbSession,
    principal: Rater,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Record the hasil kerja and perilaku ratings of an approved plan, as its approver (the
    pejabat penilai); the predikat comes from the regulation's matrix. The answer carries the
    suggestion from the plan's achievement; `above` is refused (422) while any `utama` target
    is below its expectation. One rating per employee and period (409 on a second); refused
    (409) once the agency's ratings are locked."""

    async def run() -> tuple[RatingDetailOut, dict[str, str]]:
        rating = await service.create_rating(session, principal, body)
        return rating, created_headers(RATINGS, rating.id, rating.version)

    return await idempotent_create(
        session, request, principal_key=principal.key, key=idempotency_key, payload=body, create=run
    )


@router.get(
    "",
    name="list",
    summary="List ratings",
    response_model=Page[RatingOut],
    responses=problem_responses(400, 401, 403, 422),
)
async def list_ratings(
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    filters: Annotated[RatingFilters, query_parameters(RatingFilters)],
    sort: Annotated[RatingSort, Query()] = RatingSort.UPDATED_AT,
) -> Page[RatingOut]:
    """Ratings the caller may read: their own, those they gave, their reports', or those of
    their agency subtree or region for administrators and auditors."""
    ratings, cursor = await service.list_ratings(
        session, principal, filters=filters, sort=sort, page=page
    )
    return Page(items=service.views(ratings), next_cursor=cursor)


@router.get(
    "/{rating_id}",
    name="get",
    summary="Get a rating with its evidence",
    response_model=RatingDetailOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_rating(
    rating_id: uuid.UUID, session: DbSession, principal: Reader, response: Response
) -> RatingDetailOut:
    """A rating with the plan's achievement as it stands, target by target, and the hasil
    kerja it suggests."""
    rating = await service.get_rating(session, principal, rating_id)
    set_etag(response, rating.version)
    return rating


@router.patch(
    "/{rating_id}",
    name="update",
    summary="Change a draft rating",
    response_model=RatingDetailOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_rating(
    rating_id: uuid.UUID,
    body: RatingUpdate,
    session: DbSession,
    principal: Rater,
    response: Response,
    if_match: IfMatch = None,
) -> RatingDetailOut:
    """Change a rating the caller gave while it is a draft (409 `rating-locked` once the
    agency's ratings are locked); the predikat is read again from the matrix. Send the `ETag`
    of your last read in `If-Match` (412 when stale, 428 when missing)."""
    rating = await service.update_rating(session, principal, rating_id, body, if_match)
    set_etag(response, rating.version)
    return rating
