import uuid
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.audit.service import record_entity, snapshot
from kinerja_api.auth.policies import forbidden, in_region, not_found
from kinerja_api.auth.principal import Principal
from kinerja_api.auth.tenancy import enter_all_regions, enter_region
from kinerja_api.core import clock
from kinerja_api.core.etag import check_if_match
from kinerja_api.core.events import publish
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import ListOf, Subtree, list_page
from kinerja_api.core.pagination import CursorCodec, Keyset, PageParams
from kinerja_api.core.problems import INVALID_TRANSITION, Problem, field_problem
from kinerja_api.feedback import abuse, public, workdays
from kinerja_api.feedback.codes import (
    TRACKING_CODE_LENGTH,
    grouped,
    insert_with_code,
    normalize,
    random_code,
)
from kinerja_api.feedback.complaints.schemas import (
    AssignIn,
    ComplaintFilters,
    ComplaintOut,
    ComplaintReceipt,
    ComplaintSort,
    ComplaintSubmit,
    ContactOut,
    PublicComplaintOut,
    PublicResponseOut,
    ReopenIn,
    ResolveIn,
    RespondIn,
    TriageIn,
)
from kinerja_api.feedback.scope import staff_scope
from kinerja_api.models.feedback import (
    Complaint,
    ComplaintResponse,
    ComplaintStatus,
    Holiday,
    ResponseVisibility,
    ServiceUnit,
)
from kinerja_api.models.org import Agency, Employee, Role
from kinerja_api.org.agencies.service import in_subtree

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
TRACKING_INDEXES = ("uq_complaints_tracking_code",)
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
_UNIT_UNKNOWN = Msg(
    "Kode unit layanan tidak dikenal atau tidak aktif.",
    "The service unit code is unknown or inactive.",
)
_REGION_UNKNOWN = Msg("Wilayah tidak dikenal.", "The region is unknown.")
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
_NOT_NOW = Msg(
    "Pengaduan berstatus {status} tidak dapat di-{action}.",
    "A complaint that is {status} cannot be {action}.",
)
_REOPEN_CLOSED = Msg(
    "Pengaduan hanya dapat dibuka kembali dalam {days} hari setelah diselesaikan.",
    "A complaint can only be reopened within {days} days of its resolution.",
)


# --- deadlines ----------------------------------------------------------------------------


async def due_at(
    session: AsyncSession, request: Request, region_id: uuid.UUID, start: datetime
) -> datetime:
    """`complaint_due_working_days` working days after `start`'s day in the region's calendar."""
    days = abuse.settings_of(request).complaint_due_working_days
    return await region_deadline(session, region_id, start, days)


async def region_deadline(
    session: AsyncSession, region_id: uuid.UUID, start: datetime, working_days: int
) -> datetime:
    """`working_days` working days after `start`'s day, in the region's zone and calendar."""
    zone = ZoneInfo(await clock.region_zone(session, region_id))
    first, last = workdays.horizon(start, zone, working_days)
    holidays = set(
        await session.scalars(
            select(Holiday.date).where(
                Holiday.region_id == region_id, Holiday.date.between(first, last)
            )
        )
    )
    return workdays.deadline(start, zone, holidays, working_days).due_at


# --- public -------------------------------------------------------------------------------


async def _place(
    session: AsyncSession, data: ComplaintSubmit
) -> tuple[uuid.UUID, ServiceUnit | None]:
    if data.unit_code is not None:
        unit = await public.active_unit(session, data.unit_code)
        if unit is None:
            raise field_problem("body.unit_code", _UNIT_UNKNOWN, code="not_found")
        return unit.region_id, unit
    assert data.region_code is not None  # the schema requires one of the two
    region = await public.active_region(session, data.region_code)
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
    await _changed(session, None, complaint, "submitted")
    return ComplaintReceipt(
        tracking_code=grouped(complaint.tracking_code),
        status=ComplaintStatus(complaint.status),
        submitted_at=complaint.submitted_at,
        due_at=complaint.due_at,
    )


async def _by_tracking_code(session: AsyncSession, code: str) -> Complaint:
    await enter_all_regions(session)
    complaint: Complaint | None = await session.scalar(
        select(Complaint).where(Complaint.tracking_code == normalize(code))
    )
    await enter_region(session, complaint.region_id if complaint is not None else None)
    if complaint is None:
        raise not_found("Complaint")
    return complaint


def _reopen_until(request: Request, complaint: Complaint) -> datetime | None:
    if complaint.status != ComplaintStatus.RESOLVED or complaint.resolved_at is None:
        return None
    return complaint.resolved_at + timedelta(days=abuse.settings_of(request).complaint_reopen_days)


async def public_view(session: AsyncSession, request: Request, code: str) -> PublicComplaintOut:
    complaint = await _by_tracking_code(session, code)
    return await _public_out(session, request, complaint)


async def _public_out(
    session: AsyncSession, request: Request, complaint: Complaint
) -> PublicComplaintOut:
    unit_name = None
    if complaint.service_unit_id is not None:
        unit_name = await session.scalar(
            select(ServiceUnit.name).where(ServiceUnit.id == complaint.service_unit_id)
        )
    responses = await session.scalars(
        select(ComplaintResponse)
        .where(
            ComplaintResponse.region_id == complaint.region_id,
            ComplaintResponse.complaint_id == complaint.id,
            ComplaintResponse.visibility == ResponseVisibility.PUBLIC,
        )
        .order_by(ComplaintResponse.created_at, ComplaintResponse.id)
    )
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
        reopen_until=_reopen_until(request, complaint),
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
    until = _reopen_until(request, complaint)
    if until is None:
        raise _transition_refused(complaint, "reopened")
    now = clock.utc_now()
    if now > until:
        days = abuse.settings_of(request).complaint_reopen_days
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
    await _changed(session, None, complaint, "reopened", before=before)
    return await _public_out(session, request, complaint)


# --- staff --------------------------------------------------------------------------------


def is_overdue(complaint: Complaint) -> bool:
    return complaint.status != ComplaintStatus.RESOLVED and complaint.due_at < clock.utc_now()


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


def _visible(principal: Principal) -> ColumnElement[bool]:
    """Staff in scope, and the employee a complaint is assigned to."""
    staff = staff_scope(principal, Complaint.region_id, Complaint.agency_id)
    if principal.kind != "user" or principal.employee_id is None:
        return staff
    assigned = and_(
        in_region(principal, Complaint.region_id),
        Complaint.assignee_employee_id == principal.employee_id,
    )
    return or_(staff, assigned)


def _handles(principal: Principal, complaint: Complaint) -> bool:
    if principal.has_any(Role.COMPLAINT_OFFICER, Role.AGENCY_ADMIN):
        return True
    return principal.employee_id is not None and (
        principal.employee_id == complaint.assignee_employee_id
    )


def _overdue_clause(overdue: bool) -> ColumnElement[bool]:
    late = and_(Complaint.status != ComplaintStatus.RESOLVED, Complaint.due_at < func.now())
    return late if overdue else ~late


async def list_complaints(
    session: AsyncSession,
    principal: Principal,
    *,
    filters: ComplaintFilters,
    sort: ComplaintSort,
    page: PageParams,
    codec: CursorCodec,
) -> tuple[list[Complaint], str | None]:
    return await list_page(
        session,
        select(Complaint).where(_visible(principal)),
        _LIST,
        sort,
        cursor_filters=asdict(filters),
        page=page,
        codec=codec,
        equal={
            Complaint.status: filters.status,
            Complaint.category: filters.category,
            Complaint.agency_id: filters.agency_id,
            Complaint.assignee_employee_id: filters.assignee_employee_id,
        },
        where=_conditions(filters),
        subtree=await _under(session, principal, filters.under),
        updated_at=Complaint.updated_at,
        updated_since=filters.updated_since,
    )


async def _under(
    session: AsyncSession, principal: Principal, root_id: uuid.UUID | None
) -> Subtree | None:
    if root_id is None:
        return None
    root_path = await session.scalar(
        # The rows stay those the caller may read; the agency only has to be of their region.
        select(Agency.path).where(Agency.id == root_id, in_region(principal, Agency.region_id))
    )
    return Subtree(None if root_path is None else in_subtree(Complaint.agency_id, root_path))


def _conditions(filters: ComplaintFilters) -> list[ColumnElement[bool] | None]:
    assigned = Complaint.assignee_employee_id.is_not(None)
    return [
        None if filters.overdue is None else _overdue_clause(filters.overdue),
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
    complaint: Complaint | None = await session.scalar(
        select(Complaint).where(Complaint.id == complaint_id, _visible(principal))
    )
    if complaint is None:
        raise not_found("Complaint")
    return complaint


async def responses_of(session: AsyncSession, complaint: Complaint) -> list[ComplaintResponse]:
    rows = await session.scalars(
        select(ComplaintResponse)
        .where(
            ComplaintResponse.region_id == complaint.region_id,
            ComplaintResponse.complaint_id == complaint.id,
        )
        .order_by(ComplaintResponse.created_at, ComplaintResponse.id)
    )
    return list(rows)


def _transition_refused(complaint: Complaint, action: str) -> Problem:
    return Problem(
        INVALID_TRANSITION, _NOT_NOW, params={"status": complaint.status, "action": action}
    )


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
        raise _transition_refused(complaint, action)
    return complaint


async def _changed(
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
        payload={"status": complaint.status, "category": complaint.category},
    )


async def _agency_in_region(
    session: AsyncSession, region_id: uuid.UUID, agency_id: uuid.UUID
) -> None:
    found = await session.scalar(
        select(Agency.id).where(Agency.id == agency_id, Agency.region_id == region_id)
    )
    if found is None:
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
    if data.agency_id is not None:
        await _agency_in_region(session, complaint.region_id, data.agency_id)
        complaint.agency_id = data.agency_id
    if data.category is not None:
        complaint.category = data.category
    complaint.status = ComplaintStatus.TRIAGED
    if data.note is not None:
        session.add(_note(complaint, principal, data.note, ResponseVisibility.INTERNAL))
    await _save(session, complaint)
    await _changed(session, principal, complaint, "triaged", before=before)
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
    if data.agency_id is not None:
        await _agency_in_region(session, complaint.region_id, data.agency_id)
    employee_agency = None
    if data.assignee_employee_id is not None:
        employee_agency = await _assignee_agency(session, complaint, data)
    complaint.agency_id = data.agency_id or employee_agency
    complaint.assignee_employee_id = data.assignee_employee_id
    complaint.status = ComplaintStatus.ASSIGNED
    await _save(session, complaint)
    await _changed(session, principal, complaint, "assigned", before=before)
    return complaint


async def _assignee_agency(
    session: AsyncSession, complaint: Complaint, data: AssignIn
) -> uuid.UUID:
    """The agency of the active employee named, who must work in the agency named with them."""
    employee_agency: uuid.UUID | None = await session.scalar(
        select(Employee.agency_id).where(
            Employee.id == data.assignee_employee_id,
            Employee.region_id == complaint.region_id,
            Employee.active,
        )
    )
    if employee_agency is None:
        raise field_problem("body.assignee_employee_id", _EMPLOYEE_UNKNOWN, code="not_found")
    if data.agency_id is not None and employee_agency != data.agency_id:
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
    await _changed(session, principal, complaint, "responded")
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
    await _changed(session, principal, complaint, "resolved", before=before)
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
