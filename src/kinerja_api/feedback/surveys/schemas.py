import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from fastapi import Query
from pydantic import Field, StringConstraints

from kinerja_api.core.schemas import (
    JSON_INTEGER,
    DecimalString,
    InputModel,
    OutputModel,
    UpdatedSince,
)
from kinerja_api.feedback.ikm import IkmGrade
from kinerja_api.feedback.service_units.schemas import PublicCode
from kinerja_api.models.common import described
from kinerja_api.models.feedback import AgeBand, Education, Occupation, Sex

Score = Annotated[int, Field(ge=1, le=4), JSON_INTEGER]
Comment = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
HONEYPOT_DESCRIPTION = (
    "Leave empty. Hidden from people by the form; anything here marks the sender as a bot."
)


class RespondentProfile(InputModel):
    """The respondent data the survey regulation collects; every field is optional."""

    age_band: AgeBand | None = None
    sex: Sex | None = None
    education: Education | None = None
    occupation: Occupation | None = None


class FeedbackSubmit(InputModel):
    """One IKM questionnaire (PermenPANRB 14/2017): each element scored 1 (tidak baik) to 4
    (sangat baik)."""

    unit_code: PublicCode
    persyaratan: Score = Field(description="U1 Persyaratan.")
    prosedur: Score = Field(description="U2 Sistem, mekanisme dan prosedur.")
    waktu: Score = Field(description="U3 Waktu penyelesaian.")
    biaya: Score = Field(description="U4 Biaya/tarif.")
    produk: Score = Field(description="U5 Produk spesifikasi jenis pelayanan.")
    kompetensi: Score = Field(description="U6 Kompetensi pelaksana.")
    perilaku: Score = Field(description="U7 Perilaku pelaksana.")
    pengaduan: Score = Field(description="U8 Penanganan pengaduan, saran dan masukan.")
    sarana: Score = Field(description="U9 Sarana dan prasarana.")
    staff_code: PublicCode | None = Field(
        default=None, description="The code of the staff member who served the respondent."
    )
    comment: Comment | None = None
    respondent: RespondentProfile | None = None
    website: str | None = Field(default=None, max_length=200, description=HONEYPOT_DESCRIPTION)


class FeedbackReceipt(OutputModel):
    status: Literal["received"] = "received"
    service_unit_name: str
    received_at: datetime


@described(
    {
        "newest": "terbaru — latest submission first",
        "updated_at": "diubah paling lama — least recently changed first (for sync)",
    }
)
class FeedbackSort(StrEnum):
    """`newest`: latest submission first; `updated_at`: least recently changed first (with
    `updated_since`, for sync)."""

    NEWEST = "newest"
    UPDATED_AT = "updated_at"


@dataclass(frozen=True, slots=True)
class FeedbackFilters:
    service_unit_id: uuid.UUID | None = None
    has_comment: Annotated[
        bool | None, Query(description="Only responses with (or without) a comment.")
    ] = None
    comment_hidden: bool | None = None
    updated_since: UpdatedSince = None


class FeedbackOut(OutputModel):
    """A response as staff see it: scores, profile, and the comment unless an officer hid it.
    Never the staff member it rated: one response, or a handful, would identify the respondent's
    verdict on a person; staff figures come only from the IKM report, from 5 responses up."""

    id: uuid.UUID
    region_id: uuid.UUID
    service_unit_id: uuid.UUID
    agency_id: uuid.UUID
    submitted_at: datetime
    persyaratan: int
    prosedur: int
    waktu: int
    biaya: int
    produk: int
    kompetensi: int
    perilaku: int
    pengaduan: int
    sarana: int
    comment: str | None = Field(description="Null when there is none or an officer hid it.")
    comment_hidden: bool
    age_band: AgeBand | None
    sex: Sex | None
    education: Education | None
    occupation: Occupation | None
    version: int


class HideComment(InputModel):
    reason: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)
    ] = Field(description="Why the text is hidden; kept in the audit trail.")


@described(
    {
        "unit": "unit layanan — one service unit",
        "agency": "perangkat daerah — an agency and its subtree",
        "region": "pemerintah daerah — the whole region",
    }
)
class IkmScopeKind(StrEnum):
    UNIT = "unit"
    AGENCY = "agency"
    REGION = "region"


class CategoryOut(OutputModel):
    grade: IkmGrade
    label: str = Field(examples=["Sangat Baik"])


class ElementOut(OutputModel):
    element: str = Field(examples=["persyaratan"])
    nrr: DecimalString = Field(description="The element's average score (1-4), to 3 decimals.")


class IkmFigures(OutputModel):
    respondents: int
    ikm: DecimalString | None = Field(
        description="25-100, rounded half-up to 2 decimals only at the end; null without "
        "respondents."
    )
    category: CategoryOut | None


class IkmQuarterOut(IkmFigures):
    year: int
    quarter: int = Field(ge=1, le=4)


class StaffIkmOut(IkmFigures):
    staff_id: uuid.UUID
    employee_id: uuid.UUID
    code: str
    label: str


class IkmReport(IkmFigures):
    scope: IkmScopeKind
    scope_id: uuid.UUID
    date_from: date
    date_to: date
    timezone: str = Field(description="The region's time zone the dates are read in.")
    elements: list[ElementOut]
    quarters: list[IkmQuarterOut] = Field(description="The trend, one entry per quarter with data.")
    staff: list[StaffIkmOut] = Field(
        description="Staff with at least 5 responses in the range; others are left out so that "
        "no single respondent can be identified."
    )


@dataclass(frozen=True, slots=True)
class IkmQuery:
    date_from: Annotated[date, Query(description="First day, in the region's time zone.")]
    date_to: Annotated[date, Query(description="Last day (inclusive), in the region's time zone.")]
    unit_id: Annotated[uuid.UUID | None, Query(description="One service unit.")] = None
    agency_id: Annotated[
        uuid.UUID | None, Query(description="Every unit in this agency's subtree.")
    ] = None
