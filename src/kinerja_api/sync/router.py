from datetime import timedelta
from typing import Annotated, Any

from fastapi import Request

from kinerja_api.auth.access import requires
from kinerja_api.auth.principal import Principal
from kinerja_api.config import Settings
from kinerja_api.core.pagination import PageQuery
from kinerja_api.core.problems import (
    PROBLEM_MEDIA_TYPE,
    SYNC_WINDOW_EXPIRED,
    problem_responses,
)
from kinerja_api.core.routing import Router
from kinerja_api.core.schemas import query_parameters
from kinerja_api.core.uow import DbSession
from kinerja_api.sync import service
from kinerja_api.sync.schemas import (
    DeletionFilters,
    DeletionOut,
    DeletionPage,
    SyncWindowExpiredProblem,
)

router = Router(prefix="/api/v1/sync", tags=["sync"])
# Each list's own readers: decided per `entity_type` by the service.
Reader = Annotated[Principal, requires(every_principal=True)]
DEFAULT_RETENTION_DAYS: int = Settings.model_fields["sync_tombstone_retention_days"].default
_WINDOW_EXPIRED: dict[int | str, dict[str, Any]] = {
    410: {
        "model": SyncWindowExpiredProblem,
        "description": "Gone: `since` is older than the tombstones kept; read in full.",
        "content": {
            PROBLEM_MEDIA_TYPE: {
                "schema": {"$ref": "#/components/schemas/SyncWindowExpiredProblem"},
                "example": {
                    "type": SYNC_WINDOW_EXPIRED.type_uri,
                    "title": SYNC_WINDOW_EXPIRED.title.render("id"),
                    "status": 410,
                    "detail": service.EXPIRED.render("id", days=DEFAULT_RETENTION_DAYS),
                    "instance": "/api/v1/sync/deletions",
                    "sync_time": "2026-03-31T08:58:00+07:00",
                },
            }
        },
    }
}


@router.get(
    "/deletions",
    name="deletions",
    response_model=DeletionPage,
    responses={**problem_responses(400, 401, 403, 422), **_WINDOW_EXPIRED},
)
async def list_deletions(
    request: Request,
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    filters: Annotated[DeletionFilters, query_parameters(DeletionFilters)],
) -> DeletionPage:
    """What left the caller's lists at or after `since`, oldest first: rows `deleted`, and rows
    `hidden` from the caller (a supervisor, agency, assignee or approver changed, or an agency
    moved in the tree: the row left the sight of those who read it through the former one).
    `entity_type` names one list (403 when the caller may not read it); without it, every list
    the caller may read. Targets' and indicators' tombstones are read by the readers of their
    plan. Tombstones are kept for a window (90 days unless configured otherwise): a `since`
    older than that is answered 410 `sync-window-expired`, with the `sync_time` to store after
    reading every list in full. See the README, "Sync", for the round a client runs and the
    `sync_time` it stores."""
    settings: Settings = request.app.state.settings
    retention = timedelta(days=settings.sync_tombstone_retention_days)
    sync_time = await service.sync_time(session, filters.since, retention)
    rows, cursor = await service.list_deletions(session, principal, filters, page=page)
    return DeletionPage(
        items=[DeletionOut.model_validate(row) for row in rows],
        next_cursor=cursor,
        sync_time=sync_time,
    )
