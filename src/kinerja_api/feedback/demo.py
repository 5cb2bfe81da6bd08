"""Demo citizen-feedback data for a seeded region: service units with staff codes, a year of
IKM survey responses (so the report has something to show), a few complaints and the fixed-date
national holidays.

Idempotent like the rest of the demo seed: units, staff, complaints and holidays are found by
their natural keys (public codes, tracking codes, dates); survey responses are written only for
units that have none yet, and complaints only where their description is missing. Unit and staff
codes come from a fixed random stream per region so every run, on every machine, prints the same
posters; tracking codes do not, since a tracking code is the citizen's only key to a complaint
and must not be derivable from the public region code.
"""

import random
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.audit.service import record, snapshot
from kinerja_api.config import get_settings
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
# Fixed-date national holidays only; the lunar ones move every year and belong to the year's
# joint ministerial decree (SKB), which region administrators enter through the API.
NATIONAL_HOLIDAYS = (
    (date(2026, 1, 1), "Tahun Baru Masehi"),
    (date(2026, 5, 1), "Hari Buruh Internasional"),
    (date(2026, 6, 1), "Hari Lahir Pancasila"),
    (date(2026, 8, 17), "Hari Kemerdekaan Republik Indonesia"),
    (date(2026, 12, 25), "Hari Raya Natal"),
    (date(2027, 1, 1), "Tahun Baru Masehi"),
)
SURVEY_YEAR = 2026
SURVEY_DAYS = 300  # January to late October


@dataclass(frozen=True)
class DemoUnit:
    agency_code: str
    name: str
    responses: int
    staff_prefix: str | None = None


DEMO_UNITS = (
    DemoUnit("dinkes-puskesmas", "Puskesmas - Loket Pendaftaran", 48, "dinkes-puskesmas/"),
    DemoUnit("bkpsdm", "Layanan Administrasi Kepegawaian", 24),
    DemoUnit("disdik", "Layanan Perizinan Satuan Pendidikan", 12),
)
STAFF_PER_UNIT = 4


def _code(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(length))


async def _audit(
    session: AsyncSession, action: str, entity_type: str, rows: Sequence[Any], fields: Sequence[str]
) -> None:
    for row in rows:
        await record(
            session,
            None,
            action,
            entity_type=entity_type,
            entity_id=row.id,
            region_id=row.region_id,
            after=snapshot(row, fields),
        )


async def _insert(
    session: AsyncSession,
    created: Counter[str],
    model: Any,
    entity_type: str,
    fields: Sequence[str],
    rows: Sequence[dict[str, Any]],
    action: str = "created",
) -> list[Any]:
    if not rows:
        return []
    statement = insert(model).on_conflict_do_nothing().returning(model)
    inserted = list((await session.scalars(statement, list(rows))).all())
    created[entity_type] += len(inserted)
    await _audit(session, f"{entity_type}.{action}", entity_type, inserted, fields)
    return inserted


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
    created: Counter[str],
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
    start = datetime.combine(date(SURVEY_YEAR, 1, 5), time(1), tzinfo=UTC)
    rows = []
    for number in range(spec.responses):
        moment = start + timedelta(days=rng.randrange(SURVEY_DAYS), minutes=rng.randrange(8 * 60))
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
                "submitted_at": moment,
                **_scores(rng, mood),
                **_profile(rng),
            }
        )
    await _insert(
        session,
        created,
        FeedbackResponse,
        "feedback",
        ("service_unit_id", "staff_id"),
        rows,
        "received",
    )


async def _holidays(session: AsyncSession, created: Counter[str], region_id: uuid.UUID) -> None:
    rows = [{"region_id": region_id, "date": day, "name": name} for day, name in NATIONAL_HOLIDAYS]
    await _insert(session, created, Holiday, "holiday", HOLIDAY_FIELDS, rows)


async def _complaints(
    session: AsyncSession, created: Counter[str], region_id: uuid.UUID, unit: ServiceUnit
) -> None:
    """One answered and resolved, one new and already past its deadline."""
    submitted = datetime(SURVEY_YEAR, 10, 5, 2, tzinfo=UTC)
    working_days = get_settings().complaint_due_working_days
    common = {
        "region_id": region_id,
        "service_unit_id": unit.id,
        "agency_id": unit.agency_id,
        "location": unit.name,
        "submitted_at": submitted,
        "due_at": await region_deadline(session, region_id, submitted, working_days),
    }
    rows = [
        {
            **common,
            "category": "waiting_time",
            "description": "Antrean pendaftaran pagi hari lebih dari dua jam.",
            "status": "resolved",
            "resolved_at": submitted + timedelta(days=3),
        },
        {
            **common,
            "category": "facilities",
            "description": "Kursi ruang tunggu banyak yang rusak.",
            "status": "submitted",
        },
    ]
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
    await _insert(session, created, Complaint, "complaint", COMPLAINT_FIELDS, missing, "submitted")


async def seed_feedback(
    session: AsyncSession,
    created: Counter[str],
    *,
    region_id: uuid.UUID,
    region_code: str,
    agencies: Mapping[str, tuple[uuid.UUID, str]],
    employees: Mapping[str, uuid.UUID],
) -> None:
    # Deterministic demo data, not security: a fixed stream per region.
    rng = random.Random(f"kinerja-demo-feedback:{region_code}")  # noqa: S311
    await _holidays(session, created, region_id)
    first_unit: ServiceUnit | None = None
    for spec in DEMO_UNITS:
        code = _code(rng, UNIT_CODE_LENGTH)
        row = {
            "region_id": region_id,
            "agency_id": agencies[spec.agency_code][0],
            "code": code,
            "name": spec.name,
        }
        await _insert(session, created, ServiceUnit, "service_unit", UNIT_FIELDS, [row])
        unit = await session.scalar(select(ServiceUnit).where(ServiceUnit.code == code))
        assert unit is not None  # inserted just now, or already there
        staff = await _staff(session, created, rng, unit, spec, employees)
        await _responses(session, created, unit, spec, staff)
        first_unit = first_unit or unit
    assert first_unit is not None
    await _complaints(session, created, region_id, first_unit)


async def _staff(
    session: AsyncSession,
    created: Counter[str],
    rng: random.Random,
    unit: ServiceUnit,
    spec: DemoUnit,
    employees: Mapping[str, uuid.UUID],
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
        for number, key in enumerate(serving[:STAFF_PER_UNIT], start=1)
    ]
    await _insert(session, created, ServiceUnitStaff, "service_unit_staff", STAFF_FIELDS, rows)
    found = await session.scalars(
        select(ServiceUnitStaff.id)
        .where(ServiceUnitStaff.service_unit_id == unit.id)
        .order_by(ServiceUnitStaff.label)
    )
    return list(found)
