"""The training demo: every region's catalog (training.toml) with one open session per program,
the first nearly full (one seat left for `employee@…`). Programs are found by name and sessions
by program; a second run adds nothing."""

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.core import clock
from kinerja_api.core.audit import record_entity
from kinerja_api.demo.data import read
from kinerja_api.demo.logins import EMPLOYEE_KEY, SUPERVISOR_KEY
from kinerja_api.demo.writing import DemoRegion, SeedReport
from kinerja_api.models.org import Employee
from kinerja_api.models.training import (
    EnrollmentStatus,
    TrainingEnrollment,
    TrainingProgram,
    TrainingSession,
)

CATALOG = read("training.toml")
PROGRAM_FIELDS = ("name", "kind", "competency_area", "provider", "jp", "active")
SESSION_FIELDS = ("program_id", "starts_at", "ends_at", "capacity", "status")
ENROLLMENT_FIELDS = ("session_id", "employee_id", "status", "arrival")


def _session_values(entry: dict[str, Any], region: DemoRegion) -> dict[str, Any]:
    zone = ZoneInfo(region.spec.timezone)
    today = clock.today_in(region.spec.timezone)
    hour, minute = (int(part) for part in entry["starts_at"].split(":"))
    starts_at = datetime.combine(
        today + timedelta(days=entry["starts_in_days"]), time(hour, minute), zone
    )
    mentor = entry.get("mentor")
    return {
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=entry["hours"]),
        "place": entry.get("place"),
        "meeting_link": entry.get("meeting_link"),
        "capacity": entry["capacity"],
        "enrollment_opens_at": datetime.combine(today, time(0, 0), zone),
        "enrollment_closes_at": starts_at - timedelta(days=1),
        "mentor_id": region.employees[mentor] if mentor else None,
    }


async def seed(session: AsyncSession, region: DemoRegion, report: SeedReport) -> None:
    existing = {
        program.name: program
        for program in await session.scalars(
            select(TrainingProgram).where(TrainingProgram.region_id == region.id)
        )
    }
    for number, entry in enumerate(CATALOG["programs"]):
        program = existing.get(entry["name"])
        if program is None:
            program = TrainingProgram(
                region_id=region.id,
                **{name: entry[name] for name in PROGRAM_FIELDS if name in entry},
                description=entry.get("description"),
            )
            session.add(program)
            await session.flush()
            report.created["training_program"] += 1
            await record_entity(
                session, None, "training_program", "created", program, PROGRAM_FIELDS
            )
        found = await session.scalar(
            select(TrainingSession.id).where(
                TrainingSession.region_id == region.id, TrainingSession.program_id == program.id
            )
        )
        if found is not None:
            continue
        training_session = TrainingSession(
            region_id=region.id, program_id=program.id, **_session_values(entry, region)
        )
        session.add(training_session)
        await session.flush()
        report.created["training_session"] += 1
        await record_entity(
            session, None, "training_session", "created", training_session, SESSION_FIELDS
        )
        if number == 0:
            await _fill(session, region, report, training_session)


async def _fill(
    session: AsyncSession, region: DemoRegion, report: SeedReport, training_session: Any
) -> None:
    """All seats but one taken, by the region's first employees (by key) other than the demo
    employee and their supervisor."""
    keys = sorted(k for k in region.employees if k not in (EMPLOYEE_KEY, SUPERVISOR_KEY))
    chosen = [region.employees[k] for k in keys[: CATALOG["enrolled"]]]
    agencies = dict(
        (
            await session.execute(
                select(Employee.id, Employee.agency_id).where(Employee.id.in_(chosen))
            )
        ).all()
    )
    now = clock.utc_now()
    for arrival, employee_id in enumerate(chosen, start=1):
        enrollment = TrainingEnrollment(
            region_id=region.id,
            session_id=training_session.id,
            program_id=training_session.program_id,
            employee_id=employee_id,
            agency_id=agencies[employee_id],
            status=EnrollmentStatus.ENROLLED,
            arrival=arrival,
            enrolled_at=now,
        )
        session.add(enrollment)
        await session.flush()
        report.created["training_enrollment"] += 1
        await record_entity(
            session, None, "training_enrollment", "enrolled", enrollment, ENROLLMENT_FIELDS
        )
    training_session.seats_taken = len(chosen)
    training_session.arrivals = len(chosen)
    await session.flush()
