"""A region's non-working days, which complaint deadlines skip. Changing the calendar does not
move deadlines already set."""

import uuid
from dataclasses import asdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import in_region, not_found, region_of
from kinerja_api.auth.principal import Principal
from kinerja_api.core.audit import record, record_entity, snapshot
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import ListOf, list_page
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.core.problems import CONFLICT, Problem
from kinerja_api.core.tombstones import record_deleted
from kinerja_api.feedback.holidays.schemas import HolidayCreate, HolidayFilters, HolidaySort
from kinerja_api.models.feedback import Holiday
from kinerja_api.models.org import Role
from kinerja_api.models.sync import SyncEntity

AUDITED = ("date", "name")
# Who reads the calendar (and the tombstones of deleted days).
READERS = (
    Role.SUPERADMIN,
    Role.REGION_ADMIN,
    Role.AGENCY_ADMIN,
    Role.COMPLAINT_OFFICER,
    Role.AUDITOR,
)
DATE_INDEX = "uq_holidays_region_id_date"
_LIST = ListOf(
    "holidays",
    {
        HolidaySort.DATE: Keyset((Holiday.date, Holiday.id)),
        HolidaySort.UPDATED_AT: Keyset((Holiday.updated_at, Holiday.id)),
    },
)
_TAKEN = Msg("Tanggal {date} sudah tercatat sebagai hari libur.", "{date} is already a holiday.")


async def list_holidays(
    session: AsyncSession,
    principal: Principal,
    *,
    filters: HolidayFilters,
    sort: HolidaySort,
    page: PageParams,
) -> tuple[list[Holiday], str | None]:
    in_year = None
    if filters.year is not None:
        in_year = Holiday.date.between(date(filters.year, 1, 1), date(filters.year, 12, 31))
    return await list_page(
        session,
        select(Holiday).where(in_region(principal, Holiday.region_id)),
        _LIST,
        sort,
        cursor_filters=asdict(filters),
        page=page,
        where=[in_year],
        updated_at=Holiday.updated_at,
        updated_since=filters.updated_since,
    )


async def create_holiday(
    session: AsyncSession, principal: Principal, data: HolidayCreate
) -> Holiday:
    holiday = Holiday(region_id=region_of(principal), date=data.date, name=data.name)
    session.add(holiday)
    try:
        await session.flush()
    except IntegrityError as exc:
        if DATE_INDEX in str(exc.orig):
            raise Problem(CONFLICT, _TAKEN, params={"date": data.date.isoformat()}) from exc
        raise
    await record_entity(session, principal, "holiday", "created", holiday, AUDITED)
    return holiday


async def delete_holiday(
    session: AsyncSession, principal: Principal, holiday_id: uuid.UUID
) -> None:
    holiday: Holiday | None = await session.scalar(
        select(Holiday).where(Holiday.id == holiday_id, Holiday.region_id == region_of(principal))
    )
    if holiday is None:
        raise not_found("Holiday")
    before = snapshot(holiday, AUDITED)
    await session.delete(holiday)
    await session.flush()
    await record_deleted(
        session,
        region_id=holiday.region_id,
        entity_type=SyncEntity.HOLIDAY,
        entity_ids=[holiday_id],
    )
    await record(
        session,
        principal,
        "holiday.deleted",
        entity_type="holiday",
        entity_id=holiday_id,
        region_id=holiday.region_id,
        before=before,
        after={},
    )
