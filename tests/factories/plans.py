"""Performance plans: periods, plans, targets and their indicators."""

from decimal import Decimal
from typing import Any

from kinerja_api.models.plans import Indicator, Period, Plan, Target
from tests.factories.base import Factories, serial


class PlansFactories(Factories):
    async def period(self, region: Any, year: int = 2026, status: str = "open") -> Any:
        return await self._insert(Period, region_id=region.id, year=year, status=status)

    async def plan(self, period: Any, employee: Any, status: str = "draft", **values: Any) -> Any:
        """A plan; an `approved` one also has its first revision marked approved."""
        if status == "approved":
            values.setdefault("approved_revision", 1)
            values.setdefault("approver_id", employee.supervisor_id)
        return await self._insert(
            Plan,
            region_id=period.region_id,
            period_id=period.id,
            employee_id=employee.id,
            agency_id=employee.agency_id,
            status=status,
            **values,
        )

    async def target(
        self, plan: Any, kind: str = "utama", title: str | None = None, **values: Any
    ) -> Any:
        return await self._insert(
            Target,
            region_id=plan.region_id,
            plan_id=plan.id,
            kind=kind,
            title=title or f"Sasaran {next(serial)}",
            **values,
        )

    async def indicator(
        self,
        target: Any,
        target_value: Decimal | int = 100,
        aggregation: str = "sum",
        aspect: str = "kuantitas",
        **values: Any,
    ) -> Any:
        return await self._insert(
            Indicator,
            region_id=target.region_id,
            plan_id=target.plan_id,
            target_id=target.id,
            aspect=aspect,
            description=values.pop("description", f"Indikator {next(serial)}"),
            target_value=Decimal(target_value),
            unit=values.pop("unit", "dokumen"),
            aggregation=aggregation,
            **values,
        )
