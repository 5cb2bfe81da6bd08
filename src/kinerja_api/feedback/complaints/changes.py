"""What every change to a complaint does, from the public side or the staff's: it is audited
and announced, and a change its status does not allow is refused the same way."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.principal import Principal
from kinerja_api.core.audit import record_entity
from kinerja_api.core.events import publish
from kinerja_api.core.i18n import Msg
from kinerja_api.core.problems import INVALID_TRANSITION, Problem
from kinerja_api.feedback.events import ComplaintEventData
from kinerja_api.models.feedback import Complaint, ComplaintCategory, ComplaintStatus

AUDITED = (
    "status",
    "category",
    "service_unit_id",
    "agency_id",
    "assignee_employee_id",
    "due_at",
    "resolved_at",
    "reopened_at",
)
_NOT_NOW = Msg(
    "Pengaduan berstatus {status} tidak dapat di-{action}.",
    "A complaint that is {status} cannot be {action}.",
)


def transition_refused(complaint: Complaint, action: str) -> Problem:
    return Problem(
        INVALID_TRANSITION, _NOT_NOW, params={"status": complaint.status, "action": action}
    )


async def changed(
    session: AsyncSession,
    principal: Principal | None,
    complaint: Complaint,
    event: str,
    *,
    before: dict[str, Any] | None = None,
) -> None:
    await record_entity(session, principal, "complaint", event, complaint, AUDITED, before=before)
    await publish(
        session,
        f"complaint.{event}",
        region_id=complaint.region_id,
        entity_type="complaint",
        entity_id=complaint.id,
        employee_id=complaint.assignee_employee_id,
        agency_id=complaint.agency_id,
        payload=ComplaintEventData(
            status=ComplaintStatus(complaint.status),
            category=ComplaintCategory(complaint.category),
        ),
    )
