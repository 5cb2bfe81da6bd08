"""Citizen feedback: service units, their staff, survey responses, holidays and complaints."""

from datetime import UTC, date, datetime
from typing import Any

from kinerja_api.models.feedback import (
    IKM_ELEMENTS,
    Complaint,
    FeedbackResponse,
    Holiday,
    ServiceUnit,
    ServiceUnitStaff,
)
from tests.factories.base import Factories, serial


class FeedbackFactories(Factories):
    async def service_unit(self, agency: Any, code: str | None = None, **values: Any) -> Any:
        return await self._insert(
            ServiceUnit,
            region_id=agency.region_id,
            agency_id=agency.id,
            code=code or f"U{next(serial):07d}",
            name=values.pop("name", f"Loket {next(serial)}"),
            **values,
        )

    async def staff(self, unit: Any, employee: Any, label: str = "Petugas Loket") -> Any:
        return await self._insert(
            ServiceUnitStaff,
            region_id=unit.region_id,
            service_unit_id=unit.id,
            employee_id=employee.id,
            code=f"S{next(serial):07d}",
            label=label,
        )

    async def feedback(
        self, unit: Any, scores: list[int] | int = 3, staff: Any = None, **values: Any
    ) -> Any:
        """A survey response; `scores` is one score for every element or a list of nine."""
        per_element = scores if isinstance(scores, list) else [scores] * len(IKM_ELEMENTS)
        return await self._insert(
            FeedbackResponse,
            region_id=unit.region_id,
            service_unit_id=unit.id,
            agency_id=unit.agency_id,
            staff_id=staff.id if staff is not None else None,
            **dict(zip(IKM_ELEMENTS, per_element, strict=True)),
            **values,
        )

    async def holiday(self, region: Any, day: date, name: str = "Libur Nasional") -> Any:
        return await self._insert(Holiday, region_id=region.id, date=day, name=name)

    async def complaint(self, region: Any, **values: Any) -> Any:
        values.setdefault("tracking_code", f"T{next(serial):015d}")
        values.setdefault("category", "service")
        values.setdefault("description", "Antrean terlalu lama.")
        values.setdefault("location", "Kantor Kecamatan")
        values.setdefault("due_at", datetime(2030, 1, 1, tzinfo=UTC))
        return await self._insert(Complaint, region_id=region.id, **values)
