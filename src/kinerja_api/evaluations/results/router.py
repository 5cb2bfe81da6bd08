import uuid
from typing import Annotated

from kinerja_api.auth.access import requires
from kinerja_api.auth.principal import Principal
from kinerja_api.core.pagination import Page, PageQuery
from kinerja_api.core.problems import problem_responses
from kinerja_api.core.routing import Router
from kinerja_api.core.schemas import query_parameters
from kinerja_api.core.uow import DbSession
from kinerja_api.evaluations.readers import READ_SCOPE, READER_ROLES
from kinerja_api.evaluations.results import follow_up, service
from kinerja_api.evaluations.results.schemas import (
    FollowUpFilters,
    FollowUpOut,
    RateeResultDetailOut,
    RateeResultOut,
    ResultFilters,
)

router = Router(prefix="/api/v1/evaluation-cycles", tags=["evaluation-results"])
follow_up_router = Router(prefix="/api/v1/evaluation-results", tags=["evaluation-results"])
# Each reader sees the ratees they may read: their own result, their reports', their agency
# subtree's or the region's.
Reader = Annotated[Principal, requires(*READER_ROLES, scopes=[READ_SCOPE])]


@router.get(
    "/{cycle_id}/results",
    name="list",
    summary="List a cycle's 360° results",
    response_model=Page[RateeResultOut],
    responses=problem_responses(400, 401, 403, 404, 422),
)
async def list_results(
    cycle_id: uuid.UUID,
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    filters: Annotated[ResultFilters, query_parameters(ResultFilters)],
) -> Page[RateeResultOut]:
    """The cycle's ratees the caller may read, in id order, each with the mean score per core
    value of every rater group taking part. Self and supervisor are shown as such; peers and
    subordinates only as aggregates of at least the cycle's anonymity threshold of raters, and
    only once the cycle is closed: otherwise the group says `withheld` and why, with no count,
    means or comments."""
    items, cursor = await service.list_results(session, principal, cycle_id, filters, page)
    return Page(items=items, next_cursor=cursor)


@router.get(
    "/{cycle_id}/results/{employee_id}",
    name="get",
    summary="Get one ratee's 360° result",
    response_model=RateeResultDetailOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_result(
    cycle_id: uuid.UUID, employee_id: uuid.UUID, session: DbSession, principal: Reader
) -> RateeResultDetailOut:
    """One ratee's result with the comments of each shown group, sorted by their text, and
    beside it the citizens' satisfaction (IKM) with the employee in the cycle's quarter or
    year, when at least 5 questionnaires name them."""
    return await service.ratee_result(session, principal, cycle_id, employee_id)


@follow_up_router.get(
    "",
    name="follow-up",
    summary="List rated employees with their follow-up",
    response_model=Page[FollowUpOut],
    responses=problem_responses(400, 401, 403, 404, 422),
)
async def list_follow_up(
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    filters: Annotated[FollowUpFilters, query_parameters(FollowUpFilters)],
) -> Page[FollowUpOut]:
    """Tindak lanjut of a cycle's or a period's ratings (give `cycle_id` or `period_id`): Sangat
    Baik lists award candidates with their awards (piagam, tunjangan kinerja, promotion
    consideration); Butuh Perbaikan, Kurang and Sangat Kurang require a development plan, named
    when recorded, with the cycle's weakest core values as a hint."""
    items, cursor = await follow_up.list_follow_up(session, principal, filters, page)
    return Page(items=items, next_cursor=cursor)
