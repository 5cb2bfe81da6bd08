from typing import Annotated

from kinerja_api.auth.access import requires
from kinerja_api.auth.principal import Principal
from kinerja_api.core.pagination import PageQuery
from kinerja_api.core.problems import problem_responses
from kinerja_api.core.routing import Router
from kinerja_api.core.schemas import query_parameters
from kinerja_api.core.uow import DbSession
from kinerja_api.sync import service
from kinerja_api.sync.schemas import DeletionFilters, DeletionOut, DeletionPage

router = Router(prefix="/api/v1/sync", tags=["sync"])
# Each list's own readers: decided per `entity_type` by the service.
Reader = Annotated[Principal, requires(every_principal=True)]


@router.get(
    "/deletions",
    name="deletions",
    response_model=DeletionPage,
    responses=problem_responses(400, 401, 403, 422),
)
async def list_deletions(
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    filters: Annotated[DeletionFilters, query_parameters(DeletionFilters)],
) -> DeletionPage:
    """What left the caller's lists at or after `since`, oldest first: rows `deleted`, and rows
    `hidden` from the caller (a plan or employee whose supervisor changed, or an employee moved
    to another agency: it left the sight of the former chain or agency administrators).
    `entity_type` names one list (403 when the caller may not read it); without it, every list
    the caller may read. Targets' and indicators' tombstones are read by the readers of their
    plan. See the README, "Sync", for the round a client runs and the `sync_time` it stores."""
    sync_time = await service.sync_time(session)
    rows, cursor = await service.list_deletions(session, principal, filters, page=page)
    return DeletionPage(
        items=[DeletionOut.model_validate(row) for row in rows],
        next_cursor=cursor,
        sync_time=sync_time,
    )
