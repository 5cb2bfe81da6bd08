import uuid
from dataclasses import asdict
from typing import Any

from sqlalchemy import (
    ColumnElement,
    SQLColumnExpression,
    and_,
    any_,
    func,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import (
    REGION_WIDE_READERS,
    agency_in_subtree,
    in_region,
    not_found,
    region_of,
)
from kinerja_api.auth.principal import Principal
from kinerja_api.core.audit import record_entity, snapshot
from kinerja_api.core.etag import check_if_match
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import ListOf, Subtree, list_page
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.core.problems import CONFLICT, Problem, field_problem
from kinerja_api.core.tombstones import agency_moved
from kinerja_api.models.org import Agency, Role
from kinerja_api.org.agencies.schemas import (
    AgencyCreate,
    AgencyFilters,
    AgencySort,
    AgencyUpdate,
)

AUDITED = ("parent_id", "code", "name", "kind", "path", "active")
CODE_INDEX = "uq_agencies_region_id_code"
_CODE_TAKEN = Msg(
    "Kode unit kerja '{code}' sudah dipakai di wilayah ini.",
    "Agency code '{code}' is already taken in this region.",
)
_PARENT_UNKNOWN = Msg(
    "Unit kerja induk tidak ditemukan atau di luar wewenang Anda.",
    "The parent agency does not exist or is outside what you manage.",
)
_ROOT_REFUSED = Msg(
    "Admin unit kerja hanya dapat menempatkan unit kerja di dalam lingkupnya sendiri.",
    "Agency administrators can only place agencies inside their own subtree.",
)
_CYCLE = Msg(
    "Unit kerja tidak dapat dipindahkan ke bawah dirinya sendiri atau turunannya.",
    "An agency cannot be moved under itself or one of its descendants.",
)
_LIST = ListOf(
    "agencies",
    {
        AgencySort.NAME: Keyset((Agency.name, Agency.id)),
        AgencySort.CODE: Keyset((Agency.code, Agency.id)),
        AgencySort.UPDATED_AT: Keyset((Agency.updated_at, Agency.id)),
    },
)


def manages_whole_region(principal: Principal) -> bool:
    return principal.kind == "service_account" or principal.has_any(Role.REGION_ADMIN)


def readable(principal: Principal) -> ColumnElement[bool]:
    """Agencies are directory data that everyone in the region may read, except agency
    administrators, who work inside their subtree and see nothing else."""
    region = in_region(principal, Agency.region_id)
    confined = principal.has_any(Role.AGENCY_ADMIN) and not (
        principal.is_superadmin or principal.has_any(*REGION_WIDE_READERS)
    )
    if not confined:
        return region
    return and_(region, agency_in_subtree(principal, Agency.id))


def writable(principal: Principal) -> ColumnElement[bool]:
    # region_of() refuses principals without a region, so superadmins never write here.
    region = Agency.region_id == region_of(principal)
    if manages_whole_region(principal):
        return region
    return and_(region, agency_in_subtree(principal, Agency.id))


async def lock_tree(session: AsyncSession, region_id: uuid.UUID) -> None:
    """Serializes changes to one region's tree, so that paths read here stay true until the
    transaction commits (two concurrent moves could otherwise build a cycle)."""
    await session.execute(
        text("select pg_advisory_xact_lock(hashtextextended(:k, 0))"),
        {"k": f"agency-tree|{region_id}"},
    )


async def writable_agency(
    session: AsyncSession, principal: Principal, agency_id: uuid.UUID
) -> Agency | None:
    agency: Agency | None = await session.scalar(
        select(Agency).where(Agency.id == agency_id, writable(principal))
    )
    return agency


async def readable_subtree_path(
    session: AsyncSession, principal: Principal, agency_id: uuid.UUID
) -> str | None:
    """The path prefix of an agency's subtree, or None when the caller cannot see the agency.
    Looked up first so that the prefix is a constant the path index can serve."""
    path: str | None = await session.scalar(
        select(Agency.path).where(Agency.id == agency_id, readable(principal))
    )
    return path


def in_subtree(agency_column: SQLColumnExpression[Any], root_path: str) -> ColumnElement[bool]:
    """`agency_column` names an agency of the subtree whose root has `root_path` (from
    `readable_subtree_path`). The subtree's ids are gathered once into an array that the outer
    index scan filters by; as an IN subquery the planner may instead rescan the agencies for every
    candidate row."""
    subtree = select(Agency.id).where(Agency.path.startswith(root_path, autoescape=True))
    return agency_column == any_(func.array(subtree.scalar_subquery()))


def subtree(
    principal: Principal, root_id: uuid.UUID | None, agency_column: SQLColumnExpression[Any]
) -> Subtree | None:
    """The list filter `?under=`: rows whose agency lies in the subtree of `root_id`, which the
    caller must be able to read (None: no subtree was asked for). The root's path is looked up
    inside the list's own statement, not in a round trip of its own; when the caller cannot read
    the root, it is null, no agency matches and the list is empty."""
    if root_id is None:
        return None
    root_path = select(Agency.path).where(Agency.id == root_id, readable(principal))
    # Paths hold ids and slashes only: no LIKE wildcards to escape.
    members = select(Agency.id).where(
        in_region(principal, Agency.region_id),
        Agency.path.startswith(root_path.scalar_subquery(), autoescape=False),
    )
    return Subtree(agency_column == any_(func.array(members.scalar_subquery())))


async def list_agencies(
    session: AsyncSession,
    principal: Principal,
    *,
    filters: AgencyFilters,
    sort: AgencySort,
    page: PageParams,
) -> tuple[list[Agency], str | None]:
    under = None
    if filters.under is not None:
        root_path = await readable_subtree_path(session, principal, filters.under)
        under = Subtree(
            None if root_path is None else Agency.path.startswith(root_path, autoescape=True)
        )
    return await list_page(
        session,
        select(Agency).where(readable(principal)),
        _LIST,
        sort,
        cursor_filters=asdict(filters),
        page=page,
        equal={
            Agency.parent_id: filters.parent_id,
            Agency.kind: filters.kind,
            Agency.active: filters.active,
        },
        where=[None if filters.q is None else Agency.name.icontains(filters.q, autoescape=True)],
        subtree=under,
        updated_at=Agency.updated_at,
        updated_since=filters.updated_since,
    )


async def get_agency(session: AsyncSession, principal: Principal, agency_id: uuid.UUID) -> Agency:
    agency: Agency | None = await session.scalar(
        select(Agency).where(Agency.id == agency_id, readable(principal))
    )
    if agency is None:
        raise not_found("Agency")
    return agency


async def _parent_path(
    session: AsyncSession, principal: Principal, parent_id: uuid.UUID | None
) -> str:
    """The path a child of `parent_id` hangs from; the parent must be one the caller manages."""
    if parent_id is None:
        if not manages_whole_region(principal):
            raise field_problem("body.parent_id", _ROOT_REFUSED)
        return "/"
    parent = await writable_agency(session, principal, parent_id)
    if parent is None:
        raise field_problem("body.parent_id", _PARENT_UNKNOWN, code="not_found")
    return parent.path


async def _flush(session: AsyncSession, code: str) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:
        if CODE_INDEX in str(exc.orig):
            raise Problem(CONFLICT, _CODE_TAKEN, params={"code": code}) from exc
        raise


async def create_agency(session: AsyncSession, principal: Principal, data: AgencyCreate) -> Agency:
    region_id = region_of(principal)
    await lock_tree(session, region_id)
    parent_path = await _parent_path(session, principal, data.parent_id)
    agency_id = uuid.uuid4()
    agency = Agency(
        id=agency_id,
        region_id=region_id,
        path=f"{parent_path}{agency_id}/",
        **data.model_dump(),
    )
    session.add(agency)
    await _flush(session, data.code)
    await record_entity(session, principal, "agency", "created", agency, AUDITED)
    return agency


async def _move(
    session: AsyncSession, principal: Principal, agency: Agency, parent_id: uuid.UUID | None
) -> None:
    """Re-hangs the agency and rewrites its descendants' paths in one statement; the subtree
    leaves the sight of the administrators above it that it no longer lies under (tombstones)
    and comes into the sight of those it now lies under."""
    parent_path = await _parent_path(session, principal, parent_id)
    if parent_path.startswith(agency.path):
        raise field_problem("body.parent_id", _CYCLE, code="cycle")
    old_path, new_path = agency.path, f"{parent_path}{agency.id}/"
    agency.parent_id = parent_id
    agency.path = new_path
    await session.execute(
        update(Agency)
        .where(
            Agency.region_id == agency.region_id,
            Agency.path.startswith(old_path, autoescape=True),
            Agency.id != agency.id,
        )
        .values(
            path=literal(new_path) + func.substr(Agency.path, len(old_path) + 1),
            version=Agency.version + 1,
            updated_at=func.now(),
        )
        .execution_options(synchronize_session=False)
    )
    await session.flush()
    await agency_moved(session, region_id=agency.region_id, old_path=old_path, new_path=new_path)


async def update_agency(
    session: AsyncSession,
    principal: Principal,
    agency_id: uuid.UUID,
    data: AgencyUpdate,
    if_match: str | None,
) -> Agency:
    changes = data.changes()
    if "parent_id" in changes:
        # Taken before reading the agency, so the path it is moved from is current.
        await lock_tree(session, region_of(principal))
    agency = await writable_agency(session, principal, agency_id)
    if agency is None:
        raise not_found("Agency")
    check_if_match(if_match, agency.version)
    before = snapshot(agency, AUDITED)
    if "parent_id" in changes:
        parent_id = changes.pop("parent_id")
        if parent_id != agency.parent_id:
            await _move(session, principal, agency, parent_id)
    for field, value in changes.items():
        setattr(agency, field, value)
    await _flush(session, agency.code)
    await record_entity(session, principal, "agency", "updated", agency, AUDITED, before=before)
    return agency
