"""The citizen-feedback demo (feedback.toml): service units with staff codes, a year of IKM survey
responses (so the report has something to show), a few complaints and the fixed-date national
holidays.

Units, staff, complaints and holidays are found by their natural keys (public codes, tracking
codes, dates); survey responses are written only for units that have none yet, and complaints
only where their description is missing. Unit and staff codes come from a fixed random stream per
region so every run, on every machine, prints the same posters; tracking codes do not, since a
tracking code is the citizen's only key to a complaint and must not be derivable from the public
region code.
"""

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.config import get_settings
from kinerja_api.demo.data import read
from kinerja_api.demo.writing import DemoRegion, SeedReport, create
from kinerja_api.feedback.codes import (
    ALPHABET,
    STAFF_CODE_LENGTH,
    TRACKING_CODE_LENGTH,
    UNIT_CODE_LENGTH,
    random_code,
)
from kinerja_api.feedback.complaints.deadlines import region_deadline
from kinerja_api.models.feedback import (
    IKM_ELEMENTS,
    AgeBand,
    Complaint,
    Education,
    FeedbackResponse,
    Holiday,
    Occupation,
    ServiceUnit,
    ServiceUnitStaff,
    Sex,
)

UNIT_FIELDS = ("agency_id", "code", "name", "address", "active")
STAFF_FIELDS = ("service_unit_id", "employee_id", "code", "label", "active")
HOLIDAY_FIELDS = ("date", "name")
COMPLAINT_FIELDS = ("status", "category", "service_unit_id", "agency_id", "due_at")
RESPONSE_FIELDS = ("service_unit_id", "staff_id")
DATA = read("feedback.toml")


@dataclass(frozen=True)
class DemoUnit:
    agency_code: str
    name: str
    responses: int
    staff_prefix: str | None = None


DEMO_UNITS = tuple(
    DemoUnit(unit["agency"], unit["name"], unit["responses"], unit.get("staff_from"))
    for unit in DATA["units"]
)


async def seed(session: AsyncSession, region: DemoRegion, report: SeedReport) -> None:
    # Deterministic demo data, not security: a fixed stream per region.
    rng = random.Random(f"kinerja-demo-feedback:{region.spec.code}")  # noqa: S311
    await _holidays(session, report, region.id)
    first_unit: ServiceUnit | None = None
    for spec in DEMO_UNITS:
        code = _code(rng, UNIT_CODE_LENGTH)
        row = {
            "region_id": region.id,
            "agency_id": region.agencies[spec.agency_code][0],
            "code": code,
            "name": spec.name,
        }
        await create(session, report, ServiceUnit, "service_unit", UNIT_FIELDS, [row])
        unit = await session.scalar(select(ServiceUnit).where(ServiceUnit.code == code))
        assert unit is not None  # inserted just now, or already there
        staff = await _staff(session, report, rng, unit, spec, region.employees)
        await _responses(session, report, unit, spec, staff)
        first_unit = first_unit or unit
    assert first_unit is not None
    await _complaints(session, report, region.id, first_unit)


def _code(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(length))


def _scores(rng: random.Random, mood: float) -> dict[str, int]:
    """Mostly 3s and 4s, fewer for the elements citizens grumble about most."""
    scores = {}
    for element in IKM_ELEMENTS:
        drag = 0.15 if element in ("waktu", "sarana") else 0.0
        roll = rng.random() + mood - drag
        scores[element] = 4 if roll > 0.75 else 3 if roll > 0.2 else 2 if roll > 0.05 else 1
    return scores


def _profile(rng: random.Random) -> dict[str, str | None]:
    if rng.random() < 0.2:
        return {}
    return {
        "age_band": rng.choice(list(AgeBand)).value,
        "sex": rng.choice(list(Sex)).value,
        "education": rng.choice(list(Education)).value,
        "occupation": rng.choice(list(Occupation)).value,
    }


async def _responses(
    session: AsyncSession,
    report: SeedReport,
    unit: ServiceUnit,
    spec: DemoUnit,
    staff: Sequence[uuid.UUID],
) -> None:
    # A stream of its own per unit, so that skipping a unit never shifts what comes after.
    rng = random.Random(f"kinerja-demo-feedback:{unit.code}")  # noqa: S311
    already = await session.scalar(
        select(func.count())
        .select_from(FeedbackResponse)
        .where(FeedbackResponse.service_unit_id == unit.id)
    )
    if already:
        return
    mood = rng.uniform(-0.1, 0.15)
    start = datetime.combine(date(DATA["survey_year"], 1, 5), time(1), tzinfo=UTC)
    rows = []
    for number in range(spec.responses):
        days, minutes = rng.randrange(DATA["survey_days"]), rng.randrange(8 * 60)
        # The first staff member serves most citizens: enough responses to be reported.
        staff_id = None
        if staff:
            staff_id = staff[0] if number % 3 else rng.choice(staff)
        rows.append(
            {
                "region_id": unit.region_id,
                "service_unit_id": unit.id,
                "agency_id": unit.agency_id,
                "staff_id": staff_id,
                "submitted_at": start + timedelta(days=days, minutes=minutes),
                **_scores(rng, mood),
                **_profile(rng),
            }
        )
    await create(session, report, FeedbackResponse, "feedback", RESPONSE_FIELDS, rows, "received")


async def _holidays(session: AsyncSession, report: SeedReport, region_id: uuid.UUID) -> None:
    rows = [{"region_id": region_id, **holiday} for holiday in DATA["holidays"]]
    await create(session, report, Holiday, "holiday", HOLIDAY_FIELDS, rows)


async def _complaints(
    session: AsyncSession, report: SeedReport, region_id: uuid.UUID, unit: ServiceUnit
) -> None:
    submitted: datetime = DATA["complaints_submitted_at"]
    working_days = get_settings().complaint_due_working_days
    common = {
        "region_id": region_id,
        "service_unit_id": unit.id,
        "agency_id": unit.agency_id,
        "location": unit.name,
        "submitted_at": submitted,
        "due_at": await region_deadline(session, region_id, submitted, working_days),
    }
    rows = [_complaint(common, complaint) for complaint in DATA["complaints"]]
    there = set(
        await session.scalars(
            select(Complaint.description).where(
                Complaint.region_id == region_id,
                Complaint.service_unit_id == unit.id,
                Complaint.description.in_([row["description"] for row in rows]),
            )
        )
    )
    missing = [
        {**row, "tracking_code": random_code(TRACKING_CODE_LENGTH)}
        for row in rows
        if row["description"] not in there
    ]
    await create(session, report, Complaint, "complaint", COMPLAINT_FIELDS, missing, "submitted")


def _complaint(common: dict[str, Any], complaint: dict[str, Any]) -> dict[str, Any]:
    row = {
        **common,
        "category": complaint["category"],
        "description": complaint["description"],
        "status": complaint["status"],
    }
    if "resolved_after_days" in complaint:
        row["resolved_at"] = common["submitted_at"] + timedelta(
            days=complaint["resolved_after_days"]
        )
    return row


async def _staff(
    session: AsyncSession,
    report: SeedReport,
    rng: random.Random,
    unit: ServiceUnit,
    spec: DemoUnit,
    employees: dict[str, uuid.UUID],
) -> list[uuid.UUID]:
    if spec.staff_prefix is None:
        return []
    serving = sorted(key for key in employees if key.startswith(spec.staff_prefix))
    rows = [
        {
            "region_id": unit.region_id,
            "service_unit_id": unit.id,
            "employee_id": employees[key],
            "code": _code(rng, STAFF_CODE_LENGTH),
            "label": f"Petugas Loket {number}",
        }
        for number, key in enumerate(serving[: DATA["staff_per_unit"]], start=1)
    ]
    await create(session, report, ServiceUnitStaff, "service_unit_staff", STAFF_FIELDS, rows)
    found = await session.scalars(
        select(ServiceUnitStaff.id)
        .where(ServiceUnitStaff.service_unit_id == unit.id)
        .order_by(ServiceUnitStaff.label)
    )
    return list(found)
