import uuid
from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from kinerja_api.core.schemas import InputModel, OutputModel
from kinerja_api.models.common import described
from kinerja_api.training.enrollments.schemas import EnrollmentOut

MAX_MARKS = 1000


@described(
    {
        "attended": "hadir — the participant attended",
        "no_show": "tidak hadir — the participant held a seat and did not come",
    }
)
class AttendanceMark(StrEnum):
    ATTENDED = "attended"
    NO_SHOW = "no_show"


class AttendanceEntry(InputModel):
    """One participant, named by the enrollment or by the employee, and whether they came."""

    enrollment_id: uuid.UUID | None = Field(None, description="The participant's enrollment.")
    employee_id: uuid.UUID | None = Field(
        None, description="The participant, when the enrollment id is not at hand."
    )
    status: AttendanceMark

    @model_validator(mode="after")
    def _one_reference(self) -> Self:
        if (self.enrollment_id is None) == (self.employee_id is None):
            raise ValueError("give either enrollment_id or employee_id")
        return self


class AttendanceRecord(InputModel):
    """The session's attendance in one request: each participant at most once."""

    entries: list[AttendanceEntry] = Field(
        min_length=1,
        max_length=MAX_MARKS,
        examples=[
            [
                {"enrollment_id": "3f0c9a4e-2b7d-4c1a-9e85-6d2f1b0a7c34", "status": "attended"},
                {"employee_id": "9b1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f", "status": "no_show"},
            ]
        ],
    )


class AttendanceOut(OutputModel):
    session_id: uuid.UUID
    changed: int = Field(description="How many enrollments changed status.")
    unchanged: int = Field(description="How many were already marked so (a repeated request).")
    enrollments: list[EnrollmentOut] = Field(
        description="The enrollments named, as they now are, in the order given."
    )


class CompletionEntry(OutputModel):
    enrollment_id: uuid.UUID
    employee_id: uuid.UUID
    certificate_id: uuid.UUID
    certificate_number: str
    jp: int = Field(description="The JP credited to the employee's ledger.")


class CompletionOut(OutputModel):
    session_id: uuid.UUID
    completed: list[CompletionEntry] = Field(
        description="The enrollments completed by this request, each with its certificate; "
        "empty when it repeats an earlier one."
    )
    already_completed: int = Field(
        description="Enrollments of the session completed before this request."
    )
