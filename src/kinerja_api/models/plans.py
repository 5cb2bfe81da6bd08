"""Performance plans (SKP): periods, plans with their approved revisions, targets (RHK) and
indicators (IKI)."""

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
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


@described(
    {
        "open": "terbuka — open: plans and reports may change",
        "closed": "ditutup — closed: read only",
    }
)
class PeriodStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@described(
    {
        "draft": "konsep — being written by the employee",
        "submitted": "diajukan — waits for the approver",
        "approved": "disetujui — approved and locked",
        "returned": "dikembalikan — returned with a note for changes",
    }
)
class PlanStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


@described(
    {
        "utama": "utama — main target",
        "tambahan": "tambahan — additional target",
    }
)
class TargetKind(StrEnum):
    UTAMA = "utama"
    TAMBAHAN = "tambahan"


@described(
    {
        "direct": "langsung — direct cascade: shares the parent's indicators, the numbers add up",
        "indirect": "tidak langsung — indirect cascade: supports the parent, shares no numbers",
    }
)
class CascadeMode(StrEnum):
    DIRECT = "direct"
    INDIRECT = "indirect"


@described(
    {
        "kuantitas": "kuantitas — quantity",
        "kualitas": "kualitas — quality",
        "waktu": "waktu — time",
    }
)
class Aspect(StrEnum):
    KUANTITAS = "kuantitas"
    KUALITAS = "kualitas"
    WAKTU = "waktu"


@described(
    {
        "sum": "jumlah — reports add up",
        "latest": "terakhir — the latest report counts",
        "average": "rata-rata — the average of reports",
    }
)
class Aggregation(StrEnum):
    SUM = "sum"
    LATEST = "latest"
    AVERAGE = "average"


class Period(IdMixin, TimestampsMixin, VersionedMixin, Base):
    """A performance year of a region; its quarters start at midnight in the region's zone."""

    __tablename__ = "periods"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    year: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(10), server_default=text("'open'"))

    __table_args__ = (
        Index("uq_periods_region_id_year", "region_id", "year", unique=True),
        CheckConstraint("status in ('open', 'closed')", name="status_allowed"),
        CheckConstraint("year between 2000 and 2100", name="year_range"),
    )


class Plan(IdMixin, TimestampsMixin, VersionedMixin, Base):
    """One employee's SKP for one period. `agency_id` is the employee's agency when the plan was
    created, so agency-subtree lists need no join; `approver_id` is fixed at submission.
    `revision` counts from 1; `approved_revision` is the last revision that was approved."""

    __tablename__ = "plans"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    period_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("periods.id"))
    employee_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("employees.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("agencies.id"))
    approver_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("employees.id"))
    status: Mapped[str] = mapped_column(String(12), server_default=text("'draft'"))
    revision: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    approved_revision: Mapped[int | None] = mapped_column(Integer)
    return_note: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index(
            "uq_plans_region_id_period_id_employee_id",
            "region_id",
            "period_id",
            "employee_id",
            unique=True,
        ),
        Index("ix_plans_region_id_agency_id_updated_at", "region_id", "agency_id", "updated_at"),
        Index("ix_plans_region_id_approver_id", "region_id", "approver_id"),
        Index("ix_plans_region_id_updated_at", "region_id", "updated_at", "id"),
        # The list's usual filters (a period's submitted plans, ...) in list order: a page is a
        # short range scan whatever the region's size, the agency subtree a filter on it.
        Index(
            "ix_plans_region_id_period_id_status_updated_at",
            "region_id",
            "period_id",
            "status",
            "updated_at",
            "id",
        ),
        CheckConstraint(
            "status in ('draft', 'submitted', 'approved', 'returned')", name="status_allowed"
        ),
    )


class PlanRevision(IdMixin, Base):
    """An approved revision of a plan, frozen: the plan, its targets and indicators as approved."""

    __tablename__ = "plan_revisions"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    plan_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("plans.id"))
    revision: Mapped[int] = mapped_column(Integer)
    approved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("employees.id"))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONB)

    __table_args__ = (
        Index(
            "uq_plan_revisions_region_id_plan_id_revision",
            "region_id",
            "plan_id",
            "revision",
            unique=True,
        ),
    )


class Target(IdMixin, TimestampsMixin, VersionedMixin, Base):
    """A Rencana Hasil Kerja; may cascade (intervensi) from a target of the supervisor's plan."""

    __tablename__ = "targets"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    plan_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("plans.id"))
    kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(server_default=text("false"))
    parent_target_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("targets.id"))
    cascade_mode: Mapped[str | None] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(Integer, server_default=text("0"))

    __table_args__ = (
        Index("ix_targets_region_id_plan_id", "region_id", "plan_id", "position"),
        Index("ix_targets_region_id_parent_target_id", "region_id", "parent_target_id"),
        CheckConstraint("kind in ('utama', 'tambahan')", name="kind_allowed"),
        CheckConstraint(
            "cascade_mode is null or cascade_mode in ('direct', 'indirect')",
            name="cascade_mode_allowed",
        ),
        CheckConstraint(
            "(parent_target_id is null) = (cascade_mode is null)", name="cascade_has_parent"
        ),
    )


class Indicator(IdMixin, TimestampsMixin, VersionedMixin, Base):
    """An Indikator Kinerja Individu of a target. In a `direct` cascade an indicator may name the
    parent target's indicator whose numeric target it shares (`parent_indicator_id`)."""

    __tablename__ = "indicators"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    plan_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("plans.id"))
    target_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("targets.id"))
    aspect: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(Text)
    target_value: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    unit: Mapped[str] = mapped_column(String(60))
    aggregation: Mapped[str] = mapped_column(String(10), server_default=text("'sum'"))
    weight: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    parent_indicator_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("indicators.id"))
    position: Mapped[int] = mapped_column(Integer, server_default=text("0"))

    __table_args__ = (
        Index("ix_indicators_region_id_target_id", "region_id", "target_id", "position"),
        Index("ix_indicators_region_id_plan_id", "region_id", "plan_id"),
        Index("ix_indicators_region_id_parent_indicator_id", "region_id", "parent_indicator_id"),
        CheckConstraint("aspect in ('kuantitas', 'kualitas', 'waktu')", name="aspect_allowed"),
        CheckConstraint("aggregation in ('sum', 'latest', 'average')", name="aggregation_allowed"),
        CheckConstraint("target_value > 0", name="target_value_positive"),
        CheckConstraint("weight is null or (weight > 0 and weight <= 100)", name="weight_range"),
    )
