"""Which certificates a principal reads (the participant, their supervisors, agency
administrators of the agency subtree the enrollment was in, the region's organisers and
auditors, and service accounts with `training:read`), what the PDF is drawn
from, and the issuing of a region's certificates of a year, numbered in order under a lock
that serialises every issuer of that region and year."""

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Table,
    and_,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import agency_in_subtree, subordinates_of
from kinerja_api.auth.principal import Principal
from kinerja_api.models.org import Employee, Region, Role
from kinerja_api.models.training import (
    TrainingCertificate,
    TrainingEnrollment,
    TrainingProgram,
    TrainingSession,
)
from kinerja_api.training.programs.repository import READ_SCOPE

REGION_WIDE = (Role.REGION_ADMIN, Role.TRAINING_ADMIN, Role.AUDITOR)
CERTIFICATES = cast(Table, TrainingCertificate.__table__)


def readable(principal: Principal) -> ColumnElement[bool]:
    if principal.is_superadmin:
        return true()
    if principal.region_id is None:
        return false()
    region = TrainingCertificate.region_id == principal.region_id
    if principal.kind == "service_account":
        return region if READ_SCOPE in principal.scopes else false()
    if principal.has_any(*REGION_WIDE):
        return region
    conditions: list[ColumnElement[bool]] = []
    if principal.has_any(Role.AGENCY_ADMIN):
        # Their subtree's, as they read its enrollments: by the agency the enrollment was in.
        conditions.append(
            TrainingCertificate.enrollment_id.in_(
                select(TrainingEnrollment.id).where(
                    TrainingEnrollment.region_id == principal.region_id,
                    agency_in_subtree(principal, TrainingEnrollment.agency_id),
                )
            )
        )
    if principal.employee_id is not None:
        conditions.append(TrainingCertificate.employee_id == principal.employee_id)
        conditions.append(
            TrainingCertificate.employee_id.in_(subordinates_of(principal.employee_id))
        )
    if not conditions:
        return false()
    return and_(region, or_(*conditions))


def readable_certificates(principal: Principal) -> Select[Any]:
    return select(TrainingCertificate).where(readable(principal))


async def find(
    session: AsyncSession, principal: Principal, certificate_id: uuid.UUID
) -> TrainingCertificate | None:
    found: TrainingCertificate | None = await session.scalar(
        select(TrainingCertificate).where(
            TrainingCertificate.id == certificate_id, readable(principal)
        )
    )
    return found


async def document_facts(session: AsyncSession, certificate: TrainingCertificate) -> Any:
    """What the certificate's PDF shows beside the certificate itself."""
    statement = (
        select(
            Employee.name.label("employee_name"),
            Employee.nip.label("nip"),
            TrainingProgram.name.label("program_name"),
            TrainingSession.starts_at.label("starts_at"),
            TrainingSession.ends_at.label("ends_at"),
            Region.name.label("region_name"),
            Region.timezone.label("zone"),
        )
        .select_from(TrainingEnrollment)
        .join(TrainingSession, TrainingSession.id == TrainingEnrollment.session_id)
        .join(TrainingProgram, TrainingProgram.id == TrainingEnrollment.program_id)
        .join(Employee, Employee.id == TrainingEnrollment.employee_id)
        .join(Region, Region.id == TrainingEnrollment.region_id)
        .where(TrainingEnrollment.id == certificate.enrollment_id)
    )
    return (await session.execute(statement)).one()


async def region_code(session: AsyncSession, region_id: uuid.UUID) -> str:
    code: str = (
        await session.execute(select(Region.code).where(Region.id == region_id))
    ).scalar_one()
    return code


async def lock_year(session: AsyncSession, region_id: uuid.UUID, year: int) -> None:
    """The transaction's lock on the region's certificate serials of the year: issuers of the
    same region and year take turns, until each commits."""
    key = func.hashtextextended(f"training_certificates|{region_id}|{year}", 0)
    await session.execute(select(func.pg_advisory_xact_lock(key)))


async def highest_serial(session: AsyncSession, region_id: uuid.UUID, year: int) -> int | None:
    """The highest serial issued in the region's year (numbers read REGION/YEAR/PROGRAM/SERIAL)."""
    found = await session.scalar(
        select(func.max(func.split_part(TrainingCertificate.number, "/", 4).cast(Integer))).where(
            TrainingCertificate.region_id == region_id,
            func.split_part(TrainingCertificate.number, "/", 2) == f"{year:04d}",
        )
    )
    return None if found is None else int(found)


async def insert_certificates(
    session: AsyncSession,
    *,
    region_id: uuid.UUID,
    rows: Sequence[tuple[uuid.UUID, uuid.UUID, str]],
    issued_on: date,
    jp: int,
) -> dict[uuid.UUID, tuple[uuid.UUID, str]]:
    """One certificate per (enrollment, employee, number), in one statement; an enrollment
    that already has one keeps it. Answers enrollment → (certificate id, number) of those
    inserted."""
    if not rows:
        return {}
    inserted = await session.execute(
        insert(CERTIFICATES)
        .values(
            [
                {
                    "region_id": region_id,
                    "enrollment_id": enrollment_id,
                    "employee_id": employee_id,
                    "number": number,
                    "issued_on": issued_on,
                    "jp": jp,
                }
                for enrollment_id, employee_id, number in rows
            ]
        )
        .on_conflict_do_nothing(index_elements=["region_id", "enrollment_id"])
        .returning(CERTIFICATES.c.enrollment_id, CERTIFICATES.c.id, CERTIFICATES.c.number)
    )
    return {row.enrollment_id: (row.id, row.number) for row in inserted}
