import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from fastapi import Query
from pydantic import Field, StringConstraints

from kinerja_api.core.csv_export import CsvColumns
from kinerja_api.core.schemas import (
    JSON_INTEGER,
    DecimalString,
    InputModel,
    Name,
    OutputModel,
)
from kinerja_api.models.common import described
from kinerja_api.models.org import EmploymentType
from kinerja_api.models.training import JpSource
from kinerja_api.training.jp import MAX_ACTIVITY_JP, MIN_ACTIVITY_JP
from kinerja_api.training.localtime import LocalTime

Evidence = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Year = Annotated[
    int | None,
    Query(
        ge=2000,
        le=2100,
        description="The calendar year in the region's zone (WIB/WITA/WIT); this year if not "
        "given.",
    ),
]


class JpEntryCreate(InputModel):
    """JP from an activity outside the catalog (a course of another institution, a seminar, a
    diklat recorded by certificate), with the evidence it was recorded from."""

    activity: Name = Field(
        description="The activity's title.", examples=["Seminar Nasional Pelayanan Publik"]
    )
    ended_at: LocalTime = Field(
        description="When the activity ended: a local time in the region's zone "
        "(`2026-11-20T16:00:00`), or an instant with its offset. It counts in the calendar "
        "year of the region's zone in which it ended.",
        examples=["2026-11-20T16:00:00"],
    )
    jp: Annotated[
        int,
        Field(
            ge=MIN_ACTIVITY_JP,
            le=MAX_ACTIVITY_JP,
            description="Jam pelajaran credited.",
            examples=[8],
        ),
        JSON_INTEGER,
    ]
    evidence: Evidence = Field(
        description="What the JP are recorded from: the certificate's or letter's reference.",
        examples=["Sertifikat No. 123/LAN/XI/2026"],
    )


class JpEntryOut(OutputModel):
    id: uuid.UUID
    region_id: uuid.UUID
    employee_id: uuid.UUID
    year: int = Field(description="The calendar year (region's zone) the JP count in.")
    jp: int
    source: JpSource
    enrollment_id: uuid.UUID | None
    activity: str
    completed_on: date = Field(description="The day it ended, in the region's zone.")
    evidence: str | None
    recorded_by: uuid.UUID | None
    created_at: datetime


class ActivityOut(OutputModel):
    """One activity of the year: a completed training of the catalog, or an external entry."""

    entry_id: uuid.UUID
    source: JpSource
    activity: str
    jp: int
    completed_on: date
    enrollment_id: uuid.UUID | None
    session_id: uuid.UUID | None
    program_id: uuid.UUID | None
    program_kind: str | None
    competency_area: str | None
    evidence: str | None


class CompetencyOut(OutputModel):
    """An employee's year of competency development against the yearly minimum."""

    employee_id: uuid.UUID
    employment_type: EmploymentType
    year: int
    timezone: str = Field(description="The region's zone in which the year is counted.")
    total_jp: DecimalString
    minimum_jp: DecimalString | None = Field(
        description="20 for a PNS (PP 17/2020); null when none applies (PPPK)."
    )
    shortfall_jp: DecimalString | None = Field(
        description="JP still missing (0 once the minimum is met); null when none applies."
    )
    activities: list[ActivityOut]


@dataclass(frozen=True, slots=True)
class ComplianceQuery:
    year: Year = None
    agency_id: Annotated[
        uuid.UUID | None,
        Query(
            description="Every employee of this agency's subtree; the caller's whole scope if "
            "not given (superadmins must name one)."
        ),
    ] = None
    only_short: Annotated[bool, Query(description="Only employees below their yearly minimum.")] = (
        False
    )


@described({"name": "by name"})
class ComplianceSort(StrEnum):
    NAME = "name"


class ComplianceRowOut(OutputModel):
    employee_id: uuid.UUID
    name: str
    nip: str
    agency_id: uuid.UUID
    employment_type: EmploymentType
    total_jp: DecimalString
    minimum_jp: DecimalString | None
    shortfall_jp: DecimalString | None


COMPLIANCE_COLUMNS = CsvColumns.of(ComplianceRowOut)


class CompliancePage(OutputModel):
    year: int
    timezone: str
    items: list[ComplianceRowOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last."
    )
