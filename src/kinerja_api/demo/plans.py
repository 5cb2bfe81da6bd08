"""The plans' demo: each region's open performance year and a plan per employee, cascading from
the agency heads' approved plans. Plans are found by (period, employee); targets are written only
for plans created in this run, so a second run writes nothing."""

import random
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.core import clock
from kinerja_api.demo.logins import EMPLOYEE_KEY
from kinerja_api.demo.people import EmployeeRow, RegionPlan
from kinerja_api.demo.writing import DemoRegion, SeedReport, create
from kinerja_api.models.plans import (
    Aggregation,
    Aspect,
    CascadeMode,
    Indicator,
    Period,
    Plan,
    PlanRevision,
    PlanStatus,
    Target,
    TargetKind,
)
from kinerja_api.plans.revisions import plan_snapshot

PERIOD_FIELDS = ("year", "status")
PLAN_FIELDS = ("period_id", "employee_id", "agency_id", "approver_id", "status", "revision")
# The demo's current performance year, open in every region.
DEMO_YEAR = 2026
# Every leaf employee's main indicator; each supervisor's is the sum of their reports' shares.
LEAF_OUTPUT = Decimal(12)


async def seed(session: AsyncSession, region: DemoRegion, report: SeedReport) -> None:
    period_id = await _ensure_period(session, region.id, report)
    rows = _plan_rows(region, period_id)
    plans = await create(session, report, Plan, "plan", PLAN_FIELDS, rows)
    if not plans:
        return
    created = {plan.employee_id: plan for plan in plans}
    await _write_targets(session, region, period_id, created, report)
    await _write_revisions(session, region.id, created.values())


def _plan_statuses(plan: RegionPlan) -> dict[str, PlanStatus]:
    """Agency heads' plans are approved, so their staff can cascade from them; the rest are a
    mix (half approved, some submitted, some drafts). The employee login's plan awaits the
    supervisor login's approval."""
    rng = random.Random(f"kinerja-demo-plans:{plan.spec.code}")  # noqa: S311 - demo data
    statuses: dict[str, PlanStatus] = {}
    for employee in plan.employees:
        draw = rng.random()
        if employee.key.endswith("/head") or employee.supervisor_key is None:
            statuses[employee.key] = PlanStatus.APPROVED
        elif employee.key == EMPLOYEE_KEY:
            statuses[employee.key] = PlanStatus.SUBMITTED
        else:
            statuses[employee.key] = (
                PlanStatus.APPROVED
                if draw < 0.5
                else PlanStatus.SUBMITTED
                if draw < 0.8
                else PlanStatus.DRAFT
            )
    return statuses


def _outputs(plan: RegionPlan) -> dict[str, Decimal]:
    """Main indicator per employee: leaves produce LEAF_OUTPUT, supervisors the sum of their
    reports', so every direct cascade in the demo is aligned."""
    outputs: dict[str, Decimal] = {}
    for employee in reversed(plan.employees):
        outputs.setdefault(employee.key, LEAF_OUTPUT)
        if employee.supervisor_key is not None:
            below = outputs.get(employee.supervisor_key, Decimal(0))
            outputs[employee.supervisor_key] = below + outputs[employee.key]
    return outputs


async def _ensure_period(
    session: AsyncSession, region_id: uuid.UUID, report: SeedReport
) -> uuid.UUID:
    row = {"region_id": region_id, "year": DEMO_YEAR}
    await create(session, report, Period, "period", PERIOD_FIELDS, [row])
    period_id = await session.scalar(
        select(Period.id).where(Period.region_id == region_id, Period.year == DEMO_YEAR)
    )
    assert period_id is not None
    return period_id


def _plan_rows(region: DemoRegion, period_id: uuid.UUID) -> list[dict[str, Any]]:
    statuses = _plan_statuses(region.plan)
    employees = region.employees
    now = clock.utc_now()
    rows = []
    for employee in region.plan.employees:
        status = statuses[employee.key]
        waiting = status in (PlanStatus.SUBMITTED, PlanStatus.APPROVED)
        approved = status is PlanStatus.APPROVED
        rows.append(
            {
                "region_id": region.id,
                "period_id": period_id,
                "employee_id": employees[employee.key],
                "agency_id": region.agencies[employee.agency_code][0],
                "approver_id": employees[employee.supervisor_key]
                if waiting and employee.supervisor_key
                else None,
                "status": status.value,
                "approved_revision": 1 if approved else None,
                "submitted_at": now if waiting else None,
                "approved_at": now if approved else None,
            }
        )
    return rows


def _targets_of(
    employee: EmployeeRow,
    plan_row: Plan,
    agency_name: str,
    output: Decimal,
    parent: tuple[uuid.UUID, uuid.UUID] | None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A main target cascading directly from the supervisor's, and an additional one."""
    main_id, extra_id = uuid.uuid4(), uuid.uuid4()
    main_indicator = uuid.uuid4()
    common = {"region_id": plan_row.region_id, "plan_id": plan_row.id}
    leads = employee.key.endswith("/head")
    main_title = (
        f"Meningkatnya kinerja layanan {agency_name}"
        if leads
        else f"Terselesaikannya pekerjaan {employee.position} tepat waktu"
    )
    targets = [
        {
            **common,
            "id": main_id,
            "kind": TargetKind.UTAMA.value,
            "title": main_title,
            "description": None,
            "public": leads,
            "parent_target_id": parent[0] if parent else None,
            "cascade_mode": CascadeMode.DIRECT.value if parent else None,
            "position": 0,
        },
        {
            **common,
            "id": extra_id,
            "kind": TargetKind.TAMBAHAN.value,
            "title": f"Terlaksananya tugas tambahan {employee.position}",
            "description": None,
            "public": False,
            "parent_target_id": None,
            "cascade_mode": None,
            "position": 1,
        },
    ]
    indicator = {**common, "weight": None}
    indicators = [
        {
            **indicator,
            "id": main_indicator,
            "target_id": main_id,
            "aspect": Aspect.KUANTITAS.value,
            "description": "Jumlah layanan dan dokumen yang diselesaikan",
            "target_value": output,
            "unit": "dokumen",
            "aggregation": Aggregation.SUM.value,
            "parent_indicator_id": parent[1] if parent else None,
            "position": 0,
        },
        {
            **indicator,
            "id": uuid.uuid4(),
            "target_id": main_id,
            "aspect": Aspect.WAKTU.value,
            "description": "Penyelesaian sesuai jadwal",
            "target_value": Decimal(12),
            "unit": "bulan",
            "aggregation": Aggregation.LATEST.value,
            "parent_indicator_id": None,
            "position": 1,
        },
        {
            **indicator,
            "id": uuid.uuid4(),
            "target_id": extra_id,
            "aspect": Aspect.KUALITAS.value,
            "description": "Persentase hasil kerja tanpa revisi",
            "target_value": Decimal(90),
            "unit": "persen",
            "aggregation": Aggregation.AVERAGE.value,
            "parent_indicator_id": None,
            "position": 0,
        },
    ]
    return targets, indicators


async def _main_targets(
    session: AsyncSession, period_id: uuid.UUID
) -> dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID]]:
    """Employee id → (main target, its main indicator) of plans already written."""
    rows = await session.execute(
        select(Plan.employee_id, Target.id, Indicator.id)
        .join(Target, (Target.plan_id == Plan.id) & (Target.position == 0))
        .join(Indicator, (Indicator.target_id == Target.id) & (Indicator.position == 0))
        .where(Plan.period_id == period_id, Target.kind == TargetKind.UTAMA.value)
    )
    return {employee_id: (target_id, indicator_id) for employee_id, target_id, indicator_id in rows}


async def _write_targets(
    session: AsyncSession,
    region: DemoRegion,
    period_id: uuid.UUID,
    created: dict[uuid.UUID, Plan],
    report: SeedReport,
) -> None:
    """Each new plan's targets, each main one cascading from its supervisor's."""
    parents = await _main_targets(session, period_id)
    outputs = _outputs(region.plan)
    names = {agency.code: agency.name for agency in region.plan.agencies}
    targets: list[dict[str, Any]] = []
    indicators: list[dict[str, Any]] = []
    for employee in region.plan.employees:  # supervisors first
        employee_id = region.employees[employee.key]
        if employee_id not in created:
            continue
        supervisor = region.employees[employee.supervisor_key] if employee.supervisor_key else None
        parent = parents.get(supervisor) if supervisor else None
        new_targets, new_indicators = _targets_of(
            employee,
            created[employee_id],
            names[employee.agency_code],
            outputs[employee.key],
            parent,
        )
        parents[employee_id] = (new_targets[0]["id"], new_indicators[0]["id"])
        targets += new_targets
        indicators += new_indicators
    await session.execute(insert(Target), targets)
    await session.execute(insert(Indicator), indicators)
    report.created["target"] += len(targets)
    report.created["indicator"] += len(indicators)


async def _write_revisions(
    session: AsyncSession, region_id: uuid.UUID, created: Iterable[Plan]
) -> None:
    """Revision 1 of every approved new plan, as approval would have recorded it."""
    revisions = [
        {
            "region_id": region_id,
            "plan_id": row.id,
            "revision": 1,
            "approved_at": row.approved_at or clock.utc_now(),
            "approved_by": row.approver_id,
            "snapshot": await plan_snapshot(session, row),
        }
        for row in created
        if row.status == PlanStatus.APPROVED
    ]
    if revisions:
        await session.execute(insert(PlanRevision), revisions)
