"""What the LAPOR! document is read from, in four statements whatever the number of
complaints: the region, the complaints received in the period that the caller may read (with
the agency and service unit they are disposed to), their audit trail (statuses and
dispositions, from `audit_events`) and their public follow-ups."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, Uuid, cast, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from kinerja_api.auth.principal import Principal
from kinerja_api.feedback.api import complaint_readable
from kinerja_api.models.audit import AuditEvent
from kinerja_api.models.feedback import Complaint, ComplaintResponse, ServiceUnit
from kinerja_api.models.org import Agency, Region

_DISPOSED_TO = aliased(Agency)


async def region(session: AsyncSession, region_id: uuid.UUID) -> Any:
    result = await session.execute(
        select(Region.code, Region.name, Region.timezone).where(Region.id == region_id)
    )
    return result.first()


async def complaints(
    session: AsyncSession, principal: Principal, received_from: datetime, received_to: datetime
) -> Sequence[Any]:
    result = await session.execute(
        select(
            Complaint.id,
            Complaint.region_id,
            Complaint.tracking_code,
            Complaint.external_reference,
            Complaint.category,
            Complaint.description,
            Complaint.location,
            Complaint.status,
            Complaint.submitted_at,
            Complaint.due_at,
        )
        .where(
            complaint_readable(principal),
            Complaint.submitted_at >= received_from,
            Complaint.submitted_at < received_to,
        )
        .order_by(Complaint.submitted_at, Complaint.id)
    )
    return result.all()


async def trail(
    session: AsyncSession, region_id: uuid.UUID, complaint_ids: Sequence[uuid.UUID]
) -> Sequence[Any]:
    """Each audited change of the complaints, oldest first: the status it left, and the agency
    and service unit it was disposed to, each with whether the change named it at all (a
    change keeps only what changed)."""
    after = AuditEvent.changes["after"]
    unit = aliased(ServiceUnit)
    result = await session.execute(
        select(
            AuditEvent.entity_id,
            AuditEvent.occurred_at,
            after["status"].astext.label("status"),
            after.has_key("agency_id").label("names_agency"),
            after.has_key("service_unit_id").label("names_unit"),
            _DISPOSED_TO.code.label("agency_code"),
            _DISPOSED_TO.name.label("agency_name"),
            unit.code.label("unit_code"),
            unit.name.label("unit_name"),
        )
        .outerjoin(_DISPOSED_TO, _DISPOSED_TO.id == cast(after["agency_id"].astext, Uuid))
        .outerjoin(unit, unit.id == cast(after["service_unit_id"].astext, Uuid))
        .where(
            AuditEvent.region_id == region_id,
            AuditEvent.entity_type == "complaint",
            AuditEvent.entity_id.in_([str(i) for i in complaint_ids]),
        )
        .order_by(AuditEvent.entity_id, AuditEvent.occurred_at, AuditEvent.id)
    )
    return result.all()


async def public_follow_ups(
    session: AsyncSession, region_id: uuid.UUID, complaint_ids: Sequence[uuid.UUID]
) -> Sequence[Any]:
    result = await session.execute(
        select(
            cast(ComplaintResponse.complaint_id, String).label("complaint_id"),
            ComplaintResponse.body,
            ComplaintResponse.created_at,
        )
        .where(
            ComplaintResponse.region_id == region_id,
            ComplaintResponse.complaint_id.in_(complaint_ids),
            ComplaintResponse.visibility == "public",
        )
        .order_by(
            ComplaintResponse.complaint_id, ComplaintResponse.created_at, ComplaintResponse.id
        )
    )
    return result.all()
