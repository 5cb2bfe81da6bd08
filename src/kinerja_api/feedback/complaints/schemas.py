import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from fastapi import Query
from pydantic import AfterValidator, EmailStr, Field, StringConstraints, model_validator

from kinerja_api.core.csv_export import CsvColumns
from kinerja_api.core.schemas import (
    InputModel,
    Instant,
    OutputModel,
    UpdatedSince,
    refuse_unstorable,
)
from kinerja_api.feedback.service_units.schemas import PublicCode
from kinerja_api.feedback.surveys.schemas import HONEYPOT_DESCRIPTION
from kinerja_api.models.common import described
from kinerja_api.models.feedback import (
    ComplaintCategory,
    ComplaintSource,
    ComplaintStatus,
    ResponseVisibility,
)

Description = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=10, max_length=4000)
]
Location = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Text4000 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 -]{6,20}$")]
TrackingCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[0-9A-Za-z-]{16,24}$"),
    AfterValidator(refuse_unstorable),
    Field(description="The tracking code given at submission; case and hyphens do not matter."),
]
RegionCode = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
]


class ContactIn(InputModel):
    """How the officers may reach the citizen. Never shown publicly."""

    name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
        | None
    ) = None
    phone: Phone | None = None
    email: Annotated[EmailStr, StringConstraints(max_length=254)] | None = None


class ComplaintSubmit(InputModel):
    """A complaint about a service unit (`unit_code`) or, without one, about any service of a
    region (`region_code`)."""

    unit_code: PublicCode | None = None
    region_code: RegionCode | None = Field(default=None, examples=["bungo"])
    category: ComplaintCategory
    description: Description
    location: Location = Field(examples=["Kantor Kecamatan Pasar Muara Bungo, loket 2"])
    contact: ContactIn | None = None
    website: str | None = Field(default=None, max_length=200, description=HONEYPOT_DESCRIPTION)

    @model_validator(mode="after")
    def _names_a_place(self) -> "ComplaintSubmit":
        if self.unit_code is None and self.region_code is None:
            raise ValueError("give unit_code or region_code")
        return self


class ComplaintReceipt(OutputModel):
    tracking_code: str = Field(
        description="Keep it: the only way to follow the complaint.",
        examples=["7K3Q-X9MP-4RTV-WH2C"],
    )
    status: ComplaintStatus
    submitted_at: datetime
    due_at: datetime = Field(description="When the answer is due: 5 working days, region time.")


class PublicResponseOut(OutputModel):
    author: Literal["officer", "citizen"]
    body: str
    created_at: datetime


class PublicComplaintOut(OutputModel):
    """What anyone holding the tracking code sees: no contact details, no internal notes."""

    tracking_code: str
    status: ComplaintStatus
    category: ComplaintCategory
    service_unit_name: str | None
    submitted_at: datetime
    due_at: datetime
    overdue: bool
    resolved_at: datetime | None
    reopened_at: datetime | None
    reopen_until: datetime | None = Field(
        description="Until when a resolved complaint may be reopened; null otherwise."
    )
    responses: list[PublicResponseOut]


class ReopenIn(InputModel):
    reason: Text4000 = Field(description="Why the answer did not solve the problem.")
    website: str | None = Field(default=None, max_length=200, description=HONEYPOT_DESCRIPTION)


class ContactOut(OutputModel):
    name: str | None
    phone: str | None
    email: str | None


class ComplaintOut(OutputModel):
    id: uuid.UUID
    region_id: uuid.UUID
    tracking_code: str
    source: ComplaintSource = Field(
        description="`direct`: submitted here; `lapor`: received through SP4N-LAPOR! (imported)."
    )
    external_reference: str | None = Field(
        description="The complaint's number where it came from (LAPOR!'s tracking number).",
        examples=["4812735"],
    )
    service_unit_id: uuid.UUID | None
    agency_id: uuid.UUID | None
    assignee_employee_id: uuid.UUID | None
    category: ComplaintCategory
    description: str
    location: str
    status: ComplaintStatus
    submitted_at: datetime
    due_at: datetime
    overdue: bool = Field(description="Not resolved and past `due_at`.")
    resolved_at: datetime | None
    reopened_at: datetime | None
    contact: ContactOut | None = Field(
        description="Only for complaint officers handling it and the assigned employee."
    )
    contact_hidden: bool = Field(description="True when contact details exist but are withheld.")
    version: int
    created_at: datetime
    updated_at: datetime


COMPLAINT_COLUMNS = CsvColumns.of(ComplaintOut)


class ResponseOut(OutputModel):
    id: uuid.UUID
    visibility: ResponseVisibility
    body: str
    author_user_id: uuid.UUID | None = Field(description="Null for the citizen's own words.")
    created_at: datetime


class ComplaintDetailOut(ComplaintOut):
    responses: list[ResponseOut]


@described(
    {
        "newest": "terbaru — latest submission first",
        "due_at": "tenggat — nearest deadline first (a worklist)",
        "updated_at": "diubah paling lama — least recently changed first (for sync)",
    }
)
class ComplaintSort(StrEnum):
    """`newest`: latest submission first; `due_at`: the nearest deadline first (a worklist);
    `updated_at`: least recently changed first (with `updated_since`, for sync)."""

    NEWEST = "newest"
    DUE_AT = "due_at"
    UPDATED_AT = "updated_at"


@dataclass(frozen=True, slots=True)
class ComplaintFilters:
    status: ComplaintStatus | None = None
    category: ComplaintCategory | None = None
    agency_id: Annotated[uuid.UUID | None, Query(description="Only this very agency.")] = None
    under: Annotated[
        uuid.UUID | None,
        Query(description="Complaints of this agency's subtree, the agency included."),
    ] = None
    overdue: Annotated[
        bool | None, Query(description="Only unresolved complaints past (or within) deadline.")
    ] = None
    assigned: Annotated[
        bool | None, Query(description="Only complaints with (or without) an assigned employee.")
    ] = None
    assignee_employee_id: uuid.UUID | None = None
    submitted_from: Annotated[
        Instant | None, Query(description="Submitted at or after this instant (RFC 3339).")
    ] = None
    submitted_before: Annotated[
        Instant | None, Query(description="Submitted before this instant (RFC 3339).")
    ] = None
    updated_since: UpdatedSince = None


class TriageIn(InputModel):
    category: ComplaintCategory | None = None
    agency_id: uuid.UUID | None = Field(default=None, description="The agency that should answer.")
    note: Text4000 | None = Field(default=None, description="An internal note.")


class AssignIn(InputModel):
    agency_id: uuid.UUID | None = None
    assignee_employee_id: uuid.UUID | None = Field(
        default=None, description="The employee who answers; their agency becomes the complaint's."
    )

    @model_validator(mode="after")
    def _names_someone(self) -> "AssignIn":
        if self.agency_id is None and self.assignee_employee_id is None:
            raise ValueError("give agency_id or assignee_employee_id")
        return self


class RespondIn(InputModel):
    body: Text4000
    visibility: ResponseVisibility = Field(
        description="`public` answers appear on the tracking page; `internal` never do."
    )


class ResolveIn(InputModel):
    resolution: Text4000 = Field(description="The answer the citizen sees.")
