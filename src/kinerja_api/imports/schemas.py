import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from fastapi import Query
from pydantic import Field

from kinerja_api.core.i18n import current_language
from kinerja_api.core.schemas import OutputModel
from kinerja_api.models.common import described
from kinerja_api.models.imports import (
    Import,
    ImportFailure,
    ImportFormat,
    ImportKind,
    ImportMode,
    ImportRowError,
    ImportStatus,
    RowProblem,
)


@described({"created_at": "terbaru dulu — newest first"})
class ImportSort(StrEnum):
    CREATED_AT = "created_at"


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """How to import the file, read from the query string."""

    kind: Annotated[ImportKind, Query(description="What the file's rows are.")]
    mode: Annotated[
        ImportMode,
        Query(
            description="`per_row`: good rows are written, bad rows reported. "
            "`all_or_nothing`: nothing is written if any row fails."
        ),
    ] = ImportMode.PER_ROW
    dry_run: Annotated[
        bool,
        Query(description="Check and count everything, write nothing."),
    ] = False


@dataclass(frozen=True, slots=True)
class ImportFilters:
    """The list's filters, read from the query string."""

    status: ImportStatus | None = None
    kind: ImportKind | None = None


class ImportCounts(OutputModel):
    read: int = Field(description="Rows read from the file.")
    created: int
    updated: int
    unchanged: int = Field(description="Rows that matched what is recorded: nothing written.")
    failed: int = Field(description="Rows refused: see the import's errors.")


class ImportCreator(OutputModel):
    kind: Literal["user", "service_account"]
    id: uuid.UUID


class ImportOut(OutputModel):
    id: uuid.UUID
    region_id: uuid.UUID
    kind: ImportKind
    format: ImportFormat
    mode: ImportMode
    dry_run: bool
    status: ImportStatus
    failure: ImportFailure | None = Field(description="Why it failed; null unless it did.")
    filename: str | None = Field(description="The uploaded part's file name, when it had one.")
    size_bytes: int
    rows_total: int = Field(description="Rows in the file.")
    rows_done: int = Field(description="Rows processed so far.")
    progress: float = Field(ge=0, le=100, description="Percent of the rows processed.")
    counts: ImportCounts = Field(
        description="Of the rows processed so far; in a dry run, what would have been written. "
        "An `all_or_nothing` import counts its writes only once all are committed."
    )
    created_by: ImportCreator
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    version: int

    @classmethod
    def of(cls, found: Import) -> "ImportOut":
        total = found.rows_total
        return cls(
            id=found.id,
            region_id=found.region_id,
            kind=ImportKind(found.kind),
            format=ImportFormat(found.format),
            mode=ImportMode(found.mode),
            dry_run=found.dry_run,
            status=ImportStatus(found.status),
            failure=ImportFailure(found.failure) if found.failure else None,
            filename=found.filename,
            size_bytes=found.size_bytes,
            rows_total=total,
            rows_done=found.rows_done,
            progress=round(100 * found.rows_done / total, 1) if total else 0.0,
            counts=ImportCounts(
                read=total,
                created=found.created,
                updated=found.updated,
                unchanged=found.unchanged,
                failed=found.failed,
            ),
            created_by=ImportCreator(kind=found.created_by_kind, id=found.created_by_id),
            created_at=found.created_at,
            updated_at=found.updated_at,
            started_at=found.started_at,
            finished_at=found.finished_at,
            version=found.version,
        )


class ImportErrorOut(OutputModel):
    row: int = Field(description="The row's number among the file's rows (1: the first row).")
    line: int = Field(description="The line of the file where the row starts (1: the header).")
    field: str | None = Field(description="The column; null when the row as a whole is refused.")
    problem: RowProblem
    message: str = Field(description="In the request's language (`Accept-Language`).")
    value: str | None = Field(description="The refused cell, cut at 200 characters.")

    @classmethod
    def of(cls, error: ImportRowError) -> "ImportErrorOut":
        english = current_language.get() == "en"
        return cls(
            row=error.row_number,
            line=error.line,
            field=error.field,
            problem=RowProblem(error.problem),
            message=error.message_en if english else error.message_id,
            value=error.value,
        )
