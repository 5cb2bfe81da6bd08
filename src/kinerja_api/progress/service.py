"""Progress reports: create on an approved plan's indicator, edit or withdraw while pending,
verification by the supervisor chain. Each change is audited and announced on the outbox."""

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import (
    forbidden,
    is_supervisor_of,
    not_found,
    region_of,
)
from kinerja_api.auth.principal import Principal
from kinerja_api.core import clock
from kinerja_api.core.audit import record_entity, snapshot
from kinerja_api.core.etag import check_if_match
from kinerja_api.core.events import EventData, publish
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import ListOf, ListQuery, list_query, page_of
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.core.problems import INVALID_TRANSITION, Problem, field_problem
from kinerja_api.models.org import Role
from kinerja_api.models.plans import Indicator, Period, Plan, Target
from kinerja_api.models.progress import REPORTABLE, ProgressReport, ReportStatus
from kinerja_api.org.agencies import service as agencies
from kinerja_api.plans.api import find_readable_plan, quarter_of, require_open, touch_plan
from kinerja_api.progress import repository
from kinerja_api.progress.events import ProgressEventData, ProgressVerifiedEventData
from kinerja_api.progress.repository import READ_SCOPE
from kinerja_api.progress.schemas import (
    Decision,
    EvidenceCreate,
    ProgressFilters,
    ProgressReportCreate,
    ProgressReportOut,
    ProgressReportUpdate,
    ProgressSort,
    VerifyRequest,
)

ENTITY = "progress_report"
# numeric(18, 4): answers show the value as it is stored, without re-reading the row.
VALUE_SCALE = Decimal("0.0001")
AUDITED = (
    "plan_id",
    "indicator_id",
    "value",
    "reported_for",
    "note",
    "evidence",
    "status",
    "verified_by",
    "verification_note",
)
_LIST = ListOf(
    "progress-reports",
    {
        ProgressSort.UPDATED_AT: Keyset((ProgressReport.updated_at, ProgressReport.id)),
        ProgressSort.REPORTED_FOR: Keyset((ProgressReport.reported_for, ProgressReport.id)),
    },
)
_NOT_APPROVED = Msg(
    "Realisasi hanya dapat dilaporkan pada SKP yang sudah disetujui.",
    "Progress can only be reported on an approved plan.",
)
_OUTSIDE_PERIOD = Msg(
    "Tanggal realisasi harus berada dalam tahun periode {year}.",
    "The reported date must lie in the period's year {year}.",
)
_IN_FUTURE = Msg(
    "Tanggal realisasi tidak boleh di masa depan.", "The reported date cannot be in the future."
)
_NOT_PENDING = Msg(
    "Laporan ini sudah {status}; hanya laporan yang menunggu yang dapat diubah.",
    "This report is already {status}; only pending reports can change.",
)
_NOTE_REQUIRED = Msg(
    "Sertakan catatan saat menolak laporan.", "Give a note when rejecting a report."
)
_INDICATOR_UNKNOWN = Msg("Indikator tidak ditemukan.", "The indicator does not exist.")


@dataclass(frozen=True, slots=True)
class _Context:
    """An indicator with the plan, target and period it belongs to."""

    indicator: Indicator
    target: Target
    plan: Plan
    period: Period
    timezone: str


async def _indicator_context(
    session: AsyncSession, principal: Principal, indicator_id: uuid.UUID
) -> _Context:
    row = await repository.indicator_context(session, indicator_id, region_of(principal))
    if row is None:
        raise field_problem("body.indicator_id", _INDICATOR_UNKNOWN, code="not_found")
    context = _Context(*row)
    if context.plan.employee_id == principal.employee_id:
        return context
    # Only the plan's employee reports; its other readers (supervisors, administrators) are
    # refused, and everyone else learns nothing about the indicator.
    if await find_readable_plan(session, principal, context.plan.id, scope=READ_SCOPE) is None:
        raise field_problem("body.indicator_id", _INDICATOR_UNKNOWN, code="not_found")
    raise forbidden("ProgressReport")


def _check_reportable(context: _Context) -> None:
    if context.plan.status not in REPORTABLE:
        raise Problem(INVALID_TRANSITION, _NOT_APPROVED)
    require_open(context.period)


async def _require_open_period(session: AsyncSession, plan_id: uuid.UUID) -> None:
    """A closed period accepts no progress: no new report, edit, withdrawal or verification."""
    period = await repository.period_of_plan_for_share(session, plan_id)
    if period is None:
        raise not_found("Period")
    require_open(period)


def _check_date(reported_for: date, year: int, today: date) -> None:
    if reported_for.year != year:
        raise field_problem(
            "body.reported_for",
            Msg(_OUTSIDE_PERIOD.id.format(year=year), _OUTSIDE_PERIOD.en.format(year=year)),
        )
    if reported_for > today:
        raise field_problem("body.reported_for", _IN_FUTURE)


def _evidence(items: list[EvidenceCreate]) -> list[dict[str, Any]]:
    return [item.model_dump(mode="json") for item in items]


def _event_data(event_type: str, report: ProgressReport) -> EventData:
    """What every progress event carries: ids and figures, never names or NIPs; a verification
    adds the verifier's note."""
    figures = ProgressEventData(
        report_id=report.id,
        plan_id=report.plan_id,
        target_id=report.target_id,
        indicator_id=report.indicator_id,
        employee_id=report.employee_id,
        agency_id=report.agency_id,
        value=report.value,
        reported_for=report.reported_for,
        year=report.year,
        quarter=report.quarter,
        status=ReportStatus(report.status),
    )
    if event_type == "progress.verified":
        return ProgressVerifiedEventData(
            **figures.model_dump(), verification_note=report.verification_note
        )
    return figures


async def _announce(
    session: AsyncSession, event_type: str, report: ProgressReport, *, public: bool = False
) -> None:
    await publish(
        session,
        event_type,
        region_id=report.region_id,
        entity_type=ENTITY,
        entity_id=report.id,
        payload=_event_data(event_type, report),
        employee_id=report.employee_id,
        agency_id=report.agency_id,
        public=public,
    )


async def create_report(
    session: AsyncSession, principal: Principal, data: ProgressReportCreate
) -> ProgressReport:
    context = await _indicator_context(session, principal, data.indicator_id)
    _check_reportable(context)
    today = clock.today_in(context.timezone)
    reported_for = data.reported_for or today
    _check_date(reported_for, context.period.year, today)
    report = ProgressReport(
        region_id=context.plan.region_id,
        plan_id=context.plan.id,
        target_id=context.target.id,
        indicator_id=context.indicator.id,
        employee_id=context.plan.employee_id,
        agency_id=context.plan.agency_id,
        value=data.value.quantize(VALUE_SCALE),
        reported_for=reported_for,
        year=reported_for.year,
        quarter=quarter_of(reported_for),
        note=data.note,
        evidence=_evidence(data.evidence),
    )
    session.add(report)
    # The insert's RETURNING brings back the server defaults (id, timestamps, version, status).
    await session.flush()
    await record_entity(session, principal, ENTITY, "created", report, AUDITED)
    await _announce(session, "progress.reported", report)
    return report


async def reports_query(
    _session: AsyncSession, principal: Principal, filters: ProgressFilters, sort: ProgressSort
) -> ListQuery:
    return list_query(
        repository.readable_reports(principal),
        _LIST,
        sort,
        cursor_filters=asdict(filters),
        equal={
            ProgressReport.employee_id: filters.employee_id,
            ProgressReport.plan_id: filters.plan_id,
            ProgressReport.indicator_id: filters.indicator_id,
            ProgressReport.year: filters.year,
            ProgressReport.quarter: filters.quarter,
            ProgressReport.status: filters.status,
        },
        subtree=agencies.subtree(principal, filters.under, ProgressReport.agency_id),
        updated_at=ProgressReport.updated_at,
        updated_since=filters.updated_since,
    )


async def report_views(
    _session: AsyncSession, _principal: Principal, reports: Sequence[ProgressReport]
) -> list[ProgressReportOut]:
    return [ProgressReportOut.model_validate(report) for report in reports]


async def list_reports(
    session: AsyncSession,
    principal: Principal,
    *,
    filters: ProgressFilters,
    sort: ProgressSort,
    page: PageParams,
) -> tuple[list[ProgressReportOut], str | None]:
    query = await reports_query(session, principal, filters, sort)
    reports, cursor = await page_of(session, query, page)
    return await report_views(session, principal, reports), cursor


async def get_report(
    session: AsyncSession, principal: Principal, report_id: uuid.UUID, *, lock: bool = False
) -> ProgressReport:
    report = await repository.find(session, principal, report_id, lock=lock)
    if report is None:
        raise not_found("ProgressReport")
    return report


async def _own_pending(
    session: AsyncSession, principal: Principal, report_id: uuid.UUID, if_match: str | None
) -> ProgressReport:
    report = await get_report(session, principal, report_id, lock=True)
    if report.employee_id != principal.employee_id:
        raise forbidden("ProgressReport")
    check_if_match(if_match, report.version)
    _require_pending(report)
    await _require_open_period(session, report.plan_id)
    return report


def _require_pending(report: ProgressReport) -> None:
    if report.status != ReportStatus.PENDING:
        raise Problem(INVALID_TRANSITION, _NOT_PENDING, params={"status": report.status})


async def update_report(
    session: AsyncSession,
    principal: Principal,
    report_id: uuid.UUID,
    data: ProgressReportUpdate,
    if_match: str | None,
) -> ProgressReport:
    report = await _own_pending(session, principal, report_id, if_match)
    changes = data.changes()
    if "reported_for" in changes:
        period_year = await repository.period_year(session, report.plan_id)
        reported_for: date = changes["reported_for"]
        _check_date(
            reported_for, int(period_year or 0), await clock.region_today(session, report.region_id)
        )
        changes["year"], changes["quarter"] = reported_for.year, quarter_of(reported_for)
    if data.evidence is not None:
        changes["evidence"] = _evidence(data.evidence)
    before = snapshot(report, AUDITED)
    for field, value in changes.items():
        setattr(report, field, value)
    await session.flush()
    await record_entity(session, principal, ENTITY, "updated", report, AUDITED, before=before)
    await _announce(session, "progress.updated", report)
    return report


async def withdraw_report(
    session: AsyncSession, principal: Principal, report_id: uuid.UUID, if_match: str | None
) -> ProgressReport:
    report = await _own_pending(session, principal, report_id, if_match)
    before = snapshot(report, AUDITED)
    report.status = ReportStatus.WITHDRAWN
    await session.flush()
    await record_entity(session, principal, ENTITY, "withdrawn", report, AUDITED, before=before)
    await _announce(session, "progress.withdrawn", report)
    return report


async def _may_verify(session: AsyncSession, principal: Principal, report: ProgressReport) -> bool:
    """The plan owner's supervisor chain, or the plan's approver; for a plan with no approver
    employee (the top of the chain, approved by BKPSDM for the regional head), the region's
    administrators too, as they approved it. Never the owner."""
    verifier = principal.employee_id
    if verifier == report.employee_id and verifier is not None:
        return False
    approver = await repository.approver_of(session, report.plan_id)
    if approver is None and principal.has_any(Role.REGION_ADMIN):
        return True
    if verifier is None:
        return False
    return approver == verifier or await is_supervisor_of(session, verifier, report.employee_id)


async def verify_report(
    session: AsyncSession,
    principal: Principal,
    report_id: uuid.UUID,
    data: VerifyRequest,
    if_match: str | None,
) -> ProgressReport:
    # The approver may have left the chain since approving, so the report is looked up in the
    # region first; anyone who may not verify learns only what they could read anyway.
    report = await repository.get_for_update_in_region(session, principal, report_id)
    if report is None or not await _may_verify(session, principal, report):
        if report is not None and await repository.is_readable(session, principal, report.id):
            raise forbidden("ProgressReport")
        raise not_found("ProgressReport")
    check_if_match(if_match, report.version)
    _require_pending(report)
    await _require_open_period(session, report.plan_id)
    if data.decision == Decision.REJECT and data.note is None:
        raise field_problem("body.note", _NOTE_REQUIRED, code="missing")
    before = snapshot(report, AUDITED)
    accepted = data.decision == Decision.ACCEPT
    report.status = ReportStatus.ACCEPTED if accepted else ReportStatus.REJECTED
    report.verified_by = principal.employee_id
    report.verified_at = clock.utc_now()
    report.verification_note = data.note
    await session.flush()
    await record_entity(session, principal, ENTITY, "verified", report, AUDITED, before=before)
    public = accepted and await repository.target_is_public(session, report.target_id)
    await _announce(session, "progress.verified", report, public=public)
    if accepted:
        # The plan's achievement changed.
        await touch_plan(session, report.region_id, report.plan_id)
    return report
