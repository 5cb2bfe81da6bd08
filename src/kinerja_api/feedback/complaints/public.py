"""Complaints from the public side: a citizen submits one, follows it by its tracking code,
and may reopen it for a while after it was resolved."""

import uuid

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import not_found
from kinerja_api.core import clock
from kinerja_api.core.audit import snapshot
from kinerja_api.core.i18n import Msg
from kinerja_api.core.problems import INVALID_TRANSITION, Problem, field_problem
from kinerja_api.core.ratelimit import settings_of
from kinerja_api.feedback import abuse
from kinerja_api.feedback.codes import (
    TRACKING_CODE_LENGTH,
    grouped,
    insert_with_code,
    normalize,
    random_code,
)
from kinerja_api.feedback.complaints import repository
from kinerja_api.feedback.complaints.changes import AUDITED, changed, transition_refused
from kinerja_api.feedback.complaints.deadlines import due_at, is_overdue, reopen_until
from kinerja_api.feedback.complaints.schemas import (
    ComplaintReceipt,
    ComplaintSubmit,
    PublicComplaintOut,
    PublicResponseOut,
    ReopenIn,
)
from kinerja_api.feedback.public import active_region, active_unit
from kinerja_api.models.feedback import (
    Complaint,
    ComplaintResponse,
    ComplaintStatus,
    ResponseVisibility,
    ServiceUnit,
)

TRACKING_INDEXES = ("uq_complaints_tracking_code",)
_UNIT_UNKNOWN = Msg(
    "Kode unit layanan tidak dikenal atau tidak aktif.",
    "The service unit code is unknown or inactive.",
)
_REGION_UNKNOWN = Msg("Wilayah tidak dikenal.", "The region is unknown.")
_REOPEN_CLOSED = Msg(
    "Pengaduan hanya dapat dibuka kembali dalam {days} hari setelah diselesaikan.",
    "A complaint can only be reopened within {days} days of its resolution.",
)


async def _place(
    session: AsyncSession, data: ComplaintSubmit
) -> tuple[uuid.UUID, ServiceUnit | None]:
    if data.unit_code is not None:
        unit = await active_unit(session, data.unit_code)
        if unit is None:
            raise field_problem("body.unit_code", _UNIT_UNKNOWN, code="not_found")
        return unit.region_id, unit
    assert data.region_code is not None  # the schema requires one of the two
    region = await active_region(session, data.region_code)
    if region is None:
        raise field_problem("body.region_code", _REGION_UNKNOWN, code="not_found")
    return region.id, None


async def submit(
    session: AsyncSession, request: Request, data: ComplaintSubmit
) -> ComplaintReceipt:
    region_id, unit = await _place(session, data)
    now = clock.utc_now()
    if data.website:
        # A bot filled the honeypot: a believable receipt, a code that leads nowhere.
        fake_due = await due_at(session, request, region_id, now)
        code = grouped(random_code(TRACKING_CODE_LENGTH))
        return ComplaintReceipt(
            tracking_code=code, status=ComplaintStatus.SUBMITTED, submitted_at=now, due_at=fake_due
        )
    payload = data.model_dump(mode="json", exclude={"website"})
    await abuse.refuse_duplicates(session, request, abuse.fingerprint(request, payload))
    contact = data.contact
    complaint = Complaint(
        region_id=region_id,
        service_unit_id=unit.id if unit is not None else None,
        agency_id=unit.agency_id if unit is not None else None,
        category=data.category,
        description=data.description,
        location=data.location,
        contact_name=contact.name if contact else None,
        contact_phone=contact.phone if contact else None,
        contact_email=str(contact.email) if contact and contact.email else None,
        submitted_at=now,
        due_at=await due_at(session, request, region_id, now),
    )
    await insert_with_code(
        session, complaint, TRACKING_CODE_LENGTH, TRACKING_INDEXES, attribute="tracking_code"
    )
    await changed(session, None, complaint, "submitted")
    return ComplaintReceipt(
        tracking_code=grouped(complaint.tracking_code),
        status=ComplaintStatus(complaint.status),
        submitted_at=complaint.submitted_at,
        due_at=complaint.due_at,
    )


async def _by_tracking_code(session: AsyncSession, code: str) -> Complaint:
    complaint = await repository.by_tracking_code(session, normalize(code))
    if complaint is None:
        raise not_found("Complaint")
    return complaint


async def public_view(session: AsyncSession, request: Request, code: str) -> PublicComplaintOut:
    complaint = await _by_tracking_code(session, code)
    return await _public_out(session, request, complaint)


async def _public_out(
    session: AsyncSession, request: Request, complaint: Complaint
) -> PublicComplaintOut:
    unit_name = None
    if complaint.service_unit_id is not None:
        unit_name = await repository.unit_name(session, complaint.service_unit_id)
    responses = await repository.responses_of(session, complaint, public_only=True)
    return PublicComplaintOut(
        tracking_code=grouped(complaint.tracking_code),
        status=ComplaintStatus(complaint.status),
        category=complaint.category,
        service_unit_name=unit_name,
        submitted_at=complaint.submitted_at,
        due_at=complaint.due_at,
        overdue=is_overdue(complaint),
        resolved_at=complaint.resolved_at,
        reopened_at=complaint.reopened_at,
        reopen_until=reopen_until(request, complaint),
        responses=[
            PublicResponseOut(
                author="officer" if r.author_user_id is not None else "citizen",
                body=r.body,
                created_at=r.created_at,
            )
            for r in responses
        ],
    )


async def reopen(
    session: AsyncSession, request: Request, code: str, data: ReopenIn
) -> PublicComplaintOut:
    complaint = await _by_tracking_code(session, code)
    if data.website:
        return await _public_out(session, request, complaint)
    until = reopen_until(request, complaint)
    if until is None:
        raise transition_refused(complaint, "reopened")
    now = clock.utc_now()
    if now > until:
        days = settings_of(request).complaint_reopen_days
        raise Problem(INVALID_TRANSITION, _REOPEN_CLOSED, params={"days": days})
    before = snapshot(complaint, AUDITED)
    complaint.status = ComplaintStatus.REOPENED
    complaint.reopened_at = now
    complaint.resolved_at = None
    complaint.due_at = await due_at(session, request, complaint.region_id, now)
    session.add(
        ComplaintResponse(
            region_id=complaint.region_id,
            complaint_id=complaint.id,
            visibility=ResponseVisibility.PUBLIC,
            body=data.reason,
            created_at=now,
        )
    )
    await session.flush()
    await changed(session, None, complaint, "reopened", before=before)
    return await _public_out(session, request, complaint)
