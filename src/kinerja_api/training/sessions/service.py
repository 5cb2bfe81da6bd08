"""Sessions of the catalog's programs: scheduled by the region's training and region
administrators, read by everyone of the region; cancelling one cancels its enrollments and
tells each participant."""

import uuid
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import not_found, region_of
from kinerja_api.auth.principal import Principal
from kinerja_api.core import clock
from kinerja_api.core.audit import record_entity, snapshot
from kinerja_api.core.etag import check_if_match
from kinerja_api.core.events import publish
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import ListOf, ListQuery, list_query, page_of
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.core.problems import INVALID_TRANSITION, Problem, field_problem
from kinerja_api.models.training import ProgramKind, SessionStatus, TrainingSession
from kinerja_api.training.enrollments import repository as enrollments
from kinerja_api.training.enrollments.waitlist import promote
from kinerja_api.training.events import SessionCancelledEventData
from kinerja_api.training.localtime import as_instant, in_zone
from kinerja_api.training.sessions import repository
from kinerja_api.training.sessions.repository import set_counters
from kinerja_api.training.sessions.schemas import (
    SessionCreate,
    SessionFilters,
    SessionOut,
    SessionSort,
    SessionUpdate,
)

ENTITY = "training_session"
AUDITED = (
    "program_id",
    "starts_at",
    "ends_at",
    "place",
    "meeting_link",
    "capacity",
    "enrollment_opens_at",
    "enrollment_closes_at",
    "eligible_agency_ids",
    "eligible_employment_types",
    "mentor_id",
    "status",
    "cancelled_at",
)
TIMES = ("starts_at", "ends_at", "enrollment_opens_at", "enrollment_closes_at")
_LIST = ListOf(
    "training-sessions",
    {
        SessionSort.STARTS_AT: Keyset((TrainingSession.starts_at, TrainingSession.id)),
        SessionSort.UPDATED_AT: Keyset((TrainingSession.updated_at, TrainingSession.id)),
    },
)
_PROGRAM_UNKNOWN = Msg(
    "Program pelatihan tidak ditemukan di wilayah Anda.",
    "The training program does not exist in your region.",
)
_PROGRAM_INACTIVE = Msg(
    "Program pelatihan tidak aktif; sesi baru tidak dapat dijadwalkan.",
    "The training program is inactive: no new session may be scheduled.",
)
_AGENCY_UNKNOWN = Msg(
    "Unit kerja tidak ditemukan di wilayah Anda.", "The agency does not exist in your region."
)
_MENTOR_UNKNOWN = Msg(
    "Mentor harus pegawai aktif di wilayah Anda.",
    "The mentor must be an active employee of your region.",
)
_MENTOR_REQUIRED = Msg("Sesi mentoring memerlukan mentor.", "A mentoring session needs a mentor.")
_ENDS_BEFORE = Msg("Waktu selesai harus setelah waktu mulai.", "ends_at must be after starts_at.")
_WINDOW_BACKWARDS = Msg(
    "Pendaftaran harus ditutup setelah dibuka.",
    "enrollment_closes_at must be after enrollment_opens_at.",
)
_WINDOW_AFTER_START = Msg(
    "Pendaftaran harus ditutup paling lambat saat sesi dimulai.",
    "enrollment_closes_at must not be after starts_at.",
)
_NOWHERE = Msg("Sebutkan tempat atau tautan pertemuan.", "Give a place, a meeting link or both.")
_BELOW_SEATS = Msg(
    "Kapasitas tidak boleh kurang dari {seats} kursi yang sudah terisi.",
    "The capacity cannot be less than the {seats} seats already taken.",
)
_CANCELLED = Msg(
    "Sesi sudah dibatalkan dan tidak dapat diubah.",
    "The session is cancelled and cannot be changed.",
)


def session_out(training_session: TrainingSession, zone: str) -> SessionOut:
    values: dict[str, Any] = {
        name: getattr(training_session, name)
        for name in SessionOut.model_fields
        if name not in ("timezone", "seats_left")
    }
    for name in TIMES:
        values[name] = in_zone(values[name], zone)
    values["timezone"] = zone
    values["seats_left"] = training_session.capacity - training_session.seats_taken
    return SessionOut.model_validate(values)


async def view(session: AsyncSession, training_session: TrainingSession) -> SessionOut:
    return session_out(
        training_session, await clock.region_zone(session, training_session.region_id)
    )


async def sessions_query(
    _session: AsyncSession, principal: Principal, filters: SessionFilters, sort: SessionSort
) -> ListQuery:
    return list_query(
        repository.readable_sessions(principal),
        _LIST,
        sort,
        cursor_filters=asdict(filters),
        equal={
            TrainingSession.program_id: filters.program_id,
            TrainingSession.status: filters.status,
        },
        where=(
            TrainingSession.starts_at >= filters.from_ if filters.from_ is not None else None,
            TrainingSession.starts_at < filters.to if filters.to is not None else None,
        ),
        updated_at=TrainingSession.updated_at,
        updated_since=filters.updated_since,
    )


async def session_views(
    session: AsyncSession, _principal: Principal, found: Sequence[TrainingSession]
) -> list[SessionOut]:
    """Sessions in their region's time zone."""
    zones: dict[uuid.UUID, str] = {}
    for region_id in {s.region_id for s in found}:
        zones[region_id] = await clock.region_zone(session, region_id)
    return [session_out(s, zones[s.region_id]) for s in found]


async def list_sessions(
    session: AsyncSession,
    principal: Principal,
    *,
    filters: SessionFilters,
    sort: SessionSort,
    page: PageParams,
) -> tuple[list[SessionOut], str | None]:
    query = await sessions_query(session, principal, filters, sort)
    found, cursor = await page_of(session, query, page)
    return await session_views(session, principal, found), cursor


async def get_session(
    session: AsyncSession, principal: Principal, session_id: uuid.UUID
) -> TrainingSession:
    found = await repository.find(session, principal, session_id)
    if found is None:
        raise not_found("Training session")
    return found


def _check_times(values: dict[str, Any]) -> None:
    if values["ends_at"] <= values["starts_at"]:
        raise field_problem("body.ends_at", _ENDS_BEFORE)
    if values["enrollment_closes_at"] <= values["enrollment_opens_at"]:
        raise field_problem("body.enrollment_closes_at", _WINDOW_BACKWARDS)
    if values["enrollment_closes_at"] > values["starts_at"]:
        raise field_problem("body.enrollment_closes_at", _WINDOW_AFTER_START)
    if values["place"] is None and values["meeting_link"] is None:
        raise field_problem("body.place", _NOWHERE)


async def _check_people(
    session: AsyncSession, region_id: uuid.UUID, values: dict[str, Any], kind: str
) -> None:
    unknown = await repository.unknown_agencies(session, region_id, values["eligible_agency_ids"])
    if unknown:
        raise field_problem("body.eligible_agency_ids", _AGENCY_UNKNOWN, code="not_found")
    mentor = values["mentor_id"]
    if mentor is not None and not await repository.is_active_employee(session, region_id, mentor):
        raise field_problem("body.mentor_id", _MENTOR_UNKNOWN, code="not_found")
    if mentor is None and kind == ProgramKind.MENTORING:
        raise field_problem("body.mentor_id", _MENTOR_REQUIRED, code="required")


def _storable(values: dict[str, Any], zone: str) -> dict[str, Any]:
    stored = dict(values)
    for name in TIMES:
        if isinstance(stored.get(name), datetime):
            stored[name] = as_instant(stored[name], zone)
    if stored.get("meeting_link") is not None:
        stored["meeting_link"] = str(stored["meeting_link"])
    if "eligible_employment_types" in stored:
        stored["eligible_employment_types"] = sorted(set(stored["eligible_employment_types"]))
    if "eligible_agency_ids" in stored:
        stored["eligible_agency_ids"] = sorted(set(stored["eligible_agency_ids"]), key=str)
    return stored


async def create_session(
    session: AsyncSession, principal: Principal, data: SessionCreate
) -> TrainingSession:
    region_id = region_of(principal)
    zone = await clock.region_zone(session, region_id)
    values = _storable(data.model_dump(), zone)
    _check_times(values)
    program = await repository.program_for_session(session, region_id, data.program_id)
    if program is None:
        raise field_problem("body.program_id", _PROGRAM_UNKNOWN, code="not_found")
    if not program.active:
        raise field_problem("body.program_id", _PROGRAM_INACTIVE, code="inactive")
    await _check_people(session, region_id, values, program.kind)
    training_session = TrainingSession(region_id=region_id, **values)
    session.add(training_session)
    await session.flush()
    await record_entity(session, principal, ENTITY, "created", training_session, AUDITED)
    return training_session


async def _managed(
    session: AsyncSession, principal: Principal, session_id: uuid.UUID
) -> TrainingSession:
    found = await repository.find(session, principal, session_id, manage=True, lock=True)
    if found is None:
        raise not_found("Training session")
    return found


async def update_session(
    session: AsyncSession,
    principal: Principal,
    session_id: uuid.UUID,
    data: SessionUpdate,
    if_match: str | None,
) -> TrainingSession:
    training_session = await _managed(session, principal, session_id)
    check_if_match(if_match, training_session.version)
    if training_session.status == SessionStatus.CANCELLED:
        raise Problem(INVALID_TRANSITION, _CANCELLED, current_status=training_session.status)
    zone = await clock.region_zone(session, training_session.region_id)
    changes = _storable(data.changes(), zone)
    merged = {name: getattr(training_session, name) for name in AUDITED} | changes
    _check_times(merged)
    if merged["capacity"] < training_session.seats_taken:
        raise field_problem(
            "body.capacity", _BELOW_SEATS, code="below_seats", seats=training_session.seats_taken
        )
    program = await repository.program_for_session(
        session, training_session.region_id, training_session.program_id
    )
    assert program is not None  # a foreign key of the same region
    await _check_people(session, training_session.region_id, merged, program.kind)
    before = snapshot(training_session, AUDITED)
    for name, value in changes.items():
        setattr(training_session, name, value)
    await session.flush()
    await record_entity(
        session, principal, ENTITY, "updated", training_session, AUDITED, before=before
    )
    free = training_session.capacity - training_session.seats_taken
    promoted = await promote(session, principal, training_session, free)
    if promoted:
        await set_counters(
            session, training_session.id, seats_taken=training_session.seats_taken + promoted
        )
        await session.refresh(training_session)
    return training_session


async def cancel_session(
    session: AsyncSession, principal: Principal, session_id: uuid.UUID, if_match: str | None
) -> TrainingSession:
    """Cancels the session and every enrollment still holding a seat or a waitlist place, and
    tells each of those participants. Cancelling a cancelled session changes nothing."""
    training_session = await _managed(session, principal, session_id)
    if training_session.status == SessionStatus.CANCELLED:
        return training_session
    check_if_match(if_match, training_session.version)
    before = snapshot(training_session, AUDITED)
    now = clock.utc_now()
    training_session.status = SessionStatus.CANCELLED
    training_session.cancelled_at = now
    training_session.seats_taken = 0
    await session.flush()
    cancelled = await enrollments.cancel_all(session, training_session.id, now)
    await record_entity(
        session, principal, ENTITY, "cancelled", training_session, AUDITED, before=before
    )
    for enrollment_id, employee_id, agency_id in cancelled:
        await publish(
            session,
            "training.session_cancelled",
            region_id=training_session.region_id,
            entity_type=ENTITY,
            entity_id=training_session.id,
            employee_id=employee_id,
            agency_id=agency_id,
            payload=SessionCancelledEventData(
                session_id=training_session.id,
                program_id=training_session.program_id,
                enrollment_id=enrollment_id,
                starts_at=training_session.starts_at,
            ),
        )
    return training_session
