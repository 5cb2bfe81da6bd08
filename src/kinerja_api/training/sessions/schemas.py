import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from fastapi import Query
from pydantic import AnyHttpUrl, Field, UrlConstraints

from kinerja_api.core.csv_export import CsvColumns
from kinerja_api.core.schemas import (
    JSON_INTEGER,
    InputModel,
    Instant,
    Name,
    OutputModel,
    PatchModel,
    UpdatedSince,
)
from kinerja_api.models.common import described
from kinerja_api.models.training import SessionStatus
from kinerja_api.training.localtime import LocalTime

EmploymentType = Literal["pns", "pppk"]
MeetingLink = Annotated[AnyHttpUrl, UrlConstraints(max_length=500)]
Capacity = Annotated[
    int,
    Field(ge=1, le=10000, description="Seats; more requests wait.", examples=[30]),
    JSON_INTEGER,
]
AgencyIds = Annotated[
    list[uuid.UUID],
    Field(
        max_length=50,
        description="Roots of the agency subtrees whose employees may enroll; empty: everyone "
        "of the region.",
    ),
]
EmploymentTypes = Annotated[
    list[EmploymentType],
    Field(max_length=2, description="Employment types that may enroll; empty: both."),
]


class SessionCreate(InputModel):
    """A session of a program: when, where (a place, a meeting link or both), how many seats,
    when enrollment opens and closes, and who may enroll."""

    program_id: uuid.UUID
    starts_at: LocalTime = Field(examples=["2026-07-06T08:00:00"])
    ends_at: LocalTime = Field(examples=["2026-07-08T16:00:00"])
    place: Name | None = Field(None, examples=["Aula BKPSDM, Muara Bungo"])
    meeting_link: MeetingLink | None = Field(None, examples=["https://meet.example.go.id/abc"])
    capacity: Capacity
    enrollment_opens_at: LocalTime = Field(examples=["2026-06-01T00:00:00"])
    enrollment_closes_at: LocalTime = Field(examples=["2026-07-01T23:59:00"])
    eligible_agency_ids: AgencyIds = Field(default_factory=list)
    eligible_employment_types: EmploymentTypes = Field(default_factory=list)
    mentor_id: uuid.UUID | None = Field(
        None, description="The mentor, an employee of the region; required for mentoring."
    )


class SessionUpdate(PatchModel):
    """Changes to a scheduled session. Capacity never drops below the seats taken; raising it
    gives the new seats to the waitlist in its order."""

    nullable_fields: ClassVar[frozenset[str]] = frozenset({"place", "meeting_link", "mentor_id"})

    starts_at: LocalTime | None = Field(None, examples=["2026-07-13T08:00:00"])
    ends_at: LocalTime | None = None
    place: Name | None = None
    meeting_link: MeetingLink | None = None
    capacity: Capacity | None = Field(None, examples=[40])
    enrollment_opens_at: LocalTime | None = None
    enrollment_closes_at: LocalTime | None = None
    eligible_agency_ids: AgencyIds | None = None
    eligible_employment_types: EmploymentTypes | None = None
    mentor_id: uuid.UUID | None = None


class SessionOut(OutputModel):
    id: uuid.UUID
    region_id: uuid.UUID
    program_id: uuid.UUID
    starts_at: datetime = Field(description="RFC 3339, with the region's offset.")
    ends_at: datetime = Field(description="RFC 3339, with the region's offset.")
    timezone: str = Field(description="The region's IANA time zone.", examples=["Asia/Jakarta"])
    place: str | None
    meeting_link: str | None
    capacity: int
    seats_taken: int = Field(description="Seats held by participants.")
    seats_left: int
    enrollment_opens_at: datetime
    enrollment_closes_at: datetime
    eligible_agency_ids: list[uuid.UUID]
    eligible_employment_types: list[EmploymentType]
    mentor_id: uuid.UUID | None
    status: SessionStatus
    cancelled_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int


SESSION_COLUMNS = CsvColumns.of(SessionOut)


@described({"starts_at": "the earliest start first", "updated_at": "least recently changed first"})
class SessionSort(StrEnum):
    STARTS_AT = "starts_at"
    UPDATED_AT = "updated_at"


@dataclass(frozen=True, slots=True)
class SessionFilters:
    program_id: uuid.UUID | None = None
    status: SessionStatus | None = None
    from_: Annotated[
        Instant | None,
        Query(alias="from", description="Only sessions starting at or after this instant."),
    ] = None
    to: Annotated[
        Instant | None,
        Query(description="Only sessions starting before this instant."),
    ] = None
    updated_since: UpdatedSince = None
