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
    # Still there, but out of sight of readers who saw it before (a supervisor or agency
    # changed).
    HIDDEN = "hidden"


class Tombstone(IdMixin, Base):
    """`occurred_at` is the removing transaction's time, the clock `updated_at` is read from.
    The other columns say who may read the tombstone: `plan_id` for rows below a plan (readers
    of the plan), `former_supervisor_id` for rows hidden by a supervisor change (the former
    supervisor's chain), `former_agency_path` for an employee moved to another agency (the
    administrators of the former agency's subtree). They carry no foreign keys: a tombstone
    outlives what it names."""

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

    __table_args__ = (
        Index(
            "ix_sync_tombstones_region_id_entity_type_occurred_at",
            "region_id",
            "entity_type",
            "occurred_at",
            "id",
        ),
        CheckConstraint("reason in ('deleted', 'hidden')", name="reason_allowed"),
    )


@described(
    {
        "plan": "SKP — a performance plan",
        "target": "RHK — a target of a plan",
        "indicator": "IKI — an indicator of a target",
        "holiday": "hari libur — a region's holiday",
        "employee": "pegawai — an employee",
    }
)
class SyncEntity(StrEnum):
    """The kinds of rows tombstones are kept for."""

    PLAN = "plan"
    TARGET = "target"
    INDICATOR = "indicator"
    HOLIDAY = "holiday"
    EMPLOYEE = "employee"
