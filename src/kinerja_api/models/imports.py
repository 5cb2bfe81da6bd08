"""Bulk imports: an uploaded file's rows wait in a staging table while a background job checks
them (set-based SQL) and writes them into the tables they belong to; the problems found are
kept per row."""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from kinerja_api.db import Base
from kinerja_api.models.common import IdMixin, TimestampsMixin, VersionedMixin, described


@described(
    {
        "agencies": "unit kerja — agencies, by `code` (parent by `parent_code`)",
        "employees": "pegawai — employees, by `nip` (agency by code, supervisor by NIP)",
        "users": "pengguna — sign-in accounts, by `email` (employee by NIP)",
        "plans": "SKP — plans with their targets (RHK) and indicators (IKI), one row per "
        "indicator, by `nip`, `period`, `target_no` and `indicator_no`",
        "progress_reports": "realisasi — progress reports on approved plans' indicators, by "
        "`nip`, `period`, `target_no`, `indicator_no` and `reported_for`",
        "evaluation_assignments": "penugasan penilai 360° — who rates whom in a launched "
        "cycle, by (`cycle_id`, `rater_nip`, `ratee_nip`)",
        "training_attendance": "kehadiran pelatihan — attendance or completion of a session's "
        "participants, by (`session_id`, `nip`); a completion credits JP and a certificate",
        "external_training": "pelatihan eksternal — JP of activities outside the catalog, with "
        "their evidence, by (`nip`, `activity`, `ended_on`)",
        "siasn_employees": "pegawai dari SIASN — employees as BKN's SIASN exports them, by "
        "`nip_baru` (agency by `unor_id` as its code)",
        "lapor_complaints": "pengaduan dari SP4N-LAPOR! — complaints received through LAPOR!, "
        "by `nomor_tiket` (agency by `instansi_tujuan` as its code)",
    }
)
class ImportKind(StrEnum):
    """What the rows of an import are."""

    AGENCIES = "agencies"
    EMPLOYEES = "employees"
    USERS = "users"
    PLANS = "plans"
    PROGRESS_REPORTS = "progress_reports"
    EVALUATION_ASSIGNMENTS = "evaluation_assignments"
    TRAINING_ATTENDANCE = "training_attendance"
    EXTERNAL_TRAINING = "external_training"
    SIASN_EMPLOYEES = "siasn_employees"
    LAPOR_COMPLAINTS = "lapor_complaints"


@described(
    {
        "per_row": "per baris — good rows are written, bad rows reported",
        "all_or_nothing": "semua atau tidak sama sekali — nothing is written if any row fails",
    }
)
class ImportMode(StrEnum):
    PER_ROW = "per_row"
    ALL_OR_NOTHING = "all_or_nothing"


@described(
    {
        "csv": "CSV with a header row, `;` or `,` between cells, UTF-8 (with or without BOM)",
        "ndjson": "one JSON object per line, UTF-8",
    }
)
class ImportFormat(StrEnum):
    CSV = "csv"
    NDJSON = "ndjson"


@described(
    {
        "receiving": "diterima — the file is still being uploaded",
        "queued": "antre — waiting for a worker",
        "running": "berjalan — being checked and written",
        "succeeded": "selesai — done (bad rows, if any, are listed in its errors)",
        "failed": "gagal — nothing more will be written (see `failure`)",
        "cancelled": "dibatalkan — stopped on request",
    }
)
class ImportStatus(StrEnum):
    RECEIVING = "receiving"
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED = frozenset({ImportStatus.SUCCEEDED, ImportStatus.FAILED, ImportStatus.CANCELLED})


@described(
    {
        "row_errors": "rows failed in an `all_or_nothing` import, so nothing was written",
        "error": "the import could not be completed; upload the file again",
    }
)
class ImportFailure(StrEnum):
    ROW_ERRORS = "row_errors"
    ERROR = "error"


@described(
    {
        "malformed_row": "the line is not a row of the file (cells, JSON)",
        "unknown_field": "an NDJSON object names a field the kind does not have",
        "missing": "a required cell is empty",
        "too_long": "a cell is longer than its column allows",
        "formula": "a cell starts like a spreadsheet formula (`=`, `+`, `-`, `@`)",
        "invalid": "a value is not allowed (a NIP, an e-mail address, a kind, a role, a number, "
        "a date)",
        "duplicate": "the key appears more than once in the file",
        "not_found": "names an agency, employee, supervisor, period, plan's indicator, cycle or "
        "session not in your region nor the file",
        "other_region": "the key belongs to another region",
        "conflict": "contradicts what is recorded (a fixed field, a link taken, a plan past draft, "
        "a closed period, a verified report, a state that does not allow it)",
        "cycle": "the supervisor or parent chain would loop",
        "not_allowed": "you may not grant this (a role above your own), or the cycle does "
        "not take it",
    }
)
class RowProblem(StrEnum):
    """Why a row was refused."""

    MALFORMED_ROW = "malformed_row"
    UNKNOWN_FIELD = "unknown_field"
    MISSING = "missing"
    TOO_LONG = "too_long"
    FORMULA = "formula"
    INVALID = "invalid"
    DUPLICATE = "duplicate"
    NOT_FOUND = "not_found"
    OTHER_REGION = "other_region"
    CONFLICT = "conflict"
    CYCLE = "cycle"
    NOT_ALLOWED = "not_allowed"


class Import(IdMixin, TimestampsMixin, VersionedMixin, Base):
    """One uploaded file and what became of it. `rows_done` counts the rows processed so far;
    the counts are those of the rows written (or, in a dry run, that would be)."""

    __tablename__ = "imports"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    kind: Mapped[str] = mapped_column(String(40))
    format: Mapped[str] = mapped_column(String(10))
    mode: Mapped[str] = mapped_column(String(20))
    dry_run: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(20), server_default=text("'receiving'"))
    failure: Mapped[str | None] = mapped_column(String(20))
    filename: Mapped[str | None] = mapped_column(String(200))
    size_bytes: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    rows_total: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    rows_done: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    created: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    updated: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    unchanged: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    failed: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    created_by_kind: Mapped[str] = mapped_column(String(20))
    created_by_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    validated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_imports_region_id_created_at", "region_id", "created_at", "id"),
        Index("ix_imports_region_id_created_by_id", "region_id", "created_by_id"),
        CheckConstraint(
            "kind in ('agencies', 'employees', 'users', 'plans', 'progress_reports',"
            " 'evaluation_assignments', 'training_attendance', 'external_training',"
            " 'siasn_employees', 'lapor_complaints')",
            name="kind_allowed",
        ),
        CheckConstraint("format in ('csv', 'ndjson')", name="format_allowed"),
        CheckConstraint("mode in ('per_row', 'all_or_nothing')", name="mode_allowed"),
        CheckConstraint(
            "status in ('receiving', 'queued', 'running', 'succeeded', 'failed', 'cancelled')",
            name="status_allowed",
        ),
        CheckConstraint(
            "created_by_kind in ('user', 'service_account')", name="created_by_kind_allowed"
        ),
        CheckConstraint("rows_done between 0 and rows_total", name="rows_done_within_total"),
    )


class ImportRow(Base):
    """A staged row: its cells in the kind's column order (NULL for an empty or absent cell),
    or `malformed` saying why the line could not be read as a row. Unlogged: nothing here
    outlives its import, and after a crash of the database server the job finds its rows gone
    and fails the import (the file is uploaded again). No foreign key: its check would run once
    per row of the COPY; rows leave with their import, explicitly."""

    __tablename__ = "import_rows"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    import_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    row_number: Mapped[int] = mapped_column(Integer)
    line: Mapped[int] = mapped_column(Integer)
    cells: Mapped[list[str | None] | None] = mapped_column(ARRAY(Text))
    malformed: Mapped[str | None] = mapped_column(String(20))

    __table_args__ = (
        PrimaryKeyConstraint("region_id", "import_id", "row_number", name="pk_import_rows"),
        {"prefixes": ["UNLOGGED"]},
    )


class ImportRowError(Base):
    """A problem with one row of an import (`field` None: the row as a whole)."""

    __tablename__ = "import_errors"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    import_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("imports.id", ondelete="CASCADE"))
    row_number: Mapped[int] = mapped_column(Integer)
    line: Mapped[int] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(String(40))
    problem: Mapped[str] = mapped_column(String(20))
    message_id: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text)
    value: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index(
            "ix_import_errors_region_id_import_id_row_number",
            "region_id",
            "import_id",
            "row_number",
            "id",
        ),
    )
