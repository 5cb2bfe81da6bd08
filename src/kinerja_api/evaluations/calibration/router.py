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
from kinerja_api.evaluations.calibration import service
from kinerja_api.evaluations.calibration.schemas import (
    AgencyRatingCreate,
    AgencyRatingDetailOut,
    AgencyRatingFilters,
    AgencyRatingOut,
    AgencyRatingSort,
    AgencyRatingUpdate,
)
from kinerja_api.evaluations.ratings.repository import READ_SCOPE
from kinerja_api.models.org import Role

AGENCY_RATINGS = "/api/v1/agency-ratings"
router = Router(prefix=AGENCY_RATINGS, tags=["evaluation-calibration"])
Reader = Annotated[
    Principal,
    requires(
        Role.SUPERADMIN, Role.REGION_ADMIN, Role.AGENCY_ADMIN, Role.AUDITOR, scopes=[READ_SCOPE]
    ),
]
# BKPSDM sets the organisation predikat and locks the ratings.
Writer = Annotated[Principal, requires(Role.REGION_ADMIN)]


@router.post(
    "",
    status_code=201,
    name="create",
    summary="Set an agency's organisation predikat",
    response_model=AgencyRatingDetailOut,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_agency_rating(
    request: Request,
    body: AgencyRatingCreate,
    session: DbSession,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Set the organisation predikat (predikat kinerja organisasi) of an agency for a period;
    it covers the agency's subtree (409 when an agency above or below has one for the period).
    The answer shows the subtree's current spread of predikat beside the curve."""

    async def run() -> tuple[AgencyRatingDetailOut, dict[str, str]]:
        found = await service.create_agency_rating(session, principal, body)
        return found, created_headers(AGENCY_RATINGS, found.id, found.version)

    return await idempotent_create(
        session, request, principal_key=principal.key, key=idempotency_key, payload=body, create=run
    )


@router.get(
    "",
    name="list",
    summary="List organisation predikat",
    response_model=Page[AgencyRatingOut],
    responses=problem_responses(400, 401, 403, 422),
)
async def list_agency_ratings(
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    filters: Annotated[AgencyRatingFilters, query_parameters(AgencyRatingFilters)],
    sort: Annotated[AgencyRatingSort, Query()] = AgencyRatingSort.UPDATED_AT,
) -> Page[AgencyRatingOut]:
    """Organisation predikat of the caller's region, or of their agency subtree."""
    items, cursor = await service.list_agency_ratings(
        session, principal, filters=filters, sort=sort, page=page
    )
    return Page(items=items, next_cursor=cursor)


@router.get(
    "/{agency_rating_id}",
    name="get",
    summary="Get an organisation predikat with the agency's spread",
    response_model=AgencyRatingDetailOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_agency_rating(
    agency_rating_id: uuid.UUID, session: DbSession, principal: Reader, response: Response
) -> AgencyRatingDetailOut:
    """The organisation predikat with the count and share of each employee predikat in the
    agency's subtree for the period, beside each band of the curve (`curve_version`) and
    whether it fits."""
    found = await service.get_agency_rating(session, principal, agency_rating_id)
    set_etag(response, found.version)
    return found


@router.patch(
    "/{agency_rating_id}",
    name="update",
    summary="Change an organisation predikat",
    response_model=AgencyRatingDetailOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update_agency_rating(
    agency_rating_id: uuid.UUID,
    body: AgencyRatingUpdate,
    session: DbSession,
    principal: Writer,
    response: Response,
    if_match: IfMatch = None,
) -> AgencyRatingDetailOut:
    """Change the organisation predikat while the agency's ratings are not locked (409
    `rating-locked` afterwards). Send the `ETag` of your last read in `If-Match`."""
    found = await service.update_agency_rating(session, principal, agency_rating_id, body, if_match)
    set_etag(response, found.version)
    return found


@router.post(
    "/{agency_rating_id}/lock",
    name="lock",
    summary="Lock the agency's ratings",
    response_model=AgencyRatingDetailOut,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def lock_agency_ratings(
    agency_rating_id: uuid.UUID,
    session: DbSession,
    principal: Writer,
    response: Response,
    if_match: IfMatch = None,
) -> AgencyRatingDetailOut:
    """Check the spread of the subtree's ratings for the period against the curve of the
    organisation predikat: 409 `distribution-misfit` lists in `bands` every band over its
    share (or under it, where the curve sets a minimum). Once it fits, the organisation
    predikat and every draft rating of the subtree are locked together, and each rated
    employee is told (`evaluation.rating_locked`). Send the `ETag` in `If-Match`."""
    found = await service.lock_agency_ratings(session, principal, agency_rating_id, if_match)
    set_etag(response, found.version)
    return found
