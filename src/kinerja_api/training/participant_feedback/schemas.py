import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from kinerja_api.core.schemas import DecimalString, InputModel, OutputModel

Score = Annotated[int, Field(strict=True, ge=1, le=5)]
MAX_COMMENT = 2000


class TrainingFeedbackCreate(InputModel):
    """A participant's rating of the session they attended: each score a JSON integer 1-5."""

    content: Score = Field(description="The content of the session.", examples=[4])
    trainer: Score = Field(description="The trainer, mentor or facilitator.", examples=[5])
    relevance: Score = Field(description="Relevance to the participant's work.", examples=[4])
    comment: Annotated[str, StringConstraints(max_length=MAX_COMMENT)] | None = Field(
        None,
        description="Shown to organisers without the name, once at least 3 people answered.",
        examples=["Materi manajemen waktu langsung bisa dipakai di kantor."],
    )


class TrainingFeedbackOut(OutputModel):
    id: uuid.UUID
    enrollment_id: uuid.UUID
    session_id: uuid.UUID
    program_id: uuid.UUID
    content: int
    trainer: int
    relevance: int
    comment: str | None
    created_at: datetime


class TrainingFeedbackSummaryOut(OutputModel):
    """What the participants said, without a name: counts, means, and the comments sorted by
    their text (withheld while fewer than 3 people answered)."""

    session_id: uuid.UUID | None = Field(description="The session summed up; null for a program.")
    program_id: uuid.UUID
    answers: int = Field(description="How many ratings were given.")
    respondents: int = Field(description="How many people gave them.")
    content_mean: DecimalString | None = Field(
        description="Mean of the content scores, rounded half up to 2 places; null without answers."
    )
    trainer_mean: DecimalString | None
    relevance_mean: DecimalString | None
    comments: list[str] | None = Field(
        description="The comments, trimmed and sorted by their text; null while fewer than 3 "
        "people answered."
    )
    comments_withheld: bool = Field(
        description="True when comments were given but are not shown (fewer than 3 people)."
    )
