import uuid
from typing import Annotated

from kinerja_api.auth.access import requires
from kinerja_api.auth.principal import Principal
from kinerja_api.core.problems import problem_responses
from kinerja_api.core.routing import Router
from kinerja_api.core.uow import DbSession
from kinerja_api.models.org import Role
from kinerja_api.training.attendance import service
from kinerja_api.training.attendance.schemas import AttendanceOut, AttendanceRecord, CompletionOut

router = Router(prefix="/api/v1/training-sessions", tags=["training-attendance"])
Manager = Annotated[Principal, requires(Role.TRAINING_ADMIN, Role.REGION_ADMIN)]


@router.post(
    "/{session_id}/attendance",
    name="record-attendance",
    summary="Record a session's attendance",
    response_model=AttendanceOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def record_attendance(
    session_id: uuid.UUID, body: AttendanceRecord, session: DbSession, principal: Manager
) -> AttendanceOut:
    """The whole session's attendance in one request, once the session has started: each
    participant holding a seat (named by `enrollment_id` or `employee_id`) `attended` or
    `no_show`. Marking again as already marked changes nothing, so the request may be
    repeated; a participant may be marked again the other way until completion is recorded.
    Each participant whose status changes receives `training.attended` or `training.no_show`.
    Someone not holding a seat in the session: 422; a cancelled session or one not yet
    started: 409 `session-not-held`. Training and region administrators only."""
    return await service.record_attendance(session, principal, session_id, body)


@router.post(
    "/{session_id}/completion",
    name="record-completion",
    summary="Record a session's completion",
    response_model=CompletionOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def record_completion(
    session_id: uuid.UUID, session: DbSession, principal: Manager
) -> CompletionOut:
    """Once the session has ended, every participant marked `attended` becomes `completed`:
    the program's JP are credited to their ledger (in the year, in the region's zone, in which
    the session ended) and a certificate is issued, numbered in the region's order of the
    year; each receives `training.completed`. Recording it again completes nobody twice and
    credits nothing twice (the answer then lists nobody). A cancelled session or one not yet
    ended: 409 `session-not-held`. Training and region administrators only."""
    return await service.record_completion(session, principal, session_id)
