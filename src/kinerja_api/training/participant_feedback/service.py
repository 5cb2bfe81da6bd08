"""Participants' feedback: a participant who attended rates the session once; its organisers
and auditors read the summary of a session or a program, comments without names and withheld
below 3 people (`feedback_rules`). No event is published: who rated is not told to anyone."""

import uuid

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import not_found
from kinerja_api.auth.principal import Principal
from kinerja_api.core.audit import plain, record
from kinerja_api.core.i18n import Msg
from kinerja_api.core.problems import ALREADY_SUBMITTED, FORBIDDEN, NOT_ATTENDED, Problem
from kinerja_api.models.training import EnrollmentStatus, TrainingEnrollment, TrainingFeedback
from kinerja_api.training import feedback_rules
from kinerja_api.training.enrollments import repository as enrollments
from kinerja_api.training.participant_feedback import repository
from kinerja_api.training.participant_feedback.schemas import (
    TrainingFeedbackCreate,
    TrainingFeedbackOut,
    TrainingFeedbackSummaryOut,
)
from kinerja_api.training.programs import repository as programs
from kinerja_api.training.sessions import repository as sessions

ENTITY = "training_feedback"
RATED_BY = (EnrollmentStatus.ATTENDED, EnrollmentStatus.COMPLETED)
_NOT_YOURS = Msg(
    "Hanya peserta sendiri yang dapat menilai sesinya.",
    "Only the participant may rate their session.",
)
_NOT_ATTENDED = Msg(
    "Pendaftaran berstatus {status}: hanya peserta yang hadir yang dapat menilai.",
    "The enrollment is {status}: only a participant who attended may rate the session.",
)
_TWICE = Msg("Anda sudah menilai sesi ini.", "You have already rated this session.")


async def _own_enrollment(
    session: AsyncSession, principal: Principal, enrollment_id: uuid.UUID
) -> TrainingEnrollment:
    enrollment = await enrollments.find(session, principal, enrollment_id)
    if enrollment is None:
        raise not_found("Training enrollment")
    if principal.employee_id is None or enrollment.employee_id != principal.employee_id:
        raise Problem(FORBIDDEN, _NOT_YOURS)
    return enrollment


async def give_feedback(
    session: AsyncSession,
    principal: Principal,
    enrollment_id: uuid.UUID,
    data: TrainingFeedbackCreate,
) -> TrainingFeedback:
    enrollment = await _own_enrollment(session, principal, enrollment_id)
    if enrollment.status not in RATED_BY:
        raise Problem(
            NOT_ATTENDED,
            _NOT_ATTENDED,
            params={"status": enrollment.status},
            current_status=enrollment.status,
        )
    values = {
        "region_id": enrollment.region_id,
        "enrollment_id": enrollment.id,
        "session_id": enrollment.session_id,
        "program_id": enrollment.program_id,
        **data.model_dump(),
    }
    feedback_id = await repository.insert_once(session, values)
    if feedback_id is None:
        raise Problem(ALREADY_SUBMITTED, _TWICE)
    await record(
        session,
        principal,
        f"{ENTITY}.given",
        entity_type=ENTITY,
        entity_id=feedback_id,
        region_id=enrollment.region_id,
        after={k: plain(v) for k, v in values.items() if k != "region_id"},
    )
    found = await repository.of_enrollment(session, enrollment.id)
    assert found is not None
    return found


async def get_feedback(
    session: AsyncSession, principal: Principal, enrollment_id: uuid.UUID
) -> TrainingFeedback:
    enrollment = await _own_enrollment(session, principal, enrollment_id)
    found = await repository.of_enrollment(session, enrollment.id)
    if found is None:
        raise not_found("Training feedback")
    return found


def feedback_out(feedback: TrainingFeedback) -> TrainingFeedbackOut:
    return TrainingFeedbackOut.model_validate(feedback)


def _summary(
    answers: list[feedback_rules.FeedbackAnswer],
    program_id: uuid.UUID,
    session_id: uuid.UUID | None,
) -> TrainingFeedbackSummaryOut:
    result = feedback_rules.aggregate(answers)
    return TrainingFeedbackSummaryOut(
        session_id=session_id,
        program_id=program_id,
        answers=result.answers,
        respondents=result.respondents,
        content_mean=result.content_mean,
        trainer_mean=result.trainer_mean,
        relevance_mean=result.relevance_mean,
        comments=result.comments,
        comments_withheld=result.comments_withheld,
    )


async def session_summary(
    session: AsyncSession, principal: Principal, session_id: uuid.UUID
) -> TrainingFeedbackSummaryOut:
    found = await sessions.find(session, principal, session_id)
    if found is None:
        raise not_found("Training session")
    where: ColumnElement[bool] = (TrainingFeedback.region_id == found.region_id) & (
        TrainingFeedback.session_id == found.id
    )
    return _summary(await repository.answers(session, where), found.program_id, found.id)


async def program_summary(
    session: AsyncSession, principal: Principal, program_id: uuid.UUID
) -> TrainingFeedbackSummaryOut:
    found = await programs.find(session, principal, program_id)
    if found is None:
        raise not_found("Training program")
    where: ColumnElement[bool] = (TrainingFeedback.region_id == found.region_id) & (
        TrainingFeedback.program_id == found.id
    )
    return _summary(await repository.answers(session, where), found.id, None)
