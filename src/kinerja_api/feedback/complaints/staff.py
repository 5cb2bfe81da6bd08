"""Complaints from the staff's side: officers in scope (and the employee a complaint is
assigned to) read them, triage, assign, answer and resolve them."""

import uuid
from collections.abc import Sequence
from dataclasses import asdict

from sqlalchemy import ColumnElement, func
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import forbidden, not_found
from kinerja_api.auth.principal import Principal
from kinerja_api.core import clock
from kinerja_api.core.audit import snapshot
from kinerja_api.core.etag import check_if_match
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import ListOf, ListQuery, list_query, page_of
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.core.problems import field_problem
from kinerja_api.core.tombstones import complaint_reassigned
from kinerja_api.feedback.codes import grouped
from kinerja_api.feedback.complaints import repository
from kinerja_api.feedback.complaints.changes import AUDITED, changed, transition_refused
from kinerja_api.feedback.complaints.deadlines import is_overdue
from kinerja_api.feedback.complaints.schemas import (
    AssignIn,
    ComplaintFilters,
    ComplaintOut,
    ComplaintSort,
    ContactOut,
    ResolveIn,
    RespondIn,
    TriageIn,
)
from kinerja_api.models.feedback import (
    Complaint,
    ComplaintResponse,
    ComplaintStatus,
    ResponseVisibility,
)
from kinerja_api.models.org import Role

OPEN = frozenset(
    {
        ComplaintStatus.SUBMITTED,
        ComplaintStatus.TRIAGED,
        ComplaintStatus.ASSIGNED,
        ComplaintStatus.REOPENED,
    }
)
TRIAGEABLE = frozenset({ComplaintStatus.SUBMITTED, ComplaintStatus.REOPENED})
_LIST = ListOf(
    "complaints",
    {
        ComplaintSort.NEWEST: Keyset((Complaint.submitted_at, Complaint.id), descending=True),
        ComplaintSort.DUE_AT: Keyset((Complaint.due_at, Complaint.id)),
        ComplaintSort.UPDATED_AT: Keyset((Complaint.updated_at, Complaint.id)),
    },
)
_AGENCY_UNKNOWN = Msg(
    "Unit kerja tidak ditemukan di wilayah Anda.", "The agency does not exist in your region."
)
_EMPLOYEE_UNKNOWN = Msg(
    "Pegawai tidak ditemukan di wilayah Anda.", "The employee does not exist in your region."
)
_NOT_IN_AGENCY = Msg(
    "Pegawai ini tidak bekerja di unit kerja yang dipilih.",
    "The employee does not work in the agency named.",
)


def contact_visible(principal: Principal, complaint: Complaint) -> bool:
    """Officers handling the complaint (it is in their scope, which the caller's reading it
    proves) and the employee it is assigned to; never a superadmin, who reads every region's
    complaints but handles none."""
    if principal.is_superadmin:
        return False
    if principal.has_any(Role.COMPLAINT_OFFICER):
        return True
    return (
        principal.employee_id is not None
        and principal.employee_id == complaint.assignee_employee_id
    )


def _handles(principal: Principal, complaint: Complaint) -> bool:
    if principal.has_any(Role.COMPLAINT_OFFICER, Role.AGENCY_ADMIN):
        return True
    return principal.employee_id is not None and (
        principal.employee_id == complaint.assignee_employee_id
    )


async def complaints_query(
    session: AsyncSession, principal: Principal, filters: ComplaintFilters, sort: ComplaintSort
) -> ListQuery:
    return list_query(
        repository.readable_complaints(principal),
        _LIST,
        sort,
        cursor_filters=asdict(filters),
        equal={
            Complaint.status: filters.status,
            Complaint.category: filters.category,
            Complaint.agency_id: filters.agency_id,
            Complaint.assignee_employee_id: filters.assignee_employee_id,
        },
        where=_conditions(filters),
        subtree=await repository.under(session, principal, filters.under),
        updated_at=Complaint.updated_at,
        updated_since=filters.updated_since,
    )


async def complaint_views(
    _session: AsyncSession, principal: Principal, complaints: Sequence[Complaint]
) -> list[ComplaintOut]:
    return [staff_view(principal, complaint) for complaint in complaints]


async def list_complaints(
    session: AsyncSession,
    principal: Principal,
    *,
    filters: ComplaintFilters,
    sort: ComplaintSort,
    page: PageParams,
) -> tuple[list[ComplaintOut], str | None]:
    query = await complaints_query(session, principal, filters, sort)
    complaints, cursor = await page_of(session, query, page)
    return await complaint_views(session, principal, complaints), cursor


def _conditions(filters: ComplaintFilters) -> list[ColumnElement[bool] | None]:
    assigned = Complaint.assignee_employee_id.is_not(None)
    return [
        None if filters.overdue is None else repository.overdue(filters.overdue),
        None if filters.assigned is None else assigned if filters.assigned else ~assigned,
        None
        if filters.submitted_from is None
        else Complaint.submitted_at >= filters.submitted_from,
        None
        if filters.submitted_before is None
        else Complaint.submitted_at < filters.submitted_before,
    ]


async def get_complaint(
    session: AsyncSession, principal: Principal, complaint_id: uuid.UUID
) -> Complaint:
    complaint = await repository.find(session, principal, complaint_id)
    if complaint is None:
        raise not_found("Complaint")
    return complaint


async def responses_of(session: AsyncSession, complaint: Complaint) -> list[ComplaintResponse]:
    return await repository.responses_of(session, complaint)


async def _open_for(
    session: AsyncSession,
    principal: Principal,
    complaint_id: uuid.UUID,
    if_match: str | None,
    action: str,
    allowed: frozenset[ComplaintStatus] = OPEN,
) -> Complaint:
    complaint = await get_complaint(session, principal, complaint_id)
    check_if_match(if_match, complaint.version)
    if complaint.status not in allowed:
        raise transition_refused(complaint, action)
    return complaint


async def _agency_in_region(
    session: AsyncSession, region_id: uuid.UUID, agency_id: uuid.UUID
) -> None:
    if not await repository.agency_in_region(session, region_id, agency_id):
        raise field_problem("body.agency_id", _AGENCY_UNKNOWN, code="not_found")


def _note(
    complaint: Complaint, principal: Principal, body: str, visibility: str
) -> ComplaintResponse:
    return ComplaintResponse(
        region_id=complaint.region_id,
        complaint_id=complaint.id,
        visibility=visibility,
        body=body,
        author_user_id=principal.id,
        # The clock rather than the transaction's start, so a thread reads in the order written.
        created_at=clock.utc_now(),
    )


async def _save(session: AsyncSession, complaint: Complaint) -> None:
    # Every action, a response included, moves the version on, so If-Match protects them all.
    complaint.updated_at = func.now()
    await session.flush()


async def triage(
    session: AsyncSession,
    principal: Principal,
    complaint_id: uuid.UUID,
    data: TriageIn,
    if_match: str | None,
) -> Complaint:
    complaint = await _open_for(session, principal, complaint_id, if_match, "triaged", TRIAGEABLE)
    before = snapshot(complaint, AUDITED)
    readers = _readers(complaint)
    if data.agency_id is not None:
        await _agency_in_region(session, complaint.region_id, data.agency_id)
        complaint.agency_id = data.agency_id
    if data.category is not None:
        complaint.category = data.category
    complaint.status = ComplaintStatus.TRIAGED
    if data.note is not None:
        session.add(_note(complaint, principal, data.note, ResponseVisibility.INTERNAL))
    await _save(session, complaint)
    await _left_sight(session, complaint, readers)
    await changed(session, principal, complaint, "triaged", before=before)
    return complaint


async def assign(
    session: AsyncSession,
    principal: Principal,
    complaint_id: uuid.UUID,
    data: AssignIn,
    if_match: str | None,
) -> Complaint:
    """Hands the complaint to an agency, an employee, or an employee of the agency named. A
    new agency alone takes it from the employee who had it (and with it their access to the
    citizen's contact details)."""
    complaint = await _open_for(session, principal, complaint_id, if_match, "assigned")
    before = snapshot(complaint, AUDITED)
    readers = _readers(complaint)
    if data.agency_id is not None:
        await _agency_in_region(session, complaint.region_id, data.agency_id)
    employee_agency = None
    if data.assignee_employee_id is not None:
        employee_agency = await _assignee_agency(
            session, complaint, data.assignee_employee_id, data.agency_id
        )
    complaint.agency_id = data.agency_id or employee_agency
    complaint.assignee_employee_id = data.assignee_employee_id
    complaint.status = ComplaintStatus.ASSIGNED
    await _save(session, complaint)
    await _left_sight(session, complaint, readers)
    await changed(session, principal, complaint, "assigned", before=before)
    return complaint


def _readers(complaint: Complaint) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """Who the complaint is with: its agency and its assignee."""
    return complaint.agency_id, complaint.assignee_employee_id


async def _left_sight(
    session: AsyncSession,
    complaint: Complaint,
    former: tuple[uuid.UUID | None, uuid.UUID | None],
) -> None:
    """A complaint handed to another agency or employee leaves the sight of the former ones
    (tombstones for syncing clients)."""
    agency_id, assignee_id = former
    await complaint_reassigned(
        session,
        region_id=complaint.region_id,
        complaint_id=complaint.id,
        former_agency_id=agency_id if agency_id != complaint.agency_id else None,
        former_assignee_id=assignee_id if assignee_id != complaint.assignee_employee_id else None,
    )


async def _assignee_agency(
    session: AsyncSession,
    complaint: Complaint,
    employee_id: uuid.UUID,
    agency_id: uuid.UUID | None,
) -> uuid.UUID:
    """The agency of the active employee named, who must work in the agency named with them."""
    employee_agency = await repository.active_employee_agency(
        session, complaint.region_id, employee_id
    )
    if employee_agency is None:
        raise field_problem("body.assignee_employee_id", _EMPLOYEE_UNKNOWN, code="not_found")
    if agency_id is not None and employee_agency != agency_id:
        raise field_problem("body.assignee_employee_id", _NOT_IN_AGENCY)
    return employee_agency


async def respond(
    session: AsyncSession,
    principal: Principal,
    complaint_id: uuid.UUID,
    data: RespondIn,
    if_match: str | None,
) -> Complaint:
    complaint = await _open_for(session, principal, complaint_id, if_match, "answered")
    if not _handles(principal, complaint):
        raise forbidden("Complaint")
    session.add(_note(complaint, principal, data.body, data.visibility))
    await _save(session, complaint)
    await changed(session, principal, complaint, "responded")
    return complaint


async def resolve(
    session: AsyncSession,
    principal: Principal,
    complaint_id: uuid.UUID,
    data: ResolveIn,
    if_match: str | None,
) -> Complaint:
    complaint = await _open_for(session, principal, complaint_id, if_match, "resolved")
    before = snapshot(complaint, AUDITED)
    complaint.status = ComplaintStatus.RESOLVED
    complaint.resolved_at = clock.utc_now()
    session.add(_note(complaint, principal, data.resolution, ResponseVisibility.PUBLIC))
    await _save(session, complaint)
    await changed(session, principal, complaint, "resolved", before=before)
    return complaint


def staff_view(principal: Principal, complaint: Complaint) -> ComplaintOut:
    """The complaint as staff see it: contact details only for those handling it."""
    has_contact = any((complaint.contact_name, complaint.contact_phone, complaint.contact_email))
    visible = has_contact and contact_visible(principal, complaint)
    contact = (
        ContactOut(
            name=complaint.contact_name,
            phone=complaint.contact_phone,
            email=complaint.contact_email,
        )
        if visible
        else None
    )
    return ComplaintOut.model_validate(
        {
            **{
                field: getattr(complaint, field)
                for field in ComplaintOut.model_fields
                if field not in ("tracking_code", "overdue", "contact", "contact_hidden")
            },
            "tracking_code": grouped(complaint.tracking_code),
            "overdue": is_overdue(complaint),
            "contact": contact,
            "contact_hidden": has_contact and not visible,
        }
    )
