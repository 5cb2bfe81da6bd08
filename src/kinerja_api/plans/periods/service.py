"""Performance periods: a region's year with its four quarters, open or closed."""

import uuid
from dataclasses import asdict
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import in_region, not_found, region_of
from kinerja_api.auth.principal import Principal
from kinerja_api.core.audit import record_entity, snapshot
from kinerja_api.core.clock import region_zone
from kinerja_api.core.etag import check_if_match
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import ListOf, list_page
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.core.problems import CONFLICT, INVALID_TRANSITION, Problem, ProblemKind
from kinerja_api.models.org import Region
from kinerja_api.models.plans import Period, PeriodStatus
from kinerja_api.plans.periods.schemas import (
    QUARTER_NAMES,
    PeriodCreate,
    PeriodFilters,
    PeriodOut,
    PeriodQuarterOut,
)

AUDITED = ("year", "status")
YEAR_CONSTRAINT = "uq_periods_region_id_year"
_LIST = ListOf("periods", {"year": Keyset((Period.year, Period.id), descending=True)})
_YEAR_TAKEN = Msg(
    "Periode tahun {year} sudah ada di wilayah ini.",
    "A period for {year} already exists in this region.",
)
_TRANSITION = Msg(
    "Periode berstatus {current}; tidak dapat diubah menjadi {attempted}.",
    "The period is {current}; it cannot become {attempted}.",
)
_CLOSED = Msg(
    "Periode {year} sudah ditutup; rencana, sasaran dan indikatornya tidak dapat diubah.",
    "The {year} period is closed; its plans, targets and indicators cannot change.",
)
PERIOD_CLOSED = ProblemKind(
    "period-closed", 409, Msg("Periode sudah ditutup", "The period is closed")
)


def quarters(year: int, zone: str) -> list[PeriodQuarterOut]:
    """Triwulan I-IV, each from local midnight on its first day to the next one's."""
    tz = ZoneInfo(zone)
    starts = [datetime(year, month, 1, tzinfo=tz) for month in (1, 4, 7, 10)]
    ends = [*starts[1:], datetime(year + 1, 1, 1, tzinfo=tz)]
    return [
        PeriodQuarterOut(number=n + 1, name=QUARTER_NAMES[n], starts_at=start, ends_at=end)
        for n, (start, end) in enumerate(zip(starts, ends, strict=True))
    ]


def period_out(period: Period, zone: str) -> PeriodOut:
    parts = quarters(period.year, zone)
    return PeriodOut(
        id=period.id,
        region_id=period.region_id,
        year=period.year,
        status=PeriodStatus(period.status),
        timezone=zone,
        starts_at=parts[0].starts_at,
        ends_at=parts[-1].ends_at,
        quarters=parts,
        version=period.version,
        created_at=period.created_at,
        updated_at=period.updated_at,
    )


def readable(principal: Principal) -> ColumnElement[bool]:
    """Periods are calendar data: everyone in the region reads them."""
    return in_region(principal, Period.region_id)


def closed_problem(year: int) -> Problem:
    return Problem(PERIOD_CLOSED, _CLOSED, params={"year": year})


def require_open(period: Period) -> None:
    if period.status != PeriodStatus.OPEN:
        raise closed_problem(period.year)


async def zones(session: AsyncSession, region_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    rows = await session.execute(
        select(Region.id, Region.timezone).where(Region.id.in_(region_ids))
    )
    return {row[0]: row[1] for row in rows}


async def list_periods(
    session: AsyncSession,
    principal: Principal,
    filters: PeriodFilters,
    *,
    page: PageParams,
) -> tuple[list[PeriodOut], str | None]:
    periods, cursor = await list_page(
        session,
        select(Period).where(readable(principal)),
        _LIST,
        "year",
        cursor_filters=asdict(filters),
        page=page,
        equal={Period.year: filters.year, Period.status: filters.status},
        updated_at=Period.updated_at,
        updated_since=filters.updated_since,
    )
    by_region = await zones(session, {p.region_id for p in periods}) if periods else {}
    return [period_out(p, by_region[p.region_id]) for p in periods], cursor


async def find_period(
    session: AsyncSession, principal: Principal, period_id: uuid.UUID, *, lock: bool = False
) -> Period:
    statement = select(Period).where(Period.id == period_id, readable(principal))
    if lock:
        statement = statement.with_for_update()
    period: Period | None = await session.scalar(statement)
    if period is None:
        raise not_found("Period")
    return period


async def get_period(
    session: AsyncSession, principal: Principal, period_id: uuid.UUID
) -> PeriodOut:
    period = await find_period(session, principal, period_id)
    return period_out(period, await region_zone(session, period.region_id))


async def create_period(
    session: AsyncSession, principal: Principal, data: PeriodCreate
) -> PeriodOut:
    region_id = region_of(principal)
    period = Period(region_id=region_id, year=data.year)
    session.add(period)
    try:
        await session.flush()
    except IntegrityError as exc:
        if YEAR_CONSTRAINT in str(exc.orig):
            raise Problem(CONFLICT, _YEAR_TAKEN, params={"year": data.year}) from exc
        raise
    await record_entity(session, principal, "period", "created", period, AUDITED)
    return period_out(period, await region_zone(session, region_id))


async def change_status(
    session: AsyncSession,
    principal: Principal,
    period_id: uuid.UUID,
    status: PeriodStatus,
    if_match: str | None,
) -> PeriodOut:
    period = await find_period(session, principal, period_id, lock=True)
    if principal.region_id != period.region_id:
        raise not_found("Period")
    check_if_match(if_match, period.version)
    if period.status == status:
        raise Problem(
            INVALID_TRANSITION,
            _TRANSITION,
            params={"current": period.status, "attempted": status.value},
            current_status=period.status,
            attempted_status=status.value,
        )
    before = snapshot(period, AUDITED)
    period.status = status.value
    await session.flush()
    action = "closed" if status is PeriodStatus.CLOSED else "reopened"
    await record_entity(session, principal, "period", action, period, AUDITED, before=before)
    return period_out(period, await region_zone(session, period.region_id))
