import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import not_found
from kinerja_api.auth.principal import Principal
from kinerja_api.core.audit import record_entity, snapshot
from kinerja_api.core.etag import check_if_match
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import ListOf, list_page
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.core.problems import CONFLICT, Problem
from kinerja_api.models.org import Region
from kinerja_api.org.regions.schemas import RegionCreate, RegionSort, RegionUpdate

AUDITED = ("code", "name", "kind", "timezone", "active")
_CODE_TAKEN = Msg("Kode wilayah '{code}' sudah dipakai.", "Region code '{code}' is already taken.")
_LIST = ListOf(
    "regions",
    {
        RegionSort.CODE: Keyset((Region.code, Region.id)),
        RegionSort.UPDATED_AT: Keyset((Region.updated_at, Region.id)),
    },
)


def _visible(principal: Principal) -> object:
    return True if principal.is_superadmin else Region.id == principal.region_id


async def list_regions(
    session: AsyncSession,
    principal: Principal,
    *,
    active: bool | None,
    updated_since: datetime | None,
    sort: RegionSort,
    page: PageParams,
) -> tuple[list[Region], str | None]:
    return await list_page(
        session,
        select(Region).where(_visible(principal)),  # type: ignore[arg-type]
        _LIST,
        sort,
        cursor_filters={"active": active, "updated_since": updated_since},
        page=page,
        equal={Region.active: active},
        updated_at=Region.updated_at,
        updated_since=updated_since,
    )


async def get_region(session: AsyncSession, principal: Principal, region_id: uuid.UUID) -> Region:
    region: Region | None = await session.scalar(
        select(Region).where(Region.id == region_id, _visible(principal))  # type: ignore[arg-type]
    )
    if region is None:
        raise not_found("Region")
    return region


async def create_region(session: AsyncSession, principal: Principal, data: RegionCreate) -> Region:
    region = Region(**data.model_dump())
    session.add(region)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Problem(CONFLICT, _CODE_TAKEN, params={"code": data.code}) from exc
    await record_entity(session, principal, "region", "created", region, AUDITED)
    return region


async def update_region(
    session: AsyncSession,
    principal: Principal,
    region_id: uuid.UUID,
    data: RegionUpdate,
    if_match: str | None,
) -> Region:
    region = await get_region(session, principal, region_id)
    check_if_match(if_match, region.version)
    before = snapshot(region, AUDITED)
    for field, value in data.changes().items():
        setattr(region, field, value)
    await session.flush()
    await record_entity(session, principal, "region", "updated", region, AUDITED, before=before)
    return region
