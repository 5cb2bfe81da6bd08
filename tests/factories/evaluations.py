"""360° evaluations: cycles, assignments, responses with their answers, ratings and development
plans, inserted as the tables hold them (responses and answers without their rater)."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from kinerja_api.evaluations.predicate import predicate
from kinerja_api.models.evaluations import (
    CoreValue,
    DevelopmentPlan,
    EvaluationAnswer,
    EvaluationAssignment,
    EvaluationCycle,
    EvaluationRating,
    EvaluationResponse,
    RatingLevel,
)
from kinerja_api.models.plans import Plan
from tests.factories.base import Factories, serial

# (perilaku, hasil kerja) giving each predikat.
LEVELS_OF = {
    "sangat_baik": ("above", "above"),
    "baik": ("meets", "meets"),
    "butuh_perbaikan": ("meets", "below"),
    "kurang": ("below", "meets"),
    "sangat_kurang": ("below", "below"),
}


class EvaluationsFactories(Factories):
    async def cycle(
        self,
        period: Any,
        *,
        status: str = "launched",
        agency: Any = None,
        quarter: int | None = None,
        **values: Any,
    ) -> Any:
        return await self._insert(
            EvaluationCycle,
            region_id=period.region_id,
            period_id=period.id,
            agency_id=agency.id if agency is not None else None,
            quarter=quarter,
            name=values.pop("name", f"Evaluasi 360 {next(serial)}"),
            opens_on=values.pop("opens_on", date(period.year, 1, 1)),
            closes_on=values.pop("closes_on", date(period.year, 12, 31)),
            status=status,
            **values,
        )

    async def assignment(
        self, cycle: Any, ratee: Any, rater: Any, relation: str, status: str = "pending"
    ) -> Any:
        return await self._insert(
            EvaluationAssignment,
            region_id=cycle.region_id,
            cycle_id=cycle.id,
            ratee_id=ratee.id,
            rater_id=rater.id,
            relation=relation,
            agency_id=ratee.agency_id,
            due_on=cycle.closes_on,
            status=status,
        )

    async def response(
        self,
        cycle: Any,
        ratee: Any,
        relation: str,
        scores: int | Mapping[str, int] = 3,
        comments: str | Mapping[str, str] | None = None,
    ) -> Any:
        """A response answering every core value: `scores` one for all or per value, and
        `comments` one for every value or per value."""
        response = await self._insert(
            EvaluationResponse,
            region_id=cycle.region_id,
            cycle_id=cycle.id,
            ratee_id=ratee.id,
            relation=relation,
        )
        for value in CoreValue:
            score = scores if isinstance(scores, int) else scores.get(value.value, 3)
            comment = comments if isinstance(comments, str) or comments is None else None
            if isinstance(comments, Mapping):
                comment = comments.get(value.value)
            await self._insert(
                EvaluationAnswer,
                response_id=response.id,
                value=value.value,
                region_id=cycle.region_id,
                cycle_id=cycle.id,
                ratee_id=ratee.id,
                relation=relation,
                score=score,
                comment=comment,
            )
        return response

    async def rating(
        self,
        period: Any,
        employee: Any,
        rater: Any,
        predikat: str = "baik",
        *,
        plan: Any = None,
        status: str = "draft",
    ) -> Any:
        perilaku, hasil_kerja = LEVELS_OF[predikat]
        assert predicate(RatingLevel(perilaku), RatingLevel(hasil_kerja)) == predikat
        if plan is None:
            plan = await self._insert_plan(period, employee, rater)
        return await self._insert(
            EvaluationRating,
            region_id=period.region_id,
            period_id=period.id,
            plan_id=plan.id,
            employee_id=employee.id,
            agency_id=employee.agency_id,
            rater_id=rater.id,
            hasil_kerja=hasil_kerja,
            hasil_kerja_suggestion=hasil_kerja,
            perilaku=perilaku,
            predicate=predikat,
            status=status,
        )

    async def _insert_plan(self, period: Any, employee: Any, approver: Any) -> Any:
        return await self._insert(
            Plan,
            region_id=period.region_id,
            period_id=period.id,
            employee_id=employee.id,
            agency_id=employee.agency_id,
            status="approved",
            approved_revision=1,
            approver_id=approver.id,
        )

    async def development_plan(self, rating: Any, **values: Any) -> Any:
        return await self._insert(
            DevelopmentPlan,
            region_id=rating.region_id,
            rating_id=rating.id,
            employee_id=rating.employee_id,
            author_id=rating.rater_id,
            values=values.pop("values", ["akuntabel"]),
            actions=values.pop("actions", "Pendampingan oleh atasan"),
            due_on=values.pop("due_on", date(2027, 6, 30)),
            **values,
        )
