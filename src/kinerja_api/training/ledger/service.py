"""The yearly JP ledger: external JP recorded by the region's training and region
administrators, an employee's year against the minimum, and the compliance report of an agency
subtree. The year is always the calendar year of the region's zone (`jp.counting_year`)."""

import uuid
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import not_found
from kinerja_api.auth.principal import Principal
from kinerja_api.core import clock
from kinerja_api.core.audit import record_entity
from kinerja_api.core.events import publish
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import ListOf, ListQuery, list_query, page_of
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.core.problems import field_problem
from kinerja_api.models.org import Agency, Employee, Region
from kinerja_api.models.training import JpLedgerEntry, JpSource
from kinerja_api.org.agencies.service import in_subtree, readable_subtree_path
from kinerja_api.training import jp
from kinerja_api.training.events import JpRecordedEventData
from kinerja_api.training.ledger import repository
from kinerja_api.training.ledger.schemas import (
    ActivityOut,
    CompetencyOut,
    CompliancePage,
    ComplianceQuery,
    ComplianceRowOut,
    ComplianceSort,
    JpEntryCreate,
    JpEntryOut,
)
from kinerja_api.training.localtime import as_instant

ENTITY = "jp_ledger_entry"
AUDITED = ("employee_id", "year", "jp", "source", "activity", "completed_on", "evidence")
_LIST = ListOf("jp-compliance", {ComplianceSort.NAME: Keyset((Employee.name, Employee.id))})
_AGENCY_REQUIRED = Msg(
    "Sebutkan agency_id: laporan dibuat untuk satu wilayah.",
    "Name the agency_id: the report is of one region.",
)
_OUT_OF_RANGE = Msg(
    "Kegiatan harus berakhir antara tahun 2000 dan 2100.",
    "The activity must end between the years 2000 and 2100.",
)


def _year(year: int | None, zone: str) -> int:
    return year if year is not None else clock.utc_now().astimezone(ZoneInfo(zone)).year


def entry_out(entry: JpLedgerEntry) -> JpEntryOut:
    return JpEntryOut.model_validate(entry)


async def record_external(
    session: AsyncSession, principal: Principal, employee_id: uuid.UUID, data: JpEntryCreate
) -> JpLedgerEntry:
    """Writes the external entry in the year (and on the day) of the region's zone in which
    the activity ended."""
    employee = await repository.find_employee(
        session, principal, employee_id, repository.recording(principal)
    )
    if employee is None:
        raise not_found("Employee")
    ended_at = as_instant(data.ended_at, employee.timezone)
    year = jp.counting_year(ended_at, employee.timezone)
    if not jp.FIRST_LEDGER_YEAR <= year <= jp.LAST_LEDGER_YEAR:
        raise field_problem("body.ended_at", _OUT_OF_RANGE, code="out_of_range")
    entry = JpLedgerEntry(
        region_id=employee.region_id,
        employee_id=employee.id,
        year=year,
        jp=data.jp,
        source=JpSource.EXTERNAL,
        activity=data.activity,
        completed_on=ended_at.astimezone(ZoneInfo(employee.timezone)).date(),
        evidence=data.evidence,
        recorded_by=principal.id if principal.kind == "user" else None,
    )
    session.add(entry)
    await session.flush()
    await record_entity(session, principal, ENTITY, "recorded", entry, AUDITED)
    await publish(
        session,
        "training.jp_recorded",
        region_id=entry.region_id,
        entity_type=ENTITY,
        entity_id=entry.id,
        employee_id=entry.employee_id,
        agency_id=employee.agency_id,
        payload=JpRecordedEventData(
            entry_id=entry.id,
            employee_id=entry.employee_id,
            year=entry.year,
            jp=entry.jp,
            activity=entry.activity,
        ),
    )
    return entry


def _ended(row: Any, zone: ZoneInfo) -> datetime:
    """An entry keeps the day it ended (in the region's zone): noon of that day stands for
    the instant, which lies in the same year of the zone."""
    return datetime.combine(row.completed_on, time(12), tzinfo=zone).astimezone(UTC)


async def competency(
    session: AsyncSession, principal: Principal, employee_id: uuid.UUID, year: int | None
) -> CompetencyOut:
    employee = await repository.find_employee(
        session, principal, employee_id, repository.readable(principal)
    )
    if employee is None:
        raise not_found("Employee")
    counted = _year(year, employee.timezone)
    rows = await repository.year_entries(session, employee.region_id, employee.id, counted)
    zone = ZoneInfo(employee.timezone)
    entries = [
        jp.LedgerEntry(
            source=JpSource(row.source),
            source_id=row.enrollment_id or row.id,
            jp=Decimal(row.jp),
            ended_at=_ended(row, zone),
        )
        for row in rows
    ]
    summary = jp.ledger_summary(entries, counted, employee.employment_type, zone=zone)
    return CompetencyOut(
        employee_id=employee.id,
        employment_type=employee.employment_type,
        year=counted,
        timezone=employee.timezone,
        total_jp=summary.total_jp,
        minimum_jp=summary.minimum,
        shortfall_jp=summary.shortfall,
        activities=[
            ActivityOut(
                entry_id=row.id,
                source=JpSource(row.source),
                activity=row.activity,
                jp=row.jp,
                completed_on=row.completed_on,
                enrollment_id=row.enrollment_id,
                session_id=row.session_id,
                program_id=row.program_id,
                program_kind=row.program_kind,
                competency_area=row.competency_area,
                evidence=row.evidence,
            )
            for row in rows
        ],
    )


async def _report_zone(
    session: AsyncSession, principal: Principal, agency_id: uuid.UUID | None
) -> tuple[str, str | None]:
    """The zone of the region reported on, and the subtree's root path (None: the caller's
    whole scope). An agency the caller cannot read is a 404."""
    if agency_id is None:
        if principal.region_id is None:
            raise field_problem("query.agency_id", _AGENCY_REQUIRED, code="required")
        zone = await session.scalar(select(Region.timezone).where(Region.id == principal.region_id))
        return str(zone), None
    path = await readable_subtree_path(session, principal, agency_id)
    if path is None:
        raise not_found("Agency")
    zone = await session.scalar(
        select(Region.timezone)
        .join(Agency, Agency.region_id == Region.id)
        .where(Agency.id == agency_id)
    )
    return str(zone), path


def _row_out(row: Any) -> ComplianceRowOut:
    total = Decimal(row.total_jp)
    minimum = jp.minimum_for(row.employment_type)
    return ComplianceRowOut(
        employee_id=row.id,
        name=row.name,
        nip=row.nip,
        agency_id=row.agency_id,
        employment_type=row.employment_type,
        total_jp=total,
        minimum_jp=minimum,
        shortfall_jp=None if minimum is None else max(minimum - total, Decimal(0)),
    )


async def _compliance_report(
    session: AsyncSession, principal: Principal, query: ComplianceQuery
) -> tuple[ListQuery, int, str]:
    """The report's statement (the employees and their sums), its year and its zone."""
    zone, path = await _report_zone(session, principal, query.agency_id)
    year = _year(query.year, zone)
    listed = list_query(
        repository.compliance_rows(principal, year),
        _LIST,
        ComplianceSort.NAME,
        cursor_filters={**asdict(query), "year": year},
        where=(
            in_subtree(Employee.agency_id, path) if path is not None else None,
            repository.short_of_minimum(year) if query.only_short else None,
        ),
        rows=True,
    )
    return listed, year, zone


async def compliance_query(
    session: AsyncSession, principal: Principal, query: ComplianceQuery, _sort: ComplianceSort
) -> ListQuery:
    listed, _year_reported, _zone = await _compliance_report(session, principal, query)
    return listed


async def compliance_views(
    _session: AsyncSession, _principal: Principal, rows: Sequence[Any]
) -> list[ComplianceRowOut]:
    return [_row_out(row) for row in rows]


async def compliance(
    session: AsyncSession, principal: Principal, query: ComplianceQuery, page: PageParams
) -> CompliancePage:
    """A page of the subtree's active employees by name, each with the year's JP and
    shortfall: one statement (the employees and their sums)."""
    listed, year, zone = await _compliance_report(session, principal, query)
    rows, cursor = await page_of(session, listed, page)
    items = await compliance_views(session, principal, rows)
    return CompliancePage(year=year, timezone=zone, items=items, next_cursor=cursor)
