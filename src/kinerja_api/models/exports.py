"""Export jobs: a list asked for as a CSV file, written by a worker into PostgreSQL (workers may
run on other machines, so never onto a local disk) and fetched when ready."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from kinerja_api.db import Base
from kinerja_api.models.common import IdMixin, TimestampsMixin, described


@described(
    {
        "queued": "menunggu — waiting for a worker",
        "running": "berjalan — a worker is writing the file",
        "ready": "siap — the file can be fetched until `expires_at`",
        "failed": "gagal — see `failure`; ask again",
        "expired": "kedaluwarsa — the file was deleted after the retention period",
    }
)
class ExportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"
    EXPIRED = "expired"


class Export(IdMixin, TimestampsMixin, Base):
    """Who asked (a user or a service account, and a service account's token scopes then: the
    job reads with the rights they hold when it runs, never more than they had when asking),
    which list with which filters and sort, and where the file stands."""

    __tablename__ = "exports"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    requested_by_kind: Mapped[str] = mapped_column(String(20))
    requested_by_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(50)), server_default=text("'{}'"))
    list_name: Mapped[str] = mapped_column(String(50))
    filters: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'"))
    sort: Mapped[str] = mapped_column(String(50))
    separator: Mapped[str] = mapped_column(String(10))
    file_name: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10), server_default=text("'queued'"))
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    row_count: Mapped[int | None] = mapped_column(Integer)
    byte_count: Mapped[int | None] = mapped_column(BigInteger)
    failure: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint(
            "status in ('queued', 'running', 'ready', 'failed', 'expired')",
            name="status_allowed",
        ),
        CheckConstraint(
            "requested_by_kind in ('user', 'service_account')", name="requested_by_kind_allowed"
        ),
        CheckConstraint("separator in ('comma', 'semicolon')", name="separator_allowed"),
        # A principal's exports, newest first.
        Index(
            "ix_exports_region_id_requested_by_id_created_at",
            "region_id",
            "requested_by_id",
            "created_at",
            "id",
        ),
    )


class ExportChunk(Base):
    """A piece of an export's file, in order (`seq` from 0); the file is their concatenation."""

    __tablename__ = "export_chunks"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"), primary_key=True)
    export_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("exports.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
