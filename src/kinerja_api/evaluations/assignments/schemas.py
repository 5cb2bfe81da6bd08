import uuid
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated

from fastapi import Query
from pydantic import Field, StringConstraints, field_validator

from kinerja_api.core.csv_export import CsvColumns
from kinerja_api.core.schemas import JSON_INTEGER, InputModel, OutputModel
from kinerja_api.models.common import described
from kinerja_api.models.evaluations import AssignmentStatus, CoreValue, RaterRelation

_HIDDEN = (
    " Null in administrators' views of peer and subordinate assignments, whose raters are "
    "anonymous to everyone but themselves."
)


class AssignmentOut(OutputModel):
    """Someone the rater must rate in a cycle, and by when. What was answered is never shown,
    nor when."""

    id: uuid.UUID
    cycle_id: uuid.UUID
    cycle_name: str
    rater_id: uuid.UUID
    relation: RaterRelation = Field(description="How the rater stands to the ratee.")
    ratee_id: uuid.UUID | None = Field(description="The employee to rate." + _HIDDEN)
    ratee_name: str | None = Field(description="Their name." + _HIDDEN)
    agency_id: uuid.UUID | None = Field(description="The ratee's agency." + _HIDDEN)
    due_on: date = Field(description="The last day to answer, in the region's time zone.")
    status: AssignmentStatus
    version: int


ASSIGNMENT_COLUMNS = CsvColumns.of(AssignmentOut)


Comment = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class AnswerIn(InputModel):
    value: CoreValue
    score: Annotated[
        int,
        Field(ge=1, le=5, description="1 (sangat kurang — very poor) to 5 (sangat baik)."),
        JSON_INTEGER,
    ]
    comment: Comment | None = Field(None, examples=["Selalu sigap membantu warga di loket."])


_EXAMPLE = [{"value": value.value, "score": 4, "comment": None} for value in CoreValue]


class ResponseIn(InputModel):
    """The rater's answers: one for each of the seven BerAKHLAK core values. Submitted once;
    it cannot be changed or withdrawn."""

    answers: list[AnswerIn] = Field(
        min_length=len(CoreValue), max_length=len(CoreValue), examples=[_EXAMPLE]
    )

    @field_validator("answers")
    @classmethod
    def _every_value_once(cls, answers: list[AnswerIn]) -> list[AnswerIn]:
        given = [answer.value for answer in answers]
        missing = [value.value for value in CoreValue if value not in given]
        if missing or len(set(given)) != len(given):
            raise ValueError(
                "answer every core value exactly once; missing: " + (", ".join(missing) or "none")
            )
        return answers


@described(
    {
        "due_on": "the earliest due first",
    }
)
class AssignmentSort(StrEnum):
    DUE_ON = "due_on"


@dataclass(frozen=True, slots=True)
class AssignmentFilters:
    mine: Annotated[
        bool | None,
        Query(
            description="`true`: what the caller must rate. Otherwise the assignments of the "
            "cycles the caller administers or audits (anonymous raters' ratees hidden)."
        ),
    ] = None
    cycle_id: uuid.UUID | None = None
    status: Annotated[
        AssignmentStatus | None,
        Query(description="`overdue`: not answered by the close date."),
    ] = None
    rater_id: Annotated[uuid.UUID | None, Query(description="Only this rater's.")] = None
