import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from fastapi import Query
from pydantic import Field

from kinerja_api.core.csv_export import CsvColumns
from kinerja_api.core.schemas import InputModel, OutputModel, UpdatedSince
from kinerja_api.models.common import described
from kinerja_api.models.training import EnrollmentStatus


class EnrollmentCreate(InputModel):
    """Enroll yourself (an empty body), or nominate an employee: your report, or anyone of the
    region when you are a training or region administrator."""

    employee_id: uuid.UUID | None = Field(
        None,
        description="The employee nominated; omitted: the caller enrolls themselves.",
        examples=["3f0c9a4e-2b7d-4c1a-9e85-6d2f1b0a7c34"],
    )


class EnrollmentOut(OutputModel):
    id: uuid.UUID
    region_id: uuid.UUID
    session_id: uuid.UUID
    program_id: uuid.UUID
    employee_id: uuid.UUID
    agency_id: uuid.UUID = Field(description="The participant's agency when they enrolled.")
    status: EnrollmentStatus
    arrival: int = Field(description="The request's place in the session's arrival order.")
    waitlist_order: int | None = Field(
        description="The number drawn on the waitlist, in arrival order (the lowest still "
        "waiting is promoted first); null when a seat was free on arrival."
    )
    nominated_by: uuid.UUID | None = Field(
        description="The user who nominated the participant; null for self-enrollment."
    )
    enrolled_at: datetime | None = Field(description="When the seat was taken or given.")
    cancelled_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int


ENROLLMENT_COLUMNS = CsvColumns.of(EnrollmentOut)


@described(
    {
        "arrival": "in the session's arrival order (per session)",
        "created_at": "the oldest first",
        "updated_at": "the least recently changed first",
    }
)
class EnrollmentSort(StrEnum):
    ARRIVAL = "arrival"
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"


@dataclass(frozen=True, slots=True)
class EnrollmentFilters:
    mine: Annotated[bool | None, Query(description="Only the caller's own enrollments (true).")] = (
        None
    )
    session_id: uuid.UUID | None = None
    employee_id: uuid.UUID | None = None
    status: EnrollmentStatus | None = None
    updated_since: UpdatedSince = None


@dataclass(frozen=True, slots=True)
class SessionEnrollmentFilters:
    """A session's list filters by status; for changes since an instant, sync through
    `GET /training-enrollments?session_id=&updated_since=`."""

    status: EnrollmentStatus | None = None
