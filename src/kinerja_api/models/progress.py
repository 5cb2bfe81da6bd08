"""Progress reports (realisasi with bukti dukung) against indicators of approved plans, and the
continuous-feedback thread (umpan balik berkelanjutan) on plans and targets."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Numeric,
    SmallInteger,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from kinerja_api.db import Base
from kinerja_api.models.common import IdMixin, TimestampsMixin, VersionedMixin, described
from kinerja_api.models.plans import PlanStatus

# What a report may hold and where it may land, for every writer of reports (the API, imports).
NOTE_MAX_LENGTH = 4000
EVIDENCE_TITLE_MAX_LENGTH = 200
EVIDENCE_URL_MAX_LENGTH = 2000
# The plans progress is reported on.
REPORTABLE = frozenset({PlanStatus.APPROVED})


@described(
    {
        "pending": "menunggu — waits for verification",
        "accepted": "diterima — verified, counts towards achievement",
        "rejected": "ditolak — refused by the verifier",
        "withdrawn": "ditarik — withdrawn by the employee",
    }
)
class ReportStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


@described(
    {
        "document": "dokumen — document",
        "photo": "foto — photo",
        "video": "video — video",
        "link": "tautan — link",
        "other": "lainnya — other",
    }
)
class EvidenceKind(StrEnum):
    DOCUMENT = "document"
    PHOTO = "photo"
    VIDEO = "video"
    LINK = "link"
    OTHER = "other"


class ProgressReport(IdMixin, TimestampsMixin, VersionedMixin, Base):
    """A value reported against an indicator. `employee_id` and `agency_id` are the plan's, so
    visibility and agency-subtree lists need no join; `year`/`quarter` come from `reported_for`.
    `evidence` is a list of {title, url, kind}."""

    __tablename__ = "progress_reports"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    plan_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("plans.id"))
    target_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("targets.id"))
    indicator_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("indicators.id"))
    employee_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("employees.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("agencies.id"))
    value: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    reported_for: Mapped[date] = mapped_column(Date)
    year: Mapped[int] = mapped_column(SmallInteger)
    quarter: Mapped[int] = mapped_column(SmallInteger)
    note: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, server_default=text("'[]'::jsonb")
    )
    status: Mapped[str] = mapped_column(String(10), server_default=text("'pending'"))
    verified_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("employees.id"))
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verification_note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_progress_reports_region_id_updated_at", "region_id", "updated_at", "id"),
        Index("ix_progress_reports_region_id_employee_id", "region_id", "employee_id"),
        Index("ix_progress_reports_region_id_plan_id", "region_id", "plan_id", "status"),
        Index("ix_progress_reports_region_id_indicator_id", "region_id", "indicator_id"),
        Index("ix_progress_reports_region_id_agency_id", "region_id", "agency_id"),
        CheckConstraint(
            "status in ('pending', 'accepted', 'rejected', 'withdrawn')", name="status_allowed"
        ),
        CheckConstraint("quarter between 1 and 4", name="quarter_range"),
        CheckConstraint("value >= 0", name="value_not_negative"),
    )


class PlanComment(IdMixin, TimestampsMixin, Base):
    """One message of the feedback thread on a plan, or on one of its targets."""

    __tablename__ = "plan_comments"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    plan_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("plans.id"))
    target_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("targets.id"))
    author_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("employees.id"))
    body: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        Index("ix_plan_comments_region_id_plan_id", "region_id", "plan_id", "created_at", "id"),
    )
