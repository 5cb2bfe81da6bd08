"""Participants' feedback: one row per enrollment (a unique index keeps it so under any
concurrency), read back for the participant, and the answers of a session or a program for
its summary."""

import uuid
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.models.training import TrainingEnrollment, TrainingFeedback
from kinerja_api.training.feedback_rules import FeedbackAnswer

FEEDBACK = cast(Table, TrainingFeedback.__table__)


async def insert_once(session: AsyncSession, values: dict[str, Any]) -> uuid.UUID | None:
    """The feedback's id, or None when the enrollment already has one."""
    inserted = await session.scalar(
        insert(FEEDBACK)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["region_id", "enrollment_id"])
        .returning(FEEDBACK.c.id)
    )
    return cast(uuid.UUID | None, inserted)


async def of_enrollment(session: AsyncSession, enrollment_id: uuid.UUID) -> TrainingFeedback | None:
    found: TrainingFeedback | None = await session.scalar(
        select(TrainingFeedback).where(TrainingFeedback.enrollment_id == enrollment_id)
    )
    return found


async def answers(session: AsyncSession, where: ColumnElement[bool]) -> list[FeedbackAnswer]:
    rows = await session.execute(
        select(
            TrainingFeedback.session_id,
            TrainingFeedback.program_id,
            TrainingEnrollment.employee_id,
            TrainingFeedback.content,
            TrainingFeedback.trainer,
            TrainingFeedback.relevance,
            TrainingFeedback.comment,
        )
        .join(TrainingEnrollment, TrainingEnrollment.id == TrainingFeedback.enrollment_id)
        .where(where)
    )
    return [
        FeedbackAnswer(
            session_id=row.session_id,
            program_id=row.program_id,
            participant=row.employee_id,
            content=row.content,
            trainer=row.trainer,
            relevance=row.relevance,
            comment=row.comment,
        )
        for row in rows
    ]
