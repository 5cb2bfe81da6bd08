import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, ClassVar

from fastapi import Query
from pydantic import AnyHttpUrl, Field, StringConstraints, UrlConstraints

from kinerja_api.core.csv_export import CsvColumns
from kinerja_api.core.schemas import (
    DecimalString,
    InputModel,
    OutputModel,
    PatchModel,
    PlainDecimal,
    UpdatedSince,
)
from kinerja_api.models.common import described
from kinerja_api.models.progress import (
    EVIDENCE_TITLE_MAX_LENGTH,
    EVIDENCE_URL_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    EvidenceKind,
    ReportStatus,
)
from kinerja_api.plans.api import GroupQuarterOut, Percent, TargetAchievementOut

MAX_EVIDENCE = 20

Note = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NOTE_MAX_LENGTH)
]
Value = Annotated[
    PlainDecimal,
    Field(ge=0, max_digits=18, decimal_places=4, examples=["12.5"], description="Realisasi."),
]
EvidenceUrl = Annotated[AnyHttpUrl, UrlConstraints(max_length=EVIDENCE_URL_MAX_LENGTH)]


class EvidenceCreate(InputModel):
    """Bukti dukung: a link to a document, photo or other proof kept elsewhere."""

    title: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=1, max_length=EVIDENCE_TITLE_MAX_LENGTH
        ),
    ]
    url: EvidenceUrl
    kind: EvidenceKind = EvidenceKind.DOCUMENT


class EvidenceOut(OutputModel):
    title: str
    url: str
    kind: EvidenceKind


@described(
    {
        "updated_at": "diubah paling lama — least recently changed first (for sync)",
        "reported_for": "tanggal realisasi — by the day the value refers to",
    }
)
class ProgressSort(StrEnum):
    UPDATED_AT = "updated_at"
    REPORTED_FOR = "reported_for"


@described(
    {
        "accept": "diterima — the report is verified and counts towards achievement",
        "reject": "ditolak — the report is returned with a note",
    }
)
class Decision(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"


@dataclass(frozen=True, slots=True)
class ProgressFilters:
    """The list's filters, read from the query string."""

    employee_id: Annotated[uuid.UUID | None, Query(description="Reports of this employee.")] = None
    plan_id: uuid.UUID | None = None
    indicator_id: uuid.UUID | None = None
    under: Annotated[
        uuid.UUID | None,
        Query(description="Reports on plans of this agency's subtree, the agency included."),
    ] = None
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None
    quarter: Annotated[
        int | None, Query(ge=1, le=4, description="Triwulan of `reported_for` (1-4).")
    ] = None
    status: ReportStatus | None = None
    updated_since: UpdatedSince = None


class ProgressReportCreate(InputModel):
    indicator_id: uuid.UUID
    value: Value
    reported_for: date | None = Field(
        default=None,
        description="The day the value refers to; today in the region's time zone when "
        "omitted. Its quarter (Triwulan) follows from it; it must lie in the plan's period "
        "and not in the future.",
    )
    note: Note | None = None
    evidence: list[EvidenceCreate] = Field(default_factory=list, max_length=MAX_EVIDENCE)


class ProgressReportUpdate(PatchModel):
    """Only the reporting employee, and only while the report is pending."""

    nullable_fields: ClassVar[frozenset[str]] = frozenset({"note"})

    value: Value | None = None
    reported_for: date | None = None
    note: Note | None = None
    evidence: list[EvidenceCreate] | None = Field(default=None, max_length=MAX_EVIDENCE)


class VerifyRequest(InputModel):
    decision: Decision
    note: Note | None = Field(
        default=None, description="Feedback to the employee; required when rejecting."
    )


class ProgressReportOut(OutputModel):
    id: uuid.UUID
    region_id: uuid.UUID
    plan_id: uuid.UUID
    target_id: uuid.UUID
    indicator_id: uuid.UUID
    employee_id: uuid.UUID
    agency_id: uuid.UUID
    value: DecimalString
    reported_for: date
    year: int
    quarter: int
    note: str | None
    evidence: list[EvidenceOut]
    status: ReportStatus
    verified_by: uuid.UUID | None
    verified_at: datetime | None
    verification_note: str | None
    version: int
    created_at: datetime
    updated_at: datetime


PROGRESS_REPORT_COLUMNS = CsvColumns.of(ProgressReportOut)


# --- achievement ----------------------------------------------------------------------------


class PlanProgressOut(OutputModel):
    """Achievement of a plan from its accepted reports, with report counts by status."""

    plan_id: uuid.UUID
    percent: Percent
    quarters: list[GroupQuarterOut]
    targets: list[TargetAchievementOut]
    reports_by_status: dict[ReportStatus, int]


# --- comments -------------------------------------------------------------------------------


class CommentCreate(InputModel):
    body: Note
    target_id: uuid.UUID | None = Field(
        default=None, description="A target of the plan, when the comment is about it."
    )


class CommentOut(OutputModel):
    id: uuid.UUID
    plan_id: uuid.UUID
    target_id: uuid.UUID | None
    author_id: uuid.UUID
    body: str
    created_at: datetime


# --- public transparency --------------------------------------------------------------------


class PublicAgencyOut(OutputModel):
    id: uuid.UUID
    code: str
    name: str


class PublicIndicatorOut(OutputModel):
    id: uuid.UUID
    description: str
    aspect: str
    unit: str
    target_value: DecimalString
    aggregation: str
    achieved_value: DecimalString | None
    percent: Percent


class PublicTargetOut(OutputModel):
    """A public target (RHK) and how far it has come; no personal data."""

    id: uuid.UUID
    title: str
    kind: str
    year: int
    agency: PublicAgencyOut
    percent: Percent
    quarters: list[GroupQuarterOut]
    indicators: list[PublicIndicatorOut]
