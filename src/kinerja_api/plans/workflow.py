"""Changing plans (SKP): creating one, who acts on it, and the approval workflow (submit,
approve, return, revise) with the approved revisions it leaves."""

import uuid
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import (
    forbidden,
    not_found,
    region_of,
)
from kinerja_api.auth.principal import Principal
from kinerja_api.core import clock
from kinerja_api.core.audit import record_entity, snapshot
from kinerja_api.core.etag import check_if_match
from kinerja_api.core.events import publish
from kinerja_api.core.i18n import Msg
from kinerja_api.core.problems import (
    CONFLICT,
    INVALID_TRANSITION,
    VALIDATION,
    Problem,
    ProblemKind,
    field_problem,
)
from kinerja_api.core.tombstones import approver_changed
from kinerja_api.models.org import Employee, Role
from kinerja_api.models.plans import (
    Period,
    Plan,
    PlanStatus,
)
from kinerja_api.plans import repository
from kinerja_api.plans.events import PlanEventData
from kinerja_api.plans.periods.service import require_open
from kinerja_api.plans.revisions import record_revision
from kinerja_api.plans.schemas import (
    PlanCreate,
)
from kinerja_api.plans.views import find_plan

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
PLAN_CONSTRAINT = "uq_plans_region_id_period_id_employee_id"
EDITABLE = frozenset({PlanStatus.DRAFT, PlanStatus.RETURNED})
WEIGHT_TOTAL = Decimal(100)
PLAN_LOCKED = ProblemKind(
    "plan-locked", 409, Msg("Rencana tidak dapat diubah", "The plan cannot be changed")
)

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


# --- who acts ------------------------------------------------------------------------------


async def _open_period(session: AsyncSession, period_id: uuid.UUID) -> Period:
    period = await repository.period_for_share(session, period_id)
    if period is None:
        raise not_found("Period")
    require_open(period)
    return period


@dataclass(frozen=True, slots=True)
class ActedOn:
    """A plan the caller acts on, locked, with its period (locked FOR SHARE: closing the period
    waits for the change, and vice versa)."""

    plan: Plan
    period: Period


async def touch_plan(session: AsyncSession, region_id: uuid.UUID, plan_id: uuid.UUID) -> None:
    """Something shown on the plan changed (a target, an indicator, its achievement), so
    clients syncing plans by `updated_since` fetch it again; its version (ETag) stays, as none
    of the plan's own fields changed."""
    await repository.touch(session, region_id, plan_id)


async def _acted_on(
    session: AsyncSession, principal: Principal, plan_id: uuid.UUID, *, as_approver: bool
) -> ActedOn:
    """The plan, locked, with its period, when the caller is its employee (or one of its
    approvers, see `_approves`). They always see it, so the visibility rules are consulted only
    to tell a refusal (403) from a plan the caller may not see (404)."""
    found: tuple[Plan, Period] | None = None
    statement = _acting(
        as_approver=as_approver,
        employee=principal.employee_id is not None,
        region_admin=principal.has_any(Role.REGION_ADMIN),
    )
    if statement is not None and principal.region_id is not None:
        found = await repository.get_for_update(
            session,
            statement,
            plan_id=plan_id,
            region_id=principal.region_id,
            employee_id=principal.employee_id,
        )
    if found is None:
        await find_plan(session, principal, plan_id)
        raise forbidden("Plan")
    return ActedOn(*found)


@cache
def _acting(
    *, as_approver: bool, employee: bool, region_admin: bool
) -> Select[Plan, Period] | None:
    """The statement locking a plan the caller acts on, built once per kind of caller: with an
    employee or not, a region administrator or not (building it costs more CPU than running
    it). None: such a caller acts on no plan."""
    acts = _approves(employee, region_admin) if as_approver else _owns(employee)
    return None if acts is None else repository.for_update(acts)


def _owns(employee: bool) -> ColumnElement[bool] | None:
    return Plan.employee_id == repository.CALLER_EMPLOYEE if employee else None


def _approves(employee: bool, region_admin: bool) -> ColumnElement[bool] | None:
    """Plans the caller approves or returns: those whose approver they were made at submission;
    not yet submitted plans of their direct reports, so they are told why these cannot be
    approved yet; and, for the region's administrators (BKPSDM, acting for the regional head,
    who is not an employee here), plans with no approver employee: submitted from the top of the
    supervisor chain, or drafts of employees who still have no supervisor."""
    conditions: list[ColumnElement[bool]] = []
    if employee:
        me = repository.CALLER_EMPLOYEE
        conditions.append(Plan.approver_id == me)
        conditions.append(
            and_(
                Plan.approver_id.is_(None),
                Plan.status != PlanStatus.SUBMITTED,
                Plan.employee_id.in_(repository.reports_of(me)),
            )
        )
    if region_admin:
        conditions.append(
            and_(
                Plan.approver_id.is_(None),
                or_(
                    Plan.status == PlanStatus.SUBMITTED,
                    Plan.employee_id.in_(repository.reports_of(None)),
                ),
            )
        )
    return or_(*conditions) if conditions else None


async def editable_plan(session: AsyncSession, principal: Principal, plan_id: uuid.UUID) -> Plan:
    """The caller's own plan, in an open period, while draft or returned: where targets and
    indicators may change."""
    acted_on = await _acted_on(session, principal, plan_id, as_approver=False)
    plan = acted_on.plan
    if plan.status not in EDITABLE:
        # `current_status`, as in the transition problem: `status` is the problem's HTTP status.
        raise Problem(
            PLAN_LOCKED, _LOCKED, params={"status": plan.status}, current_status=plan.status
        )
    require_open(acted_on.period)
    return plan


# --- creating and the workflow ---------------------------------------------------------------


async def create_plan(session: AsyncSession, principal: Principal, data: PlanCreate) -> Plan:
    """The caller's own plan for a period."""
    region_id = region_of(principal)
    if principal.employee_id is None:
        raise forbidden("Plan")
    if await repository.period_in_region(session, data.period_id, region_id) is None:
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
        payload=PlanEventData(
            plan_id=plan.id,
            period_id=plan.period_id,
            status=PlanStatus(plan.status),
            revision=plan.revision,
            approver_id=plan.approver_id,
        ),
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
    acted_on = await _acted_on(
        session, principal, plan_id, as_approver=transition in (APPROVE, RETURN)
    )
    plan = acted_on.plan
    check_if_match(if_match, plan.version)
    _check_transition(plan, transition)
    require_open(acted_on.period)
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
    supervisor_id = await repository.supervisor_of(session, plan.employee_id)
    errors = await _submission_errors(session, plan)
    if errors:
        raise Problem(VALIDATION, _NOT_SUBMITTABLE, params={"count": len(errors)}, errors=errors)
    former_approver_id = plan.approver_id
    plan.approver_id = supervisor_id
    plan.submitted_at = clock.utc_now()
    plan.return_note = None
    if former_approver_id is not None and former_approver_id != supervisor_id:
        await approver_changed(
            session,
            region_id=plan.region_id,
            plan_id=plan.id,
            former_approver_id=former_approver_id,
        )
    return await _finish(session, principal, plan, SUBMIT, before, "submitted")


def _error(field: str, message: Msg, code: str, **params: object) -> dict[str, str]:
    return {"field": field, "message": message.render(None, **params), "code": code}


async def _submission_errors(session: AsyncSession, plan: Plan) -> list[dict[str, str]]:
    """Every reason the plan is not ready, so the employee can fix them all at once: targets
    without indicators, and weights that are partly missing or do not add up to 100."""
    targets = await repository.targets_of(session, plan)
    indicators = await repository.indicators_of(session, plan)
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


async def approve_plan(
    session: AsyncSession, principal: Principal, plan_id: uuid.UUID, if_match: str | None
) -> Plan:
    plan, before = await _transition(session, principal, plan_id, APPROVE, if_match)
    plan.approved_revision = plan.revision
    plan.approved_at = clock.utc_now()
    plan = await _finish(session, principal, plan, APPROVE, before, "approved")
    await record_revision(session, plan, principal.employee_id)
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
