"""360° cycles: drafted by the region's (or an agency subtree's) administrators, launched (every
assignment created at once from the supervisor chain as it stands), and closed. An employee who
joins after the launch is added to it."""

import uuid
from dataclasses import asdict
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import not_found, region_of
from kinerja_api.auth.principal import Principal
from kinerja_api.core import clock
from kinerja_api.core.audit import record, record_entity, snapshot
from kinerja_api.core.etag import check_if_match
from kinerja_api.core.events import publish
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import ListOf, list_page
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.core.problems import INVALID_TRANSITION, Problem, field_problem
from kinerja_api.evaluations.cycles import repository
from kinerja_api.evaluations.cycles.schemas import (
    AddEmployeeIn,
    AssignmentsAddedOut,
    CycleCreate,
    CycleFilters,
    CycleOut,
    CycleSort,
    CycleUpdate,
)
from kinerja_api.evaluations.events import CycleEventData
from kinerja_api.models.evaluations import CycleStatus, EvaluationCycle
from kinerja_api.models.org import Role
from kinerja_api.org.agencies.service import subtree

ENTITY = "evaluation_cycle"
AUDITED = (
    "period_id",
    "quarter",
    "agency_id",
    "name",
    "include_self",
    "include_supervisor",
    "include_peers",
    "include_subordinates",
    "peers_per_employee",
    "anonymity_threshold",
    "opens_on",
    "closes_on",
    "status",
    "launched_at",
)
GROUPS = ("include_self", "include_supervisor", "include_peers", "include_subordinates")
_LIST = ListOf(
    "evaluation-cycles",
    {
        CycleSort.OPENS_ON: Keyset((EvaluationCycle.opens_on, EvaluationCycle.id), descending=True),
        CycleSort.UPDATED_AT: Keyset((EvaluationCycle.updated_at, EvaluationCycle.id)),
    },
)
_PERIOD_UNKNOWN = Msg(
    "Periode tidak ditemukan di wilayah Anda.", "The period does not exist in your region."
)
_AGENCY_UNKNOWN = Msg(
    "Unit kerja tidak ditemukan atau di luar wewenang Anda.",
    "The agency does not exist or is outside what you manage.",
)
_OUTSIDE_PERIOD = Msg(
    "Tanggal siklus harus berada dalam tahun periode {year}.",
    "The cycle's dates must lie within the period's year {year}.",
)
_BEFORE_OPENING = Msg(
    "Tanggal tutup tidak boleh sebelum tanggal buka.", "closes_on must not be before opens_on."
)
_NO_GROUP = Msg("Sertakan sedikitnya satu kelompok penilai.", "Include at least one rater group.")
_TRANSITION = Msg(
    "Siklus berstatus {status} tidak dapat {action}.",
    "A cycle that is {status} cannot be {action}.",
)
_CLOSE_DATE_PASSED = Msg(
    "Tanggal tutup siklus ({closes_on}) sudah lewat; ubah dulu tanggalnya.",
    "The cycle's close date ({closes_on}) has passed; change its dates first.",
)
_NOT_RATED = Msg(
    "Pegawai tidak aktif atau di luar cakupan siklus ini.",
    "The employee is not active or is outside this cycle's scope.",
)


def cycle_out(cycle: EvaluationCycle, zone: str) -> CycleOut:
    return CycleOut.model_validate(
        {
            **{name: getattr(cycle, name) for name in CycleOut.model_fields if name != "timezone"},
            "timezone": zone,
        }
    )


async def view(session: AsyncSession, cycle: EvaluationCycle) -> CycleOut:
    return cycle_out(cycle, await clock.region_zone(session, cycle.region_id))


def _refused(cycle: EvaluationCycle, action: str, **extensions: Any) -> Problem:
    return Problem(
        INVALID_TRANSITION,
        _TRANSITION,
        params={"status": cycle.status, "action": action},
        current_status=cycle.status,
        **extensions,
    )


async def list_cycles(
    session: AsyncSession,
    principal: Principal,
    *,
    filters: CycleFilters,
    sort: CycleSort,
    page: PageParams,
) -> tuple[list[CycleOut], str | None]:
    cycles, cursor = await list_page(
        session,
        repository.readable_cycles(principal),
        _LIST,
        sort,
        cursor_filters=asdict(filters),
        page=page,
        equal={
            EvaluationCycle.status: filters.status,
            EvaluationCycle.period_id: filters.period_id,
        },
        subtree=subtree(principal, filters.under, EvaluationCycle.agency_id),
        updated_at=EvaluationCycle.updated_at,
        updated_since=filters.updated_since,
    )
    zones = await repository.zones(session, {c.region_id for c in cycles}) if cycles else {}
    return [cycle_out(c, zones[c.region_id]) for c in cycles], cursor


async def get_cycle(
    session: AsyncSession, principal: Principal, cycle_id: uuid.UUID
) -> EvaluationCycle:
    cycle = await repository.find(session, principal, cycle_id)
    if cycle is None:
        raise not_found("Evaluation cycle")
    return cycle


async def _managed(
    session: AsyncSession, principal: Principal, cycle_id: uuid.UUID
) -> EvaluationCycle:
    cycle = await repository.find(session, principal, cycle_id, manage=True, lock=True)
    if cycle is None:
        raise not_found("Evaluation cycle")
    return cycle


async def _check_dates(
    session: AsyncSession,
    region_id: uuid.UUID,
    period_id: uuid.UUID,
    opens_on: date,
    closes_on: date,
) -> None:
    year = await repository.period_year(session, region_id, period_id)
    if year is None:
        raise field_problem("body.period_id", _PERIOD_UNKNOWN, code="not_found")
    for field, day in (("opens_on", opens_on), ("closes_on", closes_on)):
        if day.year != year:
            raise field_problem(f"body.{field}", _OUTSIDE_PERIOD, code="outside_period", year=year)


async def create_cycle(
    session: AsyncSession, principal: Principal, data: CycleCreate
) -> EvaluationCycle:
    region_id = region_of(principal)
    await _check_dates(session, region_id, data.period_id, data.opens_on, data.closes_on)
    agency_id = data.agency_id
    if agency_id is None and not principal.has_any(Role.REGION_ADMIN):
        agency_id = principal.agency_id
    if agency_id is not None and not await repository.manageable_agency(
        session, principal, region_id, agency_id
    ):
        raise field_problem("body.agency_id", _AGENCY_UNKNOWN, code="not_found")
    cycle = EvaluationCycle(region_id=region_id, **data.model_dump(exclude={"agency_id"}))
    cycle.agency_id = agency_id
    session.add(cycle)
    await session.flush()
    await record_entity(session, principal, ENTITY, "created", cycle, AUDITED)
    return cycle


async def update_cycle(
    session: AsyncSession,
    principal: Principal,
    cycle_id: uuid.UUID,
    data: CycleUpdate,
    if_match: str | None,
) -> EvaluationCycle:
    cycle = await _managed(session, principal, cycle_id)
    check_if_match(if_match, cycle.version)
    if cycle.status != CycleStatus.DRAFT:
        raise _refused(cycle, "changed")
    changes = data.changes()
    opens_on = changes.get("opens_on", cycle.opens_on)
    closes_on = changes.get("closes_on", cycle.closes_on)
    if closes_on < opens_on:
        raise field_problem("body.closes_on", _BEFORE_OPENING)
    if not any(changes.get(name, getattr(cycle, name)) for name in GROUPS):
        raise field_problem("body", _NO_GROUP)
    await _check_dates(session, cycle.region_id, cycle.period_id, opens_on, closes_on)
    before = snapshot(cycle, AUDITED)
    for name, value in changes.items():
        setattr(cycle, name, value)
    await session.flush()
    await record_entity(session, principal, ENTITY, "updated", cycle, AUDITED, before=before)
    return cycle


async def _announce(session: AsyncSession, cycle: EvaluationCycle, event: str) -> None:
    await publish(
        session,
        f"evaluation.{event}",
        region_id=cycle.region_id,
        entity_type=ENTITY,
        entity_id=cycle.id,
        agency_id=cycle.agency_id,
        payload=CycleEventData(
            cycle_id=cycle.id, period_id=cycle.period_id, status=CycleStatus(cycle.status)
        ),
    )


async def launch(
    session: AsyncSession, principal: Principal, cycle_id: uuid.UUID, if_match: str | None
) -> EvaluationCycle:
    """Creates every assignment in this one transaction. A cycle already launched is answered
    as it is, whatever the If-Match: a retried launch changes nothing."""
    cycle = await _managed(session, principal, cycle_id)
    if cycle.status == CycleStatus.LAUNCHED:
        return cycle
    check_if_match(if_match, cycle.version)
    if cycle.status != CycleStatus.DRAFT:
        raise _refused(cycle, "launched")
    if await clock.region_today(session, cycle.region_id) > cycle.closes_on:
        raise Problem(
            INVALID_TRANSITION,
            _CLOSE_DATE_PASSED,
            params={"closes_on": cycle.closes_on.isoformat()},
            current_status=cycle.status,
        )
    before = snapshot(cycle, AUDITED)
    created = await repository.assign(session, cycle)
    cycle.status = CycleStatus.LAUNCHED
    cycle.launched_at = clock.utc_now()
    await session.flush()
    after = snapshot(cycle, AUDITED)
    await record(
        session,
        principal,
        f"{ENTITY}.launched",
        entity_type=ENTITY,
        entity_id=cycle.id,
        region_id=cycle.region_id,
        before=before,
        after={**after, "assignments": created},
    )
    await _announce(session, cycle, "cycle_launched")
    return cycle


async def close(
    session: AsyncSession, principal: Principal, cycle_id: uuid.UUID, if_match: str | None
) -> EvaluationCycle:
    """No more answers are taken; unanswered assignments become overdue with the daily job
    once the close date has passed."""
    cycle = await _managed(session, principal, cycle_id)
    check_if_match(if_match, cycle.version)
    if cycle.status != CycleStatus.LAUNCHED:
        raise _refused(cycle, "closed")
    before = snapshot(cycle, AUDITED)
    cycle.status = CycleStatus.CLOSED
    await session.flush()
    await record_entity(session, principal, ENTITY, "closed", cycle, AUDITED, before=before)
    await _announce(session, cycle, "cycle_closed")
    return cycle


async def add_employee(
    session: AsyncSession, principal: Principal, cycle_id: uuid.UUID, data: AddEmployeeIn
) -> AssignmentsAddedOut:
    """Assignments for an employee who joined after the launch, as ratee and as rater, from the
    chain as it stands now. Adding them again creates nothing."""
    cycle = await _managed(session, principal, cycle_id)
    if cycle.status != CycleStatus.LAUNCHED:
        raise _refused(cycle, "joined")
    if not await repository.is_rated(session, cycle, data.employee_id):
        raise field_problem("body.employee_id", _NOT_RATED, code="not_found")
    created = await repository.assign(session, cycle, employee_id=data.employee_id)
    if created:
        await record(
            session,
            principal,
            f"{ENTITY}.employee_added",
            entity_type=ENTITY,
            entity_id=cycle.id,
            region_id=cycle.region_id,
            after={"employee_id": str(data.employee_id), "assignments": created},
        )
    return AssignmentsAddedOut(cycle_id=cycle.id, employee_id=data.employee_id, added=created)
