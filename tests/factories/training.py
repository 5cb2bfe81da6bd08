"""Training: programs, sessions (with an open enrollment window unless told otherwise) and
enrollments, inserted as the tables hold them."""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import update

from kinerja_api.core import clock
from kinerja_api.models.training import (
    JpLedgerEntry,
    TrainingEnrollment,
    TrainingProgram,
    TrainingSession,
)
from tests.factories.base import Factories, serial


class TrainingFactories(Factories):
    async def program(self, region: Any, **values: Any) -> Any:
        return await self._insert(
            TrainingProgram,
            region_id=region.id,
            name=values.pop("name", f"Pelatihan {next(serial)}"),
            kind=values.pop("kind", "pelatihan_klasikal"),
            competency_area=values.pop("competency_area", "manajerial"),
            provider=values.pop("provider", "BKPSDM"),
            jp=values.pop("jp", 24),
            **values,
        )

    async def training_session(self, program: Any, **values: Any) -> Any:
        now = clock.utc_now()
        starts_at = values.pop("starts_at", now + timedelta(days=14))
        return await self._insert(
            TrainingSession,
            region_id=program.region_id,
            program_id=program.id,
            starts_at=starts_at,
            ends_at=values.pop("ends_at", starts_at + timedelta(hours=8)),
            place=values.pop("place", "Aula BKPSDM"),
            capacity=values.pop("capacity", 30),
            enrollment_opens_at=values.pop("enrollment_opens_at", now - timedelta(days=1)),
            enrollment_closes_at=values.pop("enrollment_closes_at", now + timedelta(days=7)),
            **values,
        )

    async def enrollment(self, training_session: Any, employee: Any, **values: Any) -> Any:
        """A seat (or, with `status="waitlisted"`, the next waitlist number), counted on the
        session as the service counts it."""
        status = values.pop("status", "enrolled")
        current = await self.connection.execute(
            update(TrainingSession)
            .where(TrainingSession.id == training_session.id)
            .values(
                arrivals=TrainingSession.arrivals + 1,
                seats_taken=TrainingSession.seats_taken + (1 if status == "enrolled" else 0),
                waitlist_next=TrainingSession.waitlist_next + (1 if status == "waitlisted" else 0),
            )
            .returning(TrainingSession.arrivals, TrainingSession.waitlist_next)
        )
        arrivals, waitlist_next = current.one()
        return await self._insert(
            TrainingEnrollment,
            region_id=training_session.region_id,
            session_id=training_session.id,
            program_id=training_session.program_id,
            employee_id=employee.id,
            agency_id=employee.agency_id,
            status=status,
            arrival=arrivals,
            waitlist_order=waitlist_next - 1 if status == "waitlisted" else None,
            enrolled_at=clock.utc_now() if status == "enrolled" else None,
            **values,
        )

    async def jp_entry(self, employee: Any, **values: Any) -> Any:
        """A ledger row: external with its evidence unless an `enrollment` is given (then
        training, for the enrollment's employee)."""
        enrollment = values.pop("enrollment", None)
        completed_on = values.pop("completed_on", date(2026, 6, 1))
        return await self._insert(
            JpLedgerEntry,
            region_id=employee.region_id,
            employee_id=employee.id,
            year=values.pop("year", completed_on.year),
            jp=values.pop("jp", 8),
            source="training" if enrollment is not None else "external",
            enrollment_id=enrollment.id if enrollment is not None else None,
            activity=values.pop("activity", f"Kegiatan {next(serial)}"),
            completed_on=completed_on,
            evidence=values.pop("evidence", None if enrollment is not None else "Sertifikat 1"),
            **values,
        )
