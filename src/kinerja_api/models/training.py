"""Competency development: the training catalog (programs), their sessions, enrollments with a
first-come waitlist, certificates, participants' feedback and the yearly JP ledger."""

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from kinerja_api.db import Base
from kinerja_api.models.common import IdMixin, TimestampsMixin, VersionedMixin, described
from kinerja_api.models.evaluations import CoreValue


@described(
    {
        "pelatihan_klasikal": "pelatihan klasikal — classroom training",
        "e_learning": "e-learning — online, self-paced",
        "bimbingan_teknis": "bimbingan teknis (bimtek) — technical guidance",
        "workshop": "lokakarya — workshop",
        "seminar": "seminar",
        "mentoring": "mentoring — guidance by a senior employee (the session's mentor)",
        "coaching": "coaching",
    }
)
class ProgramKind(StrEnum):
    """The form of a training program (jalur pengembangan kompetensi)."""

    PELATIHAN_KLASIKAL = "pelatihan_klasikal"
    E_LEARNING = "e_learning"
    BIMBINGAN_TEKNIS = "bimbingan_teknis"
    WORKSHOP = "workshop"
    SEMINAR = "seminar"
    MENTORING = "mentoring"
    COACHING = "coaching"


@described(
    {
        "teknis": "kompetensi teknis — technical",
        "manajerial": "kompetensi manajerial — managerial",
        "sosial_kultural": "kompetensi sosial kultural — socio-cultural",
        **{value.value: f"BerAKHLAK: {value.value}" for value in CoreValue},
    }
)
class CompetencyArea(StrEnum):
    """The competency a program develops: technical, managerial, socio-cultural, or one of the
    BerAKHLAK core values."""

    TEKNIS = "teknis"
    MANAJERIAL = "manajerial"
    SOSIAL_KULTURAL = "sosial_kultural"
    BERORIENTASI_PELAYANAN = "berorientasi_pelayanan"
    AKUNTABEL = "akuntabel"
    KOMPETEN = "kompeten"
    HARMONIS = "harmonis"
    LOYAL = "loyal"
    ADAPTIF = "adaptif"
    KOLABORATIF = "kolaboratif"


@described(
    {
        "scheduled": "terjadwal — takes place as planned",
        "cancelled": "dibatalkan — cancelled, with every enrollment",
    }
)
class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


@described(
    {
        "enrolled": "terdaftar — holds a seat",
        "waitlisted": "daftar tunggu — waits for a seat, first come first served",
        "cancelled": "dibatalkan — cancelled by the participant, an organiser or the session",
        "attended": "hadir — attended the session",
        "completed": "selesai — completed; the program's JP are credited",
        "no_show": "tidak hadir — held a seat and did not come",
    }
)
class EnrollmentStatus(StrEnum):
    ENROLLED = "enrolled"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    COMPLETED = "completed"
    NO_SHOW = "no_show"


@described(
    {
        "training": "a completed enrollment of a program in the catalog",
        "external": "an activity outside the catalog, recorded with its evidence",
    }
)
class JpSource(StrEnum):
    TRAINING = "training"
    EXTERNAL = "external"


EMPLOYMENT_TYPES = ("pns", "pppk")


def _allowed(column: str, enum: type[StrEnum]) -> str:
    return f"{column} in ({', '.join(repr(member.value) for member in enum)})"


class TrainingProgram(IdMixin, TimestampsMixin, VersionedMixin, Base):
    """A program of the region's catalog: what is learnt, in which form, and the JP (jam
    pelajaran) a completion credits."""

    __tablename__ = "training_programs"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    competency_area: Mapped[str] = mapped_column(String(30))
    provider: Mapped[str] = mapped_column(String(200))
    jp: Mapped[int] = mapped_column(SmallInteger)
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))

    __table_args__ = (
        Index("ix_training_programs_region_id_name", "region_id", "name", "id"),
        Index("ix_training_programs_region_id_updated_at", "region_id", "updated_at", "id"),
        CheckConstraint(_allowed("kind", ProgramKind), name="kind_allowed"),
        CheckConstraint(_allowed("competency_area", CompetencyArea), name="area_allowed"),
        CheckConstraint("jp between 1 and 1000", name="jp_range"),
    )


class TrainingSession(IdMixin, TimestampsMixin, VersionedMixin, Base):
    """One run of a program: when and where, how many seats, the enrollment window and who may
        enroll. `seats_taken` counts the enrolled (and those who attended or completed);
        `waitlist_next` is the next number handed out on the waitlist. Both change only under the
        row's lock and leave `version` alone, as does `arrivals`, the count of enrollment requests
    taken (an enrollment does not change the session)."""

    __tablename__ = "training_sessions"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    program_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("training_programs.id"))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    place: Mapped[str | None] = mapped_column(String(200))
    meeting_link: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int] = mapped_column(Integer)
    enrollment_opens_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    enrollment_closes_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    eligible_agency_ids: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(Uuid), server_default=text("'{}'")
    )
    eligible_employment_types: Mapped[list[str]] = mapped_column(
        ARRAY(String(10)), server_default=text("'{}'")
    )
    mentor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("employees.id"))
    status: Mapped[str] = mapped_column(String(10), server_default=text("'scheduled'"))
    seats_taken: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    arrivals: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    waitlist_next: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_training_sessions_region_id_starts_at", "region_id", "starts_at", "id"),
        Index("ix_training_sessions_region_id_program_id", "region_id", "program_id"),
        Index("ix_training_sessions_region_id_updated_at", "region_id", "updated_at", "id"),
        CheckConstraint(_allowed("status", SessionStatus), name="status_allowed"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("seats_taken between 0 and capacity", name="seats_within_capacity"),
        CheckConstraint("waitlist_next >= 1", name="waitlist_next_positive"),
        CheckConstraint("arrivals >= 0", name="arrivals_counted"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(
            "enrollment_closes_at > enrollment_opens_at", name="window_closes_after_opening"
        ),
        CheckConstraint(
            "eligible_employment_types <@ array['pns', 'pppk']::varchar[]",
            name="employment_types_allowed",
        ),
    )


class TrainingEnrollment(IdMixin, TimestampsMixin, VersionedMixin, Base):
    """An employee's place in a session: a seat, or a number on its waitlist (`waitlist_order`,
    handed out in arrival order under the session's lock). An employee holds at most one
    enrollment of a session that is not cancelled."""

    __tablename__ = "training_enrollments"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    session_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("training_sessions.id"))
    program_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("training_programs.id"))
    employee_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("employees.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("agencies.id"))
    status: Mapped[str] = mapped_column(String(12))
    arrival: Mapped[int] = mapped_column(Integer)
    waitlist_order: Mapped[int | None] = mapped_column(Integer)
    nominated_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"))
    enrolled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index(
            "uq_training_enrollments_region_id_session_id_employee_id",
            "region_id",
            "session_id",
            "employee_id",
            unique=True,
            postgresql_where=text("status <> 'cancelled'"),
        ),
        Index(
            "uq_training_enrollments_region_id_session_id_arrival",
            "region_id",
            "session_id",
            "arrival",
            unique=True,
        ),
        Index(
            "ix_training_enrollments_region_id_session_id_status",
            "region_id",
            "session_id",
            "status",
            "waitlist_order",
        ),
        Index("ix_training_enrollments_region_id_employee_id", "region_id", "employee_id"),
        Index("ix_training_enrollments_region_id_updated_at", "region_id", "updated_at", "id"),
        CheckConstraint(_allowed("status", EnrollmentStatus), name="status_allowed"),
        CheckConstraint(
            "status <> 'waitlisted' or waitlist_order is not null",
            name="waitlist_order_when_waiting",
        ),
    )


class TrainingCertificate(IdMixin, TimestampsMixin, VersionedMixin, Base):
    """The certificate of a completed enrollment: a number unique in the region, the day it
    was issued and the JP it attests."""

    __tablename__ = "training_certificates"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    enrollment_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("training_enrollments.id"))
    employee_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("employees.id"))
    number: Mapped[str] = mapped_column(String(60))
    issued_on: Mapped[date] = mapped_column(Date)
    jp: Mapped[int] = mapped_column(SmallInteger)

    __table_args__ = (
        Index("uq_training_certificates_region_id_number", "region_id", "number", unique=True),
        Index(
            "uq_training_certificates_region_id_enrollment_id",
            "region_id",
            "enrollment_id",
            unique=True,
        ),
        Index("ix_training_certificates_region_id_employee_id", "region_id", "employee_id"),
        CheckConstraint("jp > 0", name="jp_positive"),
    )


class TrainingFeedback(IdMixin, TimestampsMixin, Base):
    """A participant's rating of a session they attended, once: content, trainer and
    relevance 1-5, and a comment shown to organisers without the name."""

    __tablename__ = "training_feedback"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    enrollment_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("training_enrollments.id"))
    session_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("training_sessions.id"))
    program_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("training_programs.id"))
    content: Mapped[int] = mapped_column(SmallInteger)
    trainer: Mapped[int] = mapped_column(SmallInteger)
    relevance: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index(
            "uq_training_feedback_region_id_enrollment_id",
            "region_id",
            "enrollment_id",
            unique=True,
        ),
        Index("ix_training_feedback_region_id_session_id", "region_id", "session_id"),
        Index("ix_training_feedback_region_id_program_id", "region_id", "program_id"),
        CheckConstraint(
            "content between 1 and 5 and trainer between 1 and 5 and relevance between 1 and 5",
            name="scores_range",
        ),
    )


class JpLedgerEntry(IdMixin, TimestampsMixin, Base):
    """JP credited to an employee for a year: from a completed enrollment (once per
    enrollment), or from an activity outside the catalog with its evidence."""

    __tablename__ = "jp_ledger"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    employee_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("employees.id"))
    year: Mapped[int] = mapped_column(SmallInteger)
    jp: Mapped[int] = mapped_column(SmallInteger)
    source: Mapped[str] = mapped_column(String(10))
    enrollment_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("training_enrollments.id")
    )
    activity: Mapped[str] = mapped_column(String(200))
    completed_on: Mapped[date] = mapped_column(Date)
    evidence: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"))

    __table_args__ = (
        Index("ix_jp_ledger_region_id_employee_id_year", "region_id", "employee_id", "year"),
        Index(
            "uq_jp_ledger_region_id_enrollment_id",
            "region_id",
            "enrollment_id",
            unique=True,
            postgresql_where=text("enrollment_id is not null"),
        ),
        CheckConstraint(_allowed("source", JpSource), name="source_allowed"),
        CheckConstraint("jp > 0", name="jp_positive"),
        CheckConstraint("year between 2000 and 2100", name="year_range"),
        CheckConstraint(
            "(source = 'training') = (enrollment_id is not null)",
            name="enrollment_for_training",
        ),
        CheckConstraint(
            "source = 'training' or evidence is not null", name="evidence_for_external"
        ),
    )
