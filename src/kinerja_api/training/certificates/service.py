"""Certificates of completed enrollments: issued with the completion (a number per region and
year in order of issue), read as JSON or drawn as a PDF."""

import re
import uuid
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import false
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import not_found
from kinerja_api.auth.principal import Principal
from kinerja_api.core.listing import ListOf, list_page
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.models.training import TrainingCertificate
from kinerja_api.training.certificates import repository
from kinerja_api.training.certificates.numbering import format_number, next_serial
from kinerja_api.training.certificates.pdf import CertificateContent, render_certificate
from kinerja_api.training.certificates.schemas import (
    CertificateFilters,
    CertificateOut,
    CertificateSort,
)

ENTITY = "training_certificate"
AUDITED = ("enrollment_id", "employee_id", "number", "issued_on", "jp")
PROGRAM_CODE_LENGTH = 10
_LIST = ListOf(
    "training-certificates",
    {
        CertificateSort.CREATED_AT: Keyset(
            (TrainingCertificate.created_at, TrainingCertificate.id)
        ),
        CertificateSort.UPDATED_AT: Keyset(
            (TrainingCertificate.updated_at, TrainingCertificate.id)
        ),
    },
)
_WORD = re.compile(r"[A-Za-z0-9]+")


def program_code(name: str) -> str:
    """The program's part of a number: the initials of its name's words (ASCII letters and
    digits), e.g. `MWDP` for "Manajemen Waktu dan Produktivitas"; `PRG` when it has none."""
    initials = "".join(word[0] for word in _WORD.findall(name))[:PROGRAM_CODE_LENGTH]
    return initials.upper() or "PRG"


async def issue(
    session: AsyncSession,
    *,
    region_id: uuid.UUID,
    year: int,
    program_name: str,
    completed: Sequence[tuple[uuid.UUID, uuid.UUID]],
    issued_on: date,
    jp: int,
) -> dict[uuid.UUID, tuple[uuid.UUID, str]]:
    """Certificates for (enrollment, employee) pairs, numbered after the region's highest
    serial of the year, read under the year's lock so concurrent issuers never draw the
    same. Answers enrollment → (certificate id, number)."""
    if not completed:
        return {}
    await repository.lock_year(session, region_id, year)
    highest = await repository.highest_serial(session, region_id, year)
    region_code = await repository.region_code(session, region_id)
    code = program_code(program_name)
    rows: list[tuple[uuid.UUID, uuid.UUID, str]] = []
    for enrollment_id, employee_id in completed:
        highest = next_serial(highest)
        rows.append((enrollment_id, employee_id, format_number(region_code, year, code, highest)))
    return await repository.insert_certificates(
        session, region_id=region_id, rows=rows, issued_on=issued_on, jp=jp
    )


def certificate_out(certificate: TrainingCertificate) -> CertificateOut:
    return CertificateOut.model_validate(certificate)


async def list_certificates(
    session: AsyncSession,
    principal: Principal,
    *,
    filters: CertificateFilters,
    sort: CertificateSort,
    page: PageParams,
) -> tuple[list[CertificateOut], str | None]:
    mine: Any = None
    if filters.mine:
        mine = (
            TrainingCertificate.employee_id == principal.employee_id
            if principal.employee_id is not None
            else false()
        )
    found, cursor = await list_page(
        session,
        repository.readable_certificates(principal),
        _LIST,
        sort,
        cursor_filters=asdict(filters),
        page=page,
        equal={TrainingCertificate.employee_id: filters.employee_id},
        where=(mine,),
        updated_at=TrainingCertificate.updated_at,
        updated_since=filters.updated_since,
    )
    return [certificate_out(c) for c in found], cursor


async def get_certificate(
    session: AsyncSession, principal: Principal, certificate_id: uuid.UUID
) -> TrainingCertificate:
    found = await repository.find(session, principal, certificate_id)
    if found is None:
        raise not_found("Training certificate")
    return found


async def certificate_pdf(
    session: AsyncSession, principal: Principal, certificate_id: uuid.UUID
) -> bytes:
    certificate = await get_certificate(session, principal, certificate_id)
    facts = await repository.document_facts(session, certificate)
    content = CertificateContent(
        number=certificate.number,
        employee_name=facts.employee_name,
        nip=facts.nip,
        program_name=facts.program_name,
        starts_at=facts.starts_at,
        ends_at=facts.ends_at,
        jp=Decimal(certificate.jp),
        region_name=facts.region_name,
        zone=facts.zone,
        issued_at=certificate.created_at,
    )
    return render_certificate(content)
