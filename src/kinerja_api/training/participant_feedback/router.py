import uuid
from typing import Annotated

from fastapi import Request
from fastapi.responses import JSONResponse

from kinerja_api.auth.access import requires
from kinerja_api.auth.principal import Principal
from kinerja_api.core.idempotency import IdempotencyKey, idempotent_create
from kinerja_api.core.problems import problem_responses
from kinerja_api.core.routing import Router
from kinerja_api.core.uow import DbSession
from kinerja_api.models.org import Role
from kinerja_api.training.participant_feedback import service
from kinerja_api.training.participant_feedback.schemas import (
    TrainingFeedbackCreate,
    TrainingFeedbackOut,
    TrainingFeedbackSummaryOut,
)
from kinerja_api.training.programs.repository import READ_SCOPE

TAG = "training-feedback"
router = Router(prefix="/api/v1/training-enrollments", tags=[TAG])
session_router = Router(prefix="/api/v1/training-sessions", tags=[TAG])
program_router = Router(prefix="/api/v1/training-programs", tags=[TAG])
Participant = Annotated[Principal, requires(Role.EMPLOYEE)]
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


@router.post(
    "/{enrollment_id}/feedback",
    status_code=201,
    name="give-feedback",
    summary="Rate a training session you attended",
    response_model=TrainingFeedbackOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def give_feedback(
    enrollment_id: uuid.UUID,
    request: Request,
    body: TrainingFeedbackCreate,
    session: DbSession,
    principal: Participant,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """The participant rates the session of their enrollment, once it is `attended` or
    `completed`: content, trainer and relevance (integers 1-5) and an optional comment.
    Another's enrollment: 403; not attended: 409 `not-attended`; rated already: 409
    `already-submitted`."""

    async def run() -> tuple[TrainingFeedbackOut, dict[str, str]]:
        feedback = await service.give_feedback(session, principal, enrollment_id, body)
        headers = {"Location": f"{router.prefix}/{enrollment_id}/feedback"}
        return service.feedback_out(feedback), headers

    return await idempotent_create(
        session, request, principal_key=principal.key, key=idempotency_key, payload=body, create=run
    )


@router.get(
    "/{enrollment_id}/feedback",
    name="get-feedback",
    summary="Get your rating of a training session",
    response_model=TrainingFeedbackOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_feedback(
    enrollment_id: uuid.UUID, session: DbSession, principal: Participant
) -> TrainingFeedbackOut:
    """The participant's own rating; nobody else reads it (organisers see summaries)."""
    return service.feedback_out(await service.get_feedback(session, principal, enrollment_id))


@session_router.get(
    "/{session_id}/feedback-summary",
    name="session-feedback-summary",
    summary="Summarise a session's feedback",
    response_model=TrainingFeedbackSummaryOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def session_feedback_summary(
    session_id: uuid.UUID, session: DbSession, principal: Organiser
) -> TrainingFeedbackSummaryOut:
    """The participants' ratings of the session: counts, means, and the comments without
    names, sorted, shown once at least 3 people answered. Organisers and auditors."""
    return await service.session_summary(session, principal, session_id)


@program_router.get(
    "/{program_id}/feedback-summary",
    name="program-feedback-summary",
    summary="Summarise a program's feedback",
    response_model=TrainingFeedbackSummaryOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def program_feedback_summary(
    program_id: uuid.UUID, session: DbSession, principal: Organiser
) -> TrainingFeedbackSummaryOut:
    """The participants' ratings of all the program's sessions together, as for a session;
    `respondents` counts people once however many sessions they rated."""
    return await service.program_summary(session, principal, program_id)
