"""Citizen feedback: service units (unit layanan) with their public codes, IKM survey responses
(PermenPANRB 14/2017), complaints with tracking codes, regional holidays for complaint
deadlines, and the fixed-window counters that rate-limit the public endpoints."""

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
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from kinerja_api.db import Base
from kinerja_api.models.common import IdMixin, TimestampsMixin, VersionedMixin, described

# The nine IKM elements of PermenPANRB 14/2017, in the regulation's order (U1..U9).
IKM_ELEMENTS = (
    "persyaratan",
    "prosedur",
    "waktu",
    "biaya",
    "produk",
    "kompetensi",
    "perilaku",
    "pengaduan",
    "sarana",
)


@described(
    {
        "under_20": "di bawah 20 tahun — under 20",
        "20_29": "20-29 tahun",
        "30_39": "30-39 tahun",
        "40_49": "40-49 tahun",
        "50_59": "50-59 tahun",
        "60_plus": "60 tahun ke atas — 60 or older",
    }
)
class AgeBand(StrEnum):
    UNDER_20 = "under_20"
    FROM_20_TO_29 = "20_29"
    FROM_30_TO_39 = "30_39"
    FROM_40_TO_49 = "40_49"
    FROM_50_TO_59 = "50_59"
    FROM_60 = "60_plus"


@described(
    {
        "laki_laki": "laki-laki — male",
        "perempuan": "perempuan — female",
    }
)
class Sex(StrEnum):
    LAKI_LAKI = "laki_laki"
    PEREMPUAN = "perempuan"


@described(
    {
        "sd": "SD — primary school",
        "smp": "SMP — junior high school",
        "sma": "SMA — senior high school",
        "diploma": "diploma (D1-D4)",
        "s1": "S1 — bachelor's degree",
        "s2": "S2 — master's degree",
        "s3": "S3 — doctorate",
    }
)
class Education(StrEnum):
    SD = "sd"
    SMP = "smp"
    SMA = "sma"
    DIPLOMA = "diploma"
    S1 = "s1"
    S2 = "s2"
    S3 = "s3"


@described(
    {
        "pns": "PNS — civil servant",
        "tni": "TNI — military",
        "polri": "POLRI — police",
        "swasta": "swasta — private sector employee",
        "wirausaha": "wirausaha — self-employed",
        "pelajar": "pelajar/mahasiswa — student",
        "lainnya": "lainnya — other",
    }
)
class Occupation(StrEnum):
    PNS = "pns"
    TNI = "tni"
    POLRI = "polri"
    SWASTA = "swasta"
    WIRAUSAHA = "wirausaha"
    PELAJAR = "pelajar"
    LAINNYA = "lainnya"


@described(
    {
        "service": "pelayanan — the service itself",
        "staff_conduct": "perilaku petugas — staff conduct",
        "facilities": "sarana prasarana — facilities",
        "fees": "biaya — fees",
        "waiting_time": "waktu tunggu — waiting time",
        "information": "informasi — information",
        "other": "lainnya — other",
    }
)
class ComplaintCategory(StrEnum):
    SERVICE = "service"
    STAFF_CONDUCT = "staff_conduct"
    FACILITIES = "facilities"
    FEES = "fees"
    WAITING_TIME = "waiting_time"
    INFORMATION = "information"
    OTHER = "other"


@described(
    {
        "submitted": "diterima — submitted, not yet triaged",
        "triaged": "diverifikasi — triaged",
        "assigned": "ditugaskan — assigned to an employee",
        "resolved": "selesai — resolved",
        "reopened": "dibuka kembali — reopened by the citizen",
    }
)
class ComplaintStatus(StrEnum):
    SUBMITTED = "submitted"
    TRIAGED = "triaged"
    ASSIGNED = "assigned"
    RESOLVED = "resolved"
    REOPENED = "reopened"


@described(
    {
        "direct": "langsung — submitted to this service (the public endpoints)",
        "lapor": "SP4N-LAPOR! — received through LAPOR!, imported with its tracking number",
    }
)
class ComplaintSource(StrEnum):
    DIRECT = "direct"
    LAPOR = "lapor"


@described(
    {
        "public": "publik — shown to the citizen",
        "internal": "internal — staff only",
    }
)
class ResponseVisibility(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"


def _allowed(column: str, values: type[StrEnum], *, nullable: bool = True) -> str:
    listed = ", ".join(f"'{value}'" for value in values)
    check = f"{column} in ({listed})"
    return f"{column} is null or {check}" if nullable else check


class ServiceUnit(IdMixin, TimestampsMixin, VersionedMixin, Base):
    """A place where citizens are served. `code` is printed on posters and QR codes; it is
    unique across regions so that the public endpoints need nothing else to find the unit."""

    __tablename__ = "service_units"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("agencies.id"))
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))

    __table_args__ = (
        Index("ix_service_units_region_id_agency_id", "region_id", "agency_id"),
        Index("ix_service_units_region_id_name", "region_id", "name", "id"),
    )


class ServiceUnitStaff(IdMixin, Base):
    """An employee serving at a unit. Citizens only ever see `code` and `label`."""

    __tablename__ = "service_unit_staff"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    service_unit_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("service_units.id"))
    employee_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("employees.id"))
    code: Mapped[str] = mapped_column(String(12), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        Index(
            "uq_service_unit_staff_region_id_service_unit_id_employee_id",
            "region_id",
            "service_unit_id",
            "employee_id",
            unique=True,
        ),
    )


class FeedbackResponse(IdMixin, TimestampsMixin, VersionedMixin, Base):
    """One citizen's IKM questionnaire: the nine element scores (1-4), an optional comment
    that officers may hide (the scores stay), and the optional respondent profile."""

    __tablename__ = "feedback_responses"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    service_unit_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("service_units.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("agencies.id"))
    staff_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("service_unit_staff.id"))
    submitted_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    persyaratan: Mapped[int] = mapped_column(SmallInteger)
    prosedur: Mapped[int] = mapped_column(SmallInteger)
    waktu: Mapped[int] = mapped_column(SmallInteger)
    biaya: Mapped[int] = mapped_column(SmallInteger)
    produk: Mapped[int] = mapped_column(SmallInteger)
    kompetensi: Mapped[int] = mapped_column(SmallInteger)
    perilaku: Mapped[int] = mapped_column(SmallInteger)
    pengaduan: Mapped[int] = mapped_column(SmallInteger)
    sarana: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    comment_hidden: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    age_band: Mapped[str | None] = mapped_column(String(10))
    sex: Mapped[str | None] = mapped_column(String(10))
    education: Mapped[str | None] = mapped_column(String(10))
    occupation: Mapped[str | None] = mapped_column(String(10))

    __table_args__ = (
        Index(
            "ix_feedback_responses_region_id_service_unit_id_submitted_at",
            "region_id",
            "service_unit_id",
            "submitted_at",
        ),
        Index(
            "ix_feedback_responses_region_id_agency_id_submitted_at",
            "region_id",
            "agency_id",
            "submitted_at",
        ),
        Index("ix_feedback_responses_region_id_submitted_at", "region_id", "submitted_at", "id"),
        CheckConstraint(
            " and ".join(f"{element} between 1 and 4" for element in IKM_ELEMENTS),
            name="scores_range",
        ),
        CheckConstraint(_allowed("age_band", AgeBand), name="age_band_allowed"),
        CheckConstraint(_allowed("sex", Sex), name="sex_allowed"),
        CheckConstraint(_allowed("education", Education), name="education_allowed"),
        CheckConstraint(_allowed("occupation", Occupation), name="occupation_allowed"),
    )


class Complaint(IdMixin, TimestampsMixin, VersionedMixin, Base):
    """A citizen's complaint, followed publicly by its unguessable `tracking_code`. The contact
    columns are personal data: only officers handling the complaint ever read them."""

    __tablename__ = "complaints"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    tracking_code: Mapped[str] = mapped_column(String(20), unique=True)
    service_unit_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("service_units.id"))
    agency_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("agencies.id"))
    assignee_employee_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("employees.id"))
    category: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    location: Mapped[str] = mapped_column(String(500))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(12), server_default=text("'submitted'"))
    submitted_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reopened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(String(10), server_default=text("'direct'"))
    # The number the complaint has where it came from (LAPOR!'s tracking number).
    external_reference: Mapped[str | None] = mapped_column(String(40))

    __table_args__ = (
        Index("ix_complaints_region_id_submitted_at", "region_id", "submitted_at", "id"),
        Index("ix_complaints_region_id_agency_id", "region_id", "agency_id"),
        Index("ix_complaints_region_id_status_due_at", "region_id", "status", "due_at"),
        CheckConstraint(
            _allowed("category", ComplaintCategory, nullable=False), name="category_allowed"
        ),
        CheckConstraint(_allowed("status", ComplaintStatus, nullable=False), name="status_allowed"),
        CheckConstraint(_allowed("source", ComplaintSource, nullable=False), name="source_allowed"),
        Index(
            "uq_complaints_region_id_external_reference",
            "region_id",
            "external_reference",
            unique=True,
            postgresql_where=text("external_reference is not null"),
        ),
    )


class ComplaintResponse(IdMixin, Base):
    """An officer's answer: `public` ones appear on the tracking page, `internal` never do."""

    __tablename__ = "complaint_responses"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    complaint_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("complaints.id"))
    visibility: Mapped[str] = mapped_column(String(10))
    body: Mapped[str] = mapped_column(Text)
    author_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        Index(
            "ix_complaint_responses_region_id_complaint_id",
            "region_id",
            "complaint_id",
            "created_at",
        ),
        CheckConstraint(
            _allowed("visibility", ResponseVisibility, nullable=False), name="visibility"
        ),
    )


class Holiday(IdMixin, TimestampsMixin, Base):
    """A non-working day of a region (national holidays and cuti bersama included), skipped
    when complaint deadlines are counted."""

    __tablename__ = "holidays"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    date: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(200))

    __table_args__ = (Index("uq_holidays_region_id_date", "region_id", "date", unique=True),)


class PublicRateLimit(Base):
    """Hits per key (client address, unit, submission fingerprint) in a fixed window."""

    __tablename__ = "public_rate_limits"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    hits: Mapped[int] = mapped_column(Integer, server_default=text("0"))
