"""The statements plans are read and written with; the one condition that says which plans a
principal may read (`readable`) serves get, list, the targets and indicators below a plan, and
progress's plan-level reads alike."""

import uuid
from collections.abc import Sequence
from functools import cache
from typing import Any
from typing import cast as cast_type

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    Numeric,
    Select,
    Table,
    Text,
    Uuid,
    and_,
    bindparam,
    cast,
    false,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from kinerja_api.auth.policies import (
    REGION_WIDE_READERS,
    agency_in_subtree,
    in_region,
    subordinates_of,
)
from kinerja_api.auth.principal import Principal
from kinerja_api.models.org import Employee, Role
from kinerja_api.models.plans import Indicator, Period, Plan, PlanRevision, Target
from kinerja_api.plans.schemas import PlanOut

READ_SCOPE = "plans:read"
MAX_CASCADE_DEPTH = 20
LIST_COLUMNS = tuple(getattr(Plan, name) for name in PlanOut.model_fields if name != "achievement")


# --- who may read ----------------------------------------------------------------------------


def readable(principal: Principal, *, scope: str = READ_SCOPE) -> ColumnElement[bool]:
    """Region-wide readers see the region's plans; agency administrators those of their subtree
    (by the plan's agency); employees their own, their reports' (transitively) and those they
    approve; service accounts the region's, when they hold `scope` (the read scope of the
    endpoint: `plans:read`, or `progress:read` for a plan's progress and comments)."""
    if principal.is_superadmin or principal.has_any(*REGION_WIDE_READERS):
        return in_region(principal, Plan.region_id)
    if principal.kind == "service_account":
        return in_region(principal, Plan.region_id) if scope in principal.scopes else false()
    conditions: list[ColumnElement[bool]] = []
    if principal.has_any(Role.AGENCY_ADMIN):
        conditions.append(agency_in_subtree(principal, Plan.agency_id))
    if principal.employee_id is not None:
        conditions.append(Plan.employee_id == principal.employee_id)
        conditions.append(Plan.approver_id == principal.employee_id)
        conditions.append(Plan.employee_id.in_(subordinates_of(principal.employee_id)))
    if not conditions:
        return false()
    return and_(in_region(principal, Plan.region_id), or_(*conditions))


async def find(
    session: AsyncSession, principal: Principal, plan_id: uuid.UUID, *, scope: str = READ_SCOPE
) -> Plan | None:
    plan: Plan | None = await session.scalar(
        select(Plan).where(Plan.id == plan_id, readable(principal, scope=scope))
    )
    return plan


def list_rows(principal: Principal) -> Select[Any]:
    """The plans list: rows carrying the plan's columns (a hot list: no ORM entities to build)."""
    return select(*LIST_COLUMNS).where(readable(principal))


def direct_reports(principal: Principal, supervisor_id: uuid.UUID | None) -> Select[Any]:
    """Employees of the caller's region directly below `supervisor_id` (None: at the top)."""
    return select(Employee.id).where(
        in_region(principal, Employee.region_id), Employee.supervisor_id == supervisor_id
    )


# The caller's region and employee, bound when a statement runs, so that the statements saying
# which plans a caller acts on are built once per kind of caller (see workflow._acting).
CALLER_REGION = bindparam("region_id", type_=Uuid)
CALLER_EMPLOYEE = bindparam("employee_id", type_=Uuid)


def reports_of(supervisor: ColumnElement[Any] | None) -> Select[Any]:
    """`direct_reports` for statements built once: employees of the caller's region
    (CALLER_REGION) directly below `supervisor` (None: at the top)."""
    return select(Employee.id).where(
        Employee.region_id == CALLER_REGION, Employee.supervisor_id == supervisor
    )


def for_update(acts: ColumnElement[bool]) -> Select[Plan, Period]:
    """The plan (`plan_id`) of the caller's region, locked, with its period, when the caller
    `acts` on it (its owner or one of its approvers). The period is locked FOR SHARE, as in
    `period_for_share`, in the same statement."""
    return (
        select(Plan, Period)
        .join(Period, Period.id == Plan.period_id)
        .where(Plan.id == bindparam("plan_id", type_=Uuid), Plan.region_id == CALLER_REGION, acts)
        .with_for_update(of=Plan)
        .suffix_with("FOR SHARE OF periods")
    )


async def get_for_update(
    session: AsyncSession,
    statement: Select[Plan, Period],
    *,
    plan_id: uuid.UUID,
    region_id: uuid.UUID,
    employee_id: uuid.UUID | None,
) -> tuple[Plan, Period] | None:
    """Runs a `for_update` statement for the caller."""
    params = {"plan_id": plan_id, "region_id": region_id, "employee_id": employee_id}
    row = (await session.execute(statement, params)).first()
    return None if row is None else (row[0], row[1])


async def period_for_share(session: AsyncSession, period_id: uuid.UUID) -> Period | None:
    # FOR SHARE: closing the period (FOR UPDATE) waits for this change, and vice versa.
    period: Period | None = await session.scalar(
        select(Period).where(Period.id == period_id).with_for_update(read=True)
    )
    return period


async def period_in_region(
    session: AsyncSession, period_id: uuid.UUID, region_id: uuid.UUID
) -> uuid.UUID | None:
    found: uuid.UUID | None = await session.scalar(
        select(Period.id).where(Period.id == period_id, Period.region_id == region_id)
    )
    return found


async def supervisor_of(session: AsyncSession, employee_id: uuid.UUID) -> uuid.UUID | None:
    supervisor: uuid.UUID | None = await session.scalar(
        select(Employee.supervisor_id).where(Employee.id == employee_id)
    )
    return supervisor


async def touch(session: AsyncSession, region_id: uuid.UUID, plan_id: uuid.UUID) -> None:
    await session.execute(
        update(Plan)
        .where(Plan.region_id == region_id, Plan.id == plan_id)
        .values(updated_at=func.now())
        .execution_options(synchronize_session=False)
    )


# --- what a plan holds -----------------------------------------------------------------------


async def targets_of(session: AsyncSession, plan: Plan) -> list[Target]:
    return list(
        await session.scalars(
            select(Target)
            .where(Target.region_id == plan.region_id, Target.plan_id == plan.id)
            .order_by(Target.position, Target.created_at, Target.id)
        )
    )


async def indicators_of(session: AsyncSession, plan: Plan) -> list[Indicator]:
    return list(
        await session.scalars(
            select(Indicator)
            .where(Indicator.region_id == plan.region_id, Indicator.plan_id == plan.id)
            .order_by(Indicator.position, Indicator.created_at, Indicator.id)
        )
    )


def _json_object(
    model: type[Any], fields: Sequence[str], **more: ColumnElement[Any]
) -> ColumnElement[Any]:
    """A row's `fields` as a JSON object, as `core.audit.snapshot` writes them (ids and
    decimals as their text), with `more` members."""
    pairs: list[Any] = []
    for name in fields:
        column = getattr(model, name)
        as_text = isinstance(column.type, Uuid | Numeric)
        pairs += [literal(name), cast(column, Text) if as_text else column]
    for name, value in more.items():
        pairs += [literal(name), value]
    return func.jsonb_build_object(*pairs)


def _json_list(element: ColumnElement[Any], *order: Any) -> ColumnElement[Any]:
    return func.coalesce(
        func.jsonb_agg(aggregate_order_by(element, *order)), literal_column("'[]'::jsonb")
    )


@cache
def _revision_insert(target_fields: tuple[str, ...], indicator_fields: tuple[str, ...]) -> Any:
    """The revision's INSERT ... SELECT, built once per snapshot shape: its values are bound
    parameters (building the statement costs more CPU than running it)."""
    region_id, plan_id = bindparam("region_id", type_=Uuid), bindparam("plan_id", type_=Uuid)
    indicators = (
        select(
            _json_list(
                _json_object(Indicator, indicator_fields),
                Indicator.position,
                Indicator.created_at,
                Indicator.id,
            )
        )
        .where(
            Indicator.region_id == region_id,
            Indicator.plan_id == plan_id,
            Indicator.target_id == Target.id,
        )
        .scalar_subquery()
    )
    target = _json_object(Target, target_fields, indicators=indicators)
    targets = (
        select(_json_list(target, Target.position, Target.created_at, Target.id))
        .where(Target.region_id == region_id, Target.plan_id == plan_id)
        .scalar_subquery()
    )
    snapshot = func.jsonb_build_object(
        literal("plan"), bindparam("plan_fields", type_=JSONB),
        literal("targets"), targets,
    )  # fmt: skip
    values = select(
        region_id,
        plan_id,
        bindparam("revision", type_=Integer),
        bindparam("approved_at", type_=DateTime(timezone=True)),
        bindparam("approved_by", type_=Uuid),
        snapshot,
    )
    columns = ["region_id", "plan_id", "revision", "approved_at", "approved_by", "snapshot"]
    # On the table: with its values as parameters, an insert of the entity would be taken for an
    # ORM bulk insert.
    return insert(cast_type(Table, PlanRevision.__table__)).from_select(columns, values)


async def insert_revision(
    session: AsyncSession,
    plan: Plan,
    *,
    approved_by: uuid.UUID | None,
    plan_fields: dict[str, Any],
    target_fields: tuple[str, ...],
    indicator_fields: tuple[str, ...],
) -> None:
    """The plan's revision as approved, its snapshot (`plan_fields`, and its targets, each with
    its indicators, as `revisions.plan_snapshot` builds it) assembled by the insert itself from
    the rows, without reading them first."""
    await session.execute(
        _revision_insert(target_fields, indicator_fields),
        {
            "region_id": plan.region_id,
            "plan_id": plan.id,
            "revision": plan.revision,
            "approved_at": plan.approved_at,
            "approved_by": approved_by,
            "plan_fields": plan_fields,
        },
    )


def revisions_of(plan: Plan) -> Select[Any]:
    return select(PlanRevision).where(
        PlanRevision.region_id == plan.region_id, PlanRevision.plan_id == plan.id
    )


async def revision(session: AsyncSession, plan: Plan, number: int) -> PlanRevision | None:
    found: PlanRevision | None = await session.scalar(
        revisions_of(plan).where(PlanRevision.revision == number)
    )
    return found


# --- the cascade -----------------------------------------------------------------------------


def own_targets(plan: Plan) -> Select[uuid.UUID, int]:
    return select(Target.id.label("id"), literal(0).label("level")).where(
        Target.region_id == plan.region_id, Target.plan_id == plan.id
    )


def ancestors(plan: Plan) -> Select[uuid.UUID, int]:
    parents = select(Target.parent_target_id).where(
        Target.region_id == plan.region_id,
        Target.plan_id == plan.id,
        Target.parent_target_id.is_not(None),
    )
    chain = (
        select(
            Target.id.label("id"), Target.parent_target_id.label("up"), literal(-1).label("level")
        )
        .where(Target.id.in_(parents))
        .cte("ancestors", recursive=True)
    )
    upper = aliased(Target)
    chain = chain.union(
        select(upper.id, upper.parent_target_id, chain.c.level - 1).where(
            upper.id == chain.c.up, chain.c.level > -MAX_CASCADE_DEPTH
        )
    )
    return select(chain.c.id, func.max(chain.c.level).label("level")).group_by(chain.c.id)


def descendants(plan: Plan) -> Select[uuid.UUID, int]:
    own = select(Target.id).where(Target.region_id == plan.region_id, Target.plan_id == plan.id)
    chain = (
        select(Target.id.label("id"), literal(1).label("level"))
        .where(Target.region_id == plan.region_id, Target.parent_target_id.in_(own))
        .cte("descendants", recursive=True)
    )
    lower = aliased(Target)
    chain = chain.union(
        select(lower.id, chain.c.level + 1).where(
            # Named, not left to row-level security, so the (region_id, parent_target_id) index
            # serves each step.
            lower.region_id == plan.region_id,
            lower.parent_target_id == chain.c.id,
            chain.c.level < MAX_CASCADE_DEPTH,
        )
    )
    return select(chain.c.id, func.min(chain.c.level).label("level")).group_by(chain.c.id)


async def cascade_rows(
    session: AsyncSession, plan: Plan, ids_and_levels: Select[uuid.UUID, int]
) -> list[tuple[Target, uuid.UUID, int]]:
    """The targets `ids_and_levels` names, with their plan's employee and their level."""
    found = ids_and_levels.subquery()
    rows = await session.execute(
        select(Target, Plan.employee_id, found.c.level)
        .join(found, found.c.id == Target.id)
        .join(Plan, Plan.id == Target.plan_id)
        .where(Target.region_id == plan.region_id)
        .order_by(Target.position, Target.id)
    )
    return [(target, employee, level) for target, employee, level in rows.all()]


async def indicators_of_targets(
    session: AsyncSession, plan: Plan, target_ids: list[uuid.UUID]
) -> list[Indicator]:
    return list(
        await session.scalars(
            select(Indicator)
            .where(Indicator.region_id == plan.region_id, Indicator.target_id.in_(target_ids))
            .order_by(Indicator.position, Indicator.id)
        )
    )
