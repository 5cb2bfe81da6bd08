import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Query
from pydantic import Field, StringConstraints

from kinerja_api.core.csv_export import Separator
from kinerja_api.core.schemas import ClientText, InputModel, OutputModel
from kinerja_api.models.common import described
from kinerja_api.models.exports import ExportStatus

# The lists an export job can run, as `core.exportable` registers them (a test keeps the two
# the same).
LIST_NAMES = (
    "complaints",
    "employees",
    "evaluation-assignments",
    "jp-compliance",
    "plans",
    "progress-reports",
    "training-enrollments",
    "training-sessions",
)
ListName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9-]{0,49}$"),
    Field(
        description="The list to export: "
        + ", ".join(f"`{name}`" for name in LIST_NAMES)
        + " (the lists that answer `Accept: text/csv`, by the last part of their path).",
        examples=["employees"],
    ),
]
FilterName = Annotated[str, StringConstraints(min_length=1, max_length=50)]
FilterValue = Annotated[str, StringConstraints(max_length=200)] | int | bool | None


class ExportCreate(InputModel):
    list: ListName
    filters: dict[FilterName, FilterValue] = Field(
        default_factory=dict,
        max_length=30,
        description="The list's filters, by their query-string names and with the values the "
        'list\'s query string takes (e.g. `{"agency_id": "…", "active": true}`).',
        examples=[{"active": True}],
    )
    sort: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] | None = Field(
        default=None, description="One of the list's `sort` values; the list's default if absent."
    )
    separator: Separator = Separator.COMMA


class ExportFailure(OutputModel):
    type: str = Field(description="The problem type URI, as an error answer would carry it.")
    detail: str


class ExportOut(OutputModel):
    """An export job: the list asked for and, once `ready`, its CSV file at `file_url` until
    `expires_at`."""

    id: uuid.UUID
    list: str
    filters: dict[str, Any]
    sort: str
    separator: Separator
    status: ExportStatus
    row_count: int | None = Field(description="Rows in the file (the header not counted).")
    byte_count: int | None = Field(description="The file's size in bytes.")
    file_name: str = Field(examples=["employees-2026-12-07.csv"])
    file_url: str | None = Field(description="Where the file is fetched, once `ready`.")
    failure: ExportFailure | None = Field(description="Why a `failed` export failed.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    expires_at: datetime | None = Field(description="When a ready file will be deleted.")


@described({"newest": "terbaru — the latest asked for first"})
class ExportSort(StrEnum):
    NEWEST = "newest"


@dataclass(frozen=True, slots=True)
class ExportFilters:
    status: ExportStatus | None = None
    list: Annotated[
        ClientText | None, Query(max_length=50, description="Exports of this list.")
    ] = None
