"""What mobile clients need to keep a copy in step: a tombstone for every row that left a list,
deleted or moved out of some readers' sight, written in the transaction that removed it."""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text, Uuid, func
from sqlalchemy.orm import Mapped, mapped_column

from kinerja_api.db import Base
from kinerja_api.models.common import IdMixin, described


@described(
    {
        "deleted": "dihapus — the row was deleted",
        "hidden": "tidak terlihat lagi — still there, but out of the reader's sight",
    }
)
class TombstoneReason(StrEnum):
    DELETED = "deleted"
    # Still there, but out of sight of readers who saw it before (a supervisor, agency,
    # assignee or approver changed, or an agency moved in the tree).
    HIDDEN = "hidden"


class Tombstone(IdMixin, Base):
    """`occurred_at` is the removing transaction's time, the clock `updated_at` is read from.
    The other columns say who may read the tombstone: `plan_id` for rows below a plan (readers
    of the plan), `former_supervisor_id` for rows hidden by a supervisor change (the former
    supervisor's chain), `former_agency_path` for rows whose agency changed or moved in the
    tree (the agency-bound staff of any agency on that path: the former subtree's
    administrators, and for feedback rows its complaint officers), `former_reader_id` for the
    employee who read the row directly (a complaint's former assignee, a plan's former
    approver). They carry no foreign keys: a tombstone outlives what it names, until the
    retention window (`sync_tombstone_retention_days`) purges it."""

    __tablename__ = "sync_tombstones"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    entity_type: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    reason: Mapped[str] = mapped_column(String(10))
    occurred_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    plan_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    former_supervisor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    former_agency_path: Mapped[str | None] = mapped_column(Text)
    former_reader_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    __table_args__ = (
        Index(
            "ix_sync_tombstones_region_id_entity_type_occurred_at",
            "region_id",
            "entity_type",
            "occurred_at",
            "id",
        ),
        Index("ix_sync_tombstones_occurred_at", "occurred_at"),
        CheckConstraint("reason in ('deleted', 'hidden')", name="reason_allowed"),
    )


@described(
    {
        "plan": "SKP — a performance plan",
        "target": "RHK — a target of a plan",
        "indicator": "IKI — an indicator of a target",
        "holiday": "hari libur — a region's holiday",
        "employee": "pegawai — an employee",
        "agency": "unit kerja — an agency",
        "user": "pengguna — a user account",
        "service_unit": "unit layanan — a service unit",
        "complaint": "pengaduan — a citizen's complaint",
        "feedback": "survei kepuasan — an IKM survey response",
    }
)
class SyncEntity(StrEnum):
    """The kinds of rows tombstones are kept for."""

    PLAN = "plan"
    TARGET = "target"
    INDICATOR = "indicator"
    HOLIDAY = "holiday"
    EMPLOYEE = "employee"
    AGENCY = "agency"
    USER = "user"
    SERVICE_UNIT = "service_unit"
    COMPLAINT = "complaint"
    FEEDBACK = "feedback"
