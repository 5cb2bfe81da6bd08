"""Plans (SKP): who may see and change them, the approval workflow, approved revisions and the
cascade view."""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from kinerja_api.audit.service import plain, record_entity, snapshot
from kinerja_api.auth.policies import (
    REGION_WIDE_READERS,
    agency_in_subtree,
    forbidden,
    in_region,
    not_found,
    region_of,
    subordinates_of,
)
from kinerja_api.auth.principal import Principal
from kinerja_api.core import clock
from kinerja_api.core.etag import check_if_match
from kinerja_api.core.events import publish
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import ListOf, list_page
from kinerja_api.core.pagination import CursorCodec, Keyset, PageParams
from kinerja_api.core.problems import (
    CONFLICT,
    INVALID_TRANSITION,
    VALIDATION,
    Problem,
    ProblemKind,
    field_problem,
)
from kinerja_api.models.org import Employee, Role
from kinerja_api.models.plans import (
    Indicator,
    Period,
    Plan,
    PlanRevision,
    PlanStatus,
    Target,
)
from kinerja_api.org.agencies import service as agencies
from kinerja_api.plans.periods.service import require_open
from kinerja_api.plans.schemas import (
    Alignment,
    CascadeOut,
    CascadeTarget,
    IndicatorAlignment,
    PlanCreate,
    PlanFilters,
    PlanOut,
    PlanSort,
)
from kinerja_api.progress.achievement import plans_achievement
from kinerja_api.progress.schemas import with_achievements

AUDITED = (
    "period_id",
    "employee_id",
    "agency_id",
    "approver_id",
    "status",
    "revision",
    "approved_revision",
    "return_note",
)
READ_SCOPE = "plans:read"
PLAN_CONSTRAINT = "uq_plans_region_id_period_id_employee_id"
EDITABLE = frozenset({PlanStatus.DRAFT, PlanStatus.RETURNED})
MAX_CASCADE_DEPTH = 20
WEIGHT_TOTAL = Decimal(100)
PLAN_LOCKED = ProblemKind(
    "plan-locked", 409, Msg("Rencana tidak dapat diubah", "The plan cannot be changed")
)

_LIST = ListOf(
    "plans",
    {
        PlanSort.UPDATED_AT: Keyset((Plan.updated_at, Plan.id)),
        PlanSort.UPDATED_AT_DESC: Keyset((Plan.updated_at, Plan.id), descending=True),
        PlanSort.CREATED_AT: Keyset((Plan.created_at, Plan.id)),
    },
)
_REVISIONS = ListOf(
    "plan-revisions", {"revision": Keyset((PlanRevision.revision, PlanRevision.id))}
)
LIST_COLUMNS = tuple(getattr(Plan, name) for name in PlanOut.model_fields if name != "achievement")
_DUPLICATE = Msg(
    "Pegawai ini sudah memiliki rencana kinerja pada periode tersebut.",
    "This employee already has a plan for that period.",
)
_NO_EMPLOYEE = Msg(
    "Akun Anda tidak terhubung dengan data pegawai.",
    "Your account is not linked to an employee.",
)
_PERIOD_UNKNOWN = Msg("Periode tidak ditemukan.", "The period does not exist.")
_TRANSITION = Msg(
    "Rencana berstatus {current}; tidak dapat diubah menjadi {attempted}.",
    "The plan is {current}; it cannot become {attempted}.",
)
_LOCKED = Msg(
    "Rencana berstatus {status} dan tidak dapat diubah; ajukan revisi bila sudah disetujui.",
    "The plan is {status} and cannot be changed; open a revision if it was approved.",
)
_NOT_SUBMITTABLE = Msg(
    "Rencana belum dapat diajukan: {count} masalah.",
    "The plan cannot be submitted yet: {count} problem(s).",
)
_NO_TARGETS = Msg("Rencana belum memiliki sasaran.", "The plan has no targets.")
_NO_INDICATORS = Msg("Sasaran belum memiliki indikator.", "The target has no indicators.")
_WEIGHT_MISSING = Msg(
    "Bobot wajib diisi karena indikator lain memakai bobot.",
    "A weight is required because other indicators have one.",
)
_WEIGHT_SUM = Msg(
    "Jumlah bobot indikator harus 100 (sekarang {total}).",
    "Indicator weights must add up to 100 (now {total}).",
)


@dataclass(frozen=True, slots=True)
class Transition:
    name: str
    sources: frozenset[PlanStatus]
    to: PlanStatus


SUBMIT = Transition("submit", EDITABLE, PlanStatus.SUBMITTED)
APPROVE = Transition("approve", frozenset({PlanStatus.SUBMITTED}), PlanStatus.APPROVED)
RETURN = Transition("return", frozenset({PlanStatus.SUBMITTED}), PlanStatus.RETURNED)
REVISE = Transition("revise", frozenset({PlanStatus.APPROVED}), PlanStatus.DRAFT)


# --- who sees what ---------------------------------------------------------------------------


def visibility(principal: Principal) -> ColumnElement[bool]:
    """Region-wide readers see the region's plans; agency administrators those of their subtree
    (by the plan's agency); employees their own, their reports' (transitively) and those they
    approve."""
    if principal.is_superadmin or principal.has_any(*REGION_WIDE_READERS):
        return in_region(principal, Plan.region_id)
    if principal.kind == "service_account":
        return in_region(principal, Plan.region_id) if READ_SCOPE in principal.scopes else false()
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


async def find_plan(session: AsyncSession, principal: Principal, plan_id: uuid.UUID) -> Plan:
    plan: Plan | None = await session.scalar(
        select(Plan).where(Plan.id == plan_id, visibility(principal))
    )
    if plan is None:
        raise not_found("Plan")
    return plan


async def _open_period(session: AsyncSession, period_id: uuid.UUID) -> Period:
    # FOR SHARE: closing the period (FOR UPDATE) waits for this change, and vice versa.
    period: Period | None = await session.scalar(
        select(Period).where(Period.id == period_id).with_for_update(read=True)
    )
    if period is None:
        raise not_found("Period")
    require_open(period)
    return period


async def touch_plan(session: AsyncSession, region_id: uuid.UUID, plan_id: uuid.UUID) -> None:
    """Something shown on the plan changed (a target, an indicator, its achievement), so
    clients syncing plans by `updated_since` fetch it again; its version (ETag) stays, as none
    of the plan's own fields changed."""
    await session.execute(
        update(Plan)
        .where(Plan.region_id == region_id, Plan.id == plan_id)
        .values(updated_at=func.now())
        .execution_options(synchronize_session=False)
    )


async def _acted_on(
    session: AsyncSession, principal: Principal, plan_id: uuid.UUID, *, as_approver: bool
) -> Plan:
    """The plan, locked, when the caller is its employee (or one of its approvers, see
    `_approves`). They always see it, so the visibility rules are consulted only to tell a
    refusal (403) from a plan the caller may not see (404)."""
    plan: Plan | None = None
    role = _approves(principal) if as_approver else _owns(principal)
    if role is not None and principal.region_id is not None:
        plan = await session.scalar(
            select(Plan)
            .where(Plan.id == plan_id, Plan.region_id == principal.region_id, role)
            .with_for_update(of=Plan)
        )
    if plan is None:
        await find_plan(session, principal, plan_id)
        raise forbidden("Plan")
    return plan


def _owns(principal: Principal) -> ColumnElement[bool] | None:
    if principal.employee_id is None:
        return None
    return Plan.employee_id == principal.employee_id


def _approves(principal: Principal) -> ColumnElement[bool] | None:
    """Plans the caller approves or returns: those whose approver they were made at submission;
    not yet submitted plans of their direct reports, so they are told why these cannot be
    approved yet; and, for the region's administrators (BKPSDM, acting for the regional head,
    who is not an employee here), plans with no approver employee: submitted from the top of the
    supervisor chain, or drafts of employees who still have no supervisor."""
    conditions: list[ColumnElement[bool]] = []
    me = principal.employee_id
    if me is not None:
        conditions.append(Plan.approver_id == me)
        conditions.append(
            and_(
                Plan.approver_id.is_(None),
                Plan.status != PlanStatus.SUBMITTED,
                Plan.employee_id.in_(_direct_reports(principal, me)),
            )
        )
    if principal.has_any(Role.REGION_ADMIN):
        conditions.append(
            and_(
                Plan.approver_id.is_(None),
                or_(
                    Plan.status == PlanStatus.SUBMITTED,
                    Plan.employee_id.in_(_direct_reports(principal, None)),
                ),
            )
        )
    return or_(*conditions) if conditions else None


def _direct_reports(principal: Principal, supervisor_id: uuid.UUID | None) -> Select[Any]:
    """Employees of the caller's region directly below `supervisor_id` (None: at the top)."""
    return select(Employee.id).where(
        in_region(principal, Employee.region_id), Employee.supervisor_id == supervisor_id
    )


async def editable_plan(session: AsyncSession, principal: Principal, plan_id: uuid.UUID) -> Plan:
    """The caller's own plan, in an open period, while draft or returned: where targets and
    indicators may change."""
    plan = await _acted_on(session, principal, plan_id, as_approver=False)
    if plan.status not in EDITABLE:
        # `current_status`, as in the transition problem: `status` is the problem's HTTP status.
        raise Problem(
            PLAN_LOCKED, _LOCKED, params={"status": plan.status}, current_status=plan.status
        )
    await _open_period(session, plan.period_id)
    return plan


# --- reading ---------------------------------------------------------------------------------


async def list_plans(
    session: AsyncSession,
    principal: Principal,
    filters: PlanFilters,
    *,
    sort: PlanSort = PlanSort.UPDATED_AT,
    page: PageParams,
    codec: CursorCodec,
) -> tuple[list[Any], str | None]:
    """Rows carrying the plan's columns (a hot list: no ORM entities to build)."""
    return await list_page(
        session,
        select(*LIST_COLUMNS).where(visibility(principal)),
        _LIST,
        sort,
        cursor_filters=asdict(filters),
        page=page,
        codec=codec,
        equal={
            Plan.period_id: filters.period_id,
            Plan.status: filters.status,
            Plan.employee_id: filters.employee_id,
            Plan.approver_id: filters.approver_id,
        },
        where=[
            None
            if filters.supervisor_id is None
            else Plan.employee_id.in_(_direct_reports(principal, filters.supervisor_id))
        ],
        subtree=await agencies.subtree(session, principal, filters.agency_id, Plan.agency_id),
        updated_at=Plan.updated_at,
        updated_since=filters.updated_since,
        rows=True,
    )


async def list_revisions(
    session: AsyncSession,
    principal: Principal,
    plan_id: uuid.UUID,
    *,
    page: PageParams,
    codec: CursorCodec,
) -> tuple[list[PlanRevision], str | None]:
    plan = await find_plan(session, principal, plan_id)
    return await list_page(
        session,
        select(PlanRevision).where(
            PlanRevision.region_id == plan.region_id, PlanRevision.plan_id == plan.id
        ),
        _REVISIONS,
        "revision",
        cursor_filters={"plan_id": plan.id},
        page=page,
        codec=codec,
    )


async def get_revision(
    session: AsyncSession, principal: Principal, plan_id: uuid.UUID, revision: int
) -> PlanRevision:
    plan = await find_plan(session, principal, plan_id)
    found: PlanRevision | None = await session.scalar(
        select(PlanRevision).where(
            PlanRevision.region_id == plan.region_id,
            PlanRevision.plan_id == plan.id,
            PlanRevision.revision == revision,
        )
    )
    if found is None:
        raise not_found("Plan revision")
    return found


# --- creating and the workflow ---------------------------------------------------------------


async def create_plan(session: AsyncSession, principal: Principal, data: PlanCreate) -> Plan:
    """The caller's own plan for a period."""
    region_id = region_of(principal)
    if principal.employee_id is None:
        raise forbidden("Plan")
    period_found = await session.scalar(
        select(Period.id).where(Period.id == data.period_id, Period.region_id == region_id)
    )
    if period_found is None:
        raise field_problem("body.period_id", _PERIOD_UNKNOWN, code="not_found")
    await _open_period(session, data.period_id)
    employee = await session.get_one(Employee, principal.employee_id)
    plan = Plan(
        region_id=region_id,
        period_id=data.period_id,
        employee_id=employee.id,
        agency_id=employee.agency_id,
    )
    session.add(plan)
    try:
        await session.flush()
    except IntegrityError as exc:
        if PLAN_CONSTRAINT in str(exc.orig):
            raise Problem(CONFLICT, _DUPLICATE) from exc
        raise
    await record_entity(session, principal, "plan", "created", plan, AUDITED)
    await _publish(session, "plan.created", plan)
    return plan


def _check_transition(plan: Plan, transition: Transition) -> None:
    if plan.status not in transition.sources:
        raise Problem(
            INVALID_TRANSITION,
            _TRANSITION,
            params={"current": plan.status, "attempted": transition.to.value},
            current_status=plan.status,
            attempted_status=transition.to.value,
            transition=transition.name,
        )


async def _publish(session: AsyncSession, event_type: str, plan: Plan) -> None:
    await publish(
        session,
        event_type,
        region_id=plan.region_id,
        entity_type="plan",
        entity_id=plan.id,
        employee_id=plan.employee_id,
        agency_id=plan.agency_id,
        payload={
            "plan_id": plan.id,
            "period_id": plan.period_id,
            "status": plan.status,
            "revision": plan.revision,
            "approver_id": plan.approver_id,
        },
    )


async def _transition(
    session: AsyncSession,
    principal: Principal,
    plan_id: uuid.UUID,
    transition: Transition,
    if_match: str | None,
) -> tuple[Plan, dict[str, Any]]:
    """Loads and locks the plan, checks the caller, version, state and period; returns the plan
    and its audited state before the change."""
    plan = await _acted_on(session, principal, plan_id, as_approver=transition in (APPROVE, RETURN))
    check_if_match(if_match, plan.version)
    _check_transition(plan, transition)
    await _open_period(session, plan.period_id)
    return plan, snapshot(plan, AUDITED)


async def _finish(
    session: AsyncSession,
    principal: Principal,
    plan: Plan,
    transition: Transition,
    before: dict[str, Any],
    event: str,
) -> Plan:
    plan.status = transition.to.value
    await session.flush()
    await record_entity(session, principal, "plan", event, plan, AUDITED, before=before)
    await _publish(session, f"plan.{event}", plan)
    return plan


async def submit_plan(
    session: AsyncSession, principal: Principal, plan_id: uuid.UUID, if_match: str | None
) -> Plan:
    plan, before = await _transition(session, principal, plan_id, SUBMIT, if_match)
    supervisor_id = await session.scalar(
        select(Employee.supervisor_id).where(Employee.id == plan.employee_id)
    )
    errors = await _submission_errors(session, plan)
    if errors:
        raise Problem(VALIDATION, _NOT_SUBMITTABLE, params={"count": len(errors)}, errors=errors)
    plan.approver_id = supervisor_id
    plan.submitted_at = clock.utc_now()
    plan.return_note = None
    return await _finish(session, principal, plan, SUBMIT, before, "submitted")


def _error(field: str, message: Msg, code: str, **params: object) -> dict[str, str]:
    return {"field": field, "message": message.render(None, **params), "code": code}


async def _submission_errors(session: AsyncSession, plan: Plan) -> list[dict[str, str]]:
    """Every reason the plan is not ready, so the employee can fix them all at once: targets
    without indicators, and weights that are partly missing or do not add up to 100."""
    targets = (await session.scalars(_targets_of(plan))).all()
    indicators = (await session.scalars(_indicators_of(plan))).all()
    if not targets:
        return [_error("targets", _NO_TARGETS, "no_targets")]
    errors: list[dict[str, str]] = []
    with_indicators = {indicator.target_id for indicator in indicators}
    for target in targets:
        if target.id not in with_indicators:
            errors.append(_error(f"targets.{target.id}", _NO_INDICATORS, "no_indicators"))
    weighted = [i for i in indicators if i.weight is not None]
    if weighted:
        for indicator in indicators:
            if indicator.weight is None:
                errors.append(
                    _error(f"indicators.{indicator.id}.weight", _WEIGHT_MISSING, "missing")
                )
        total = sum((i.weight for i in weighted if i.weight is not None), Decimal(0))
        if total != WEIGHT_TOTAL:
            errors.append(_error("indicators.weight", _WEIGHT_SUM, "weight_sum", total=total))
    return errors


def _targets_of(plan: Plan) -> Select[Target]:
    return (
        select(Target)
        .where(Target.region_id == plan.region_id, Target.plan_id == plan.id)
        .order_by(Target.position, Target.created_at, Target.id)
    )


def _indicators_of(plan: Plan) -> Select[Indicator]:
    return (
        select(Indicator)
        .where(Indicator.region_id == plan.region_id, Indicator.plan_id == plan.id)
        .order_by(Indicator.position, Indicator.created_at, Indicator.id)
    )


async def approve_plan(
    session: AsyncSession, principal: Principal, plan_id: uuid.UUID, if_match: str | None
) -> Plan:
    plan, before = await _transition(session, principal, plan_id, APPROVE, if_match)
    plan.approved_revision = plan.revision
    plan.approved_at = clock.utc_now()
    plan = await _finish(session, principal, plan, APPROVE, before, "approved")
    session.add(
        PlanRevision(
            region_id=plan.region_id,
            plan_id=plan.id,
            revision=plan.revision,
            approved_at=plan.approved_at or clock.utc_now(),
            approved_by=principal.employee_id,
            snapshot=await plan_snapshot(session, plan),
        )
    )
    await session.flush()
    return plan


async def return_plan(
    session: AsyncSession,
    principal: Principal,
    plan_id: uuid.UUID,
    note: str,
    if_match: str | None,
) -> Plan:
    plan, before = await _transition(session, principal, plan_id, RETURN, if_match)
    plan.return_note = note
    return await _finish(session, principal, plan, RETURN, before, "returned")


async def revise_plan(
    session: AsyncSession, principal: Principal, plan_id: uuid.UUID, if_match: str | None
) -> Plan:
    """The plan goes back to draft under the next revision number, to be submitted and approved
    again; until then the last approved revision stays readable (`approved_revision`,
    `/revisions`)."""
    plan, before = await _transition(session, principal, plan_id, REVISE, if_match)
    plan.revision = plan.revision + 1
    plan.return_note = None
    return await _finish(session, principal, plan, REVISE, before, "revised")


TARGET_FIELDS = (
    "id",
    "kind",
    "title",
    "description",
    "public",
    "parent_target_id",
    "cascade_mode",
    "position",
)
INDICATOR_FIELDS = (
    "id",
    "aspect",
    "description",
    "target_value",
    "unit",
    "aggregation",
    "weight",
    "parent_indicator_id",
    "position",
)


async def plan_snapshot(session: AsyncSession, plan: Plan) -> dict[str, Any]:
    targets = (await session.scalars(_targets_of(plan))).all()
    indicators = (await session.scalars(_indicators_of(plan))).all()
    by_target: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for indicator in indicators:
        by_target[indicator.target_id].append(snapshot(indicator, INDICATOR_FIELDS))
    return {
        "plan": {
            "id": plain(plan.id),
            "period_id": plain(plan.period_id),
            "employee_id": plain(plan.employee_id),
            "agency_id": plain(plan.agency_id),
            "approver_id": plain(plan.approver_id),
            "revision": plan.revision,
        },
        "targets": [
            {**snapshot(target, TARGET_FIELDS), "indicators": by_target[target.id]}
            for target in targets
        ],
    }


# --- the cascade view ------------------------------------------------------------------------


async def cascade(session: AsyncSession, principal: Principal, plan_id: uuid.UUID) -> CascadeOut:
    plan = await find_plan(session, principal, plan_id)
    own = await _cascade_rows(session, plan, _own_targets(plan))
    above = await _cascade_rows(session, plan, _ancestors(plan))
    below = await _cascade_rows(session, plan, _descendants(plan))
    return CascadeOut(
        plan_id=plan.id,
        above=sorted(above, key=lambda t: (-t.level, t.title)),
        targets=own,
        below=sorted(below, key=lambda t: (t.level, t.title)),
        alignment=await _alignment(session, plan, [*own, *below]),
    )


def _own_targets(plan: Plan) -> Select[uuid.UUID, int]:
    return select(Target.id.label("id"), literal(0).label("level")).where(
        Target.region_id == plan.region_id, Target.plan_id == plan.id
    )


def _ancestors(plan: Plan) -> Select[uuid.UUID, int]:
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


def _descendants(plan: Plan) -> Select[uuid.UUID, int]:
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


async def _cascade_rows(
    session: AsyncSession, plan: Plan, ids_and_levels: Select[uuid.UUID, int]
) -> list[CascadeTarget]:
    found = ids_and_levels.subquery()
    rows = await session.execute(
        select(Target, Plan.employee_id, found.c.level)
        .join(found, found.c.id == Target.id)
        .join(Plan, Plan.id == Target.plan_id)
        .where(Target.region_id == plan.region_id)
        .order_by(Target.position, Target.id)
    )
    return [
        CascadeTarget.model_validate(
            {
                **snapshot(target, TARGET_FIELDS),
                "plan_id": target.plan_id,
                "employee_id": employee,
                "level": level,
            }
        )
        for target, employee, level in rows.all()
    ]


async def _alignment(
    session: AsyncSession, plan: Plan, nodes: list[CascadeTarget]
) -> list[IndicatorAlignment]:
    """For each indicator of a target with `direct` children, whether the children's indicators
    that share it add up to its target value; one that none of them shares is not split, so it
    is reported as not cascaded rather than under its target."""
    direct_children: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for node in nodes:
        if node.parent_target_id is not None and node.cascade_mode == "direct":
            direct_children[node.parent_target_id].add(node.id)
    if not direct_children:
        return []
    ids = [node.id for node in nodes]
    indicators = (
        await session.scalars(
            select(Indicator)
            .where(Indicator.region_id == plan.region_id, Indicator.target_id.in_(ids))
            .order_by(Indicator.position, Indicator.id)
        )
    ).all()
    shares: dict[uuid.UUID, list[Indicator]] = defaultdict(list)
    for indicator in indicators:
        if indicator.parent_indicator_id is not None:
            shares[indicator.parent_indicator_id].append(indicator)
    result: list[IndicatorAlignment] = []
    for indicator in indicators:
        children = direct_children.get(indicator.target_id)
        if not children:
            continue
        parts = [i for i in shares[indicator.id] if i.target_id in children]
        total = sum((i.target_value for i in parts), Decimal(0))
        result.append(
            IndicatorAlignment(
                target_id=indicator.target_id,
                indicator_id=indicator.id,
                unit=indicator.unit,
                target_value=indicator.target_value,
                children_total=total,
                children=len(parts),
                alignment=_compare(total, indicator.target_value)
                if parts
                else Alignment.NOT_CASCADED,
            )
        )
    return result


def _compare(total: Decimal, expected: Decimal) -> Alignment:
    if total == expected:
        return Alignment.ALIGNED
    return Alignment.UNDER if total < expected else Alignment.OVER


async def plan_views(session: AsyncSession, plans: Sequence[Any]) -> list[PlanOut]:
    """Plans (entities or list rows) as the API shows them, with their achievement."""
    figures = await plans_achievement(session, plans)
    return with_achievements(PlanOut, plans, figures)


async def plan_view(session: AsyncSession, plan: Any) -> PlanOut:
    (view,) = await plan_views(session, [plan])
    return view
