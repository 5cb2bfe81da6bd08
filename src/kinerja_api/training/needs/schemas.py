import uuid
from datetime import datetime

from pydantic import Field

from kinerja_api.core.schemas import OutputModel
from kinerja_api.models.evaluations import CoreValue, Predicate
from kinerja_api.models.training import CompetencyArea, ProgramKind
from kinerja_api.training.vocabulary import SuggestionReason


class WeakValueOut(OutputModel):
    value: CoreValue
    mean: str = Field(description="The mean score (1-5) over the groups the results show.")


class OpenSessionOut(OutputModel):
    session_id: uuid.UUID
    starts_at: datetime = Field(description="RFC 3339, with the region's offset.")
    ends_at: datetime
    place: str | None
    meeting_link: str | None
    capacity: int
    seats_left: int = Field(description="0: new enrollments join the waitlist.")
    enrollment_closes_at: datetime


class SuggestedProgramOut(OutputModel):
    program_id: uuid.UUID
    name: str
    kind: ProgramKind
    provider: str
    jp: int
    next_sessions: list[OpenSessionOut] = Field(
        description="Its next sessions open for enrollment now, earliest first (at most 3)."
    )


class SuggestionOut(OutputModel):
    area: CompetencyArea
    reason: SuggestionReason
    value: CoreValue | None = Field(description="The core value behind the suggestion, if one.")
    programs: list[SuggestedProgramOut] = Field(
        description="The region's active programs of the area, by name."
    )


class RecommendationsOut(OutputModel):
    """What an employee's latest evaluation suggests they develop, and where."""

    employee_id: uuid.UUID
    rating_id: uuid.UUID | None = Field(description="The latest locked rating, if any.")
    predicate: Predicate | None
    development_plan_required: bool
    cycle_id: uuid.UUID | None = Field(
        description="The latest closed 360° cycle in which the employee was rated, if any."
    )
    weak_values: list[WeakValueOut] = Field(
        description="Core values below expectation (mean under 3) in that cycle's shown "
        "groups, weakest first; groups withheld for anonymity count for nothing."
    )
    suggestions: list[SuggestionOut]
