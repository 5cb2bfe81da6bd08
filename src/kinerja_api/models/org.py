import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    ARRAY,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from kinerja_api.db import Base
from kinerja_api.models.common import IdMixin, TimestampsMixin, VersionedMixin, described


@described(
    {
        "kabupaten": "kabupaten — regency",
        "kota": "kota — city",
        "kecamatan": "kecamatan — district",
        "provinsi": "provinsi — province",
    }
)
class RegionKind(StrEnum):
    KABUPATEN = "kabupaten"
    KOTA = "kota"
    KECAMATAN = "kecamatan"
    PROVINSI = "provinsi"


@described(
    {
        "sekretariat": "sekretariat — secretariat",
        "dinas": "dinas — service office",
        "badan": "badan — agency (board)",
        "kecamatan": "kecamatan — district office",
        "kelurahan": "kelurahan — urban village office",
        "bidang": "bidang — division of an agency",
        "uptd": "UPTD — technical implementation unit (e.g. a puskesmas)",
        "other": "lainnya — other",
    }
)
class AgencyKind(StrEnum):
    SEKRETARIAT = "sekretariat"
    DINAS = "dinas"
    BADAN = "badan"
    KECAMATAN = "kecamatan"
    KELURAHAN = "kelurahan"
    BIDANG = "bidang"
    UPTD = "uptd"
    OTHER = "other"


@described(
    {
        "pns": "PNS — civil servant (pegawai negeri sipil)",
        "pppk": "PPPK — contract government employee (pegawai pemerintah dengan perjanjian kerja)",
    }
)
class EmploymentType(StrEnum):
    PNS = "pns"
    PPPK = "pppk"


@described(
    {
        "superadmin": "superadmin — operates every region",
        "region_admin": "admin daerah — administers one region",
        "agency_admin": "admin perangkat daerah — administers an agency subtree",
        "employee": "pegawai — an employee (supervisors are a relation, not a role)",
        "training_admin": "admin pelatihan — manages training",
        "complaint_officer": "petugas pengaduan — handles complaints and survey comments",
        "auditor": "auditor — reads everything in the region",
    }
)
class Role(StrEnum):
    SUPERADMIN = "superadmin"
    REGION_ADMIN = "region_admin"
    AGENCY_ADMIN = "agency_admin"
    EMPLOYEE = "employee"
    TRAINING_ADMIN = "training_admin"
    COMPLAINT_OFFICER = "complaint_officer"
    AUDITOR = "auditor"


class Region(IdMixin, TimestampsMixin, VersionedMixin, Base):
    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    timezone: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))

    __table_args__ = (
        CheckConstraint(
            "kind in ('kabupaten', 'kota', 'kecamatan', 'provinsi')", name="kind_allowed"
        ),
    )


class Agency(IdMixin, TimestampsMixin, VersionedMixin, Base):
    """A work unit; `path` lists the ids from the region's root down to this agency, so that a
    subtree is one indexed prefix match."""

    __tablename__ = "agencies"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("agencies.id"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    path: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))

    __table_args__ = (
        Index("uq_agencies_region_id_code", "region_id", "code", unique=True),
        Index(
            "ix_agencies_region_id_path",
            "region_id",
            "path",
            postgresql_ops={"path": "text_pattern_ops"},
        ),
        Index("ix_agencies_region_id_updated_at", "region_id", "updated_at", "id"),
        CheckConstraint(
            "kind in ('sekretariat', 'dinas', 'badan', 'kecamatan', 'kelurahan', 'bidang', "
            "'uptd', 'other')",
            name="kind_allowed",
        ),
    )


class Employee(IdMixin, TimestampsMixin, VersionedMixin, Base):
    __tablename__ = "employees"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("agencies.id"))
    supervisor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("employees.id"))
    nip: Mapped[str] = mapped_column(String(18), unique=True)
    employment_type: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    title_prefix: Mapped[str | None] = mapped_column(String(100))
    title_suffix: Mapped[str | None] = mapped_column(String(100))
    position: Mapped[str] = mapped_column(String(200))
    position_since: Mapped[date | None] = mapped_column(Date)
    grade: Mapped[str | None] = mapped_column(String(20))
    grade_since: Mapped[date | None] = mapped_column(Date)
    email: Mapped[str | None] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))

    __table_args__ = (
        Index("ix_employees_region_id_agency_id", "region_id", "agency_id"),
        Index("ix_employees_region_id_supervisor_id", "region_id", "supervisor_id"),
        Index("ix_employees_region_id_name", "region_id", "name", "id"),
        Index("ix_employees_region_id_updated_at", "region_id", "updated_at", "id"),
        CheckConstraint("employment_type in ('pns', 'pppk')", name="employment_type_allowed"),
        CheckConstraint("supervisor_id is null or supervisor_id <> id", name="not_own_supervisor"),
    )


class User(IdMixin, TimestampsMixin, VersionedMixin, Base):
    """A person who signs in. Superadmins belong to no region; everyone else to exactly one."""

    __tablename__ = "users"

    region_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("regions.id"))
    email: Mapped[str] = mapped_column(String(254))
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(Text)
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(30)))
    employee_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("employees.id"))
    agency_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("agencies.id"))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("uq_users_email", text("lower(email)"), unique=True),
        Index("uq_users_employee_id", "employee_id", unique=True),
        Index("ix_users_region_id_updated_at", "region_id", "updated_at", "id"),
        CheckConstraint(
            "(region_id is null) = ('superadmin' = any(roles))", name="superadmin_has_no_region"
        ),
    )


class ServiceAccount(IdMixin, TimestampsMixin, VersionedMixin, Base):
    """An integration that authenticates with the client-credentials grant."""

    __tablename__ = "service_accounts"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    name: Mapped[str] = mapped_column(String(200))
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(Text)
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))

    __table_args__ = (
        Index("ix_service_accounts_region_id_updated_at", "region_id", "updated_at", "id"),
    )
