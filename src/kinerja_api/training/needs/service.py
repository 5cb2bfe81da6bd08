"""Training recommendations: the employee's latest standing in evaluations (read through
`evaluations.api`: the latest locked rating's predikat and the core values below expectation in
the latest closed 360° cycle, under the results' anonymity rules) turned into competency areas by
`recommendations.suggest`, then the region's active programs of those areas with their next open
sessions. Reads only."""

import uuid
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import not_found
from kinerja_api.auth.principal import Principal
from kinerja_api.core import clock
from kinerja_api.evaluations import api as evaluations
from kinerja_api.training import recommendations
from kinerja_api.training.ledger.repository import find_employee
from kinerja_api.training.needs import repository
from kinerja_api.training.needs.schemas import (
    OpenSessionOut,
    RecommendationsOut,
    SuggestedProgramOut,
    SuggestionOut,
    WeakValueOut,
)


async def recommend(
    session: AsyncSession, principal: Principal, employee_id: uuid.UUID
) -> RecommendationsOut:
    employee = await find_employee(session, principal, employee_id, repository.readable(principal))
    if employee is None:
        raise not_found("Employee")
    standing = await evaluations.latest_standing(session, employee.region_id, employee.id)
    suggestions = recommendations.suggest(
        [weak.value for weak in standing.weak_values], standing.predicate
    )
    areas = list(dict.fromkeys(str(s.area) for s in suggestions))
    programs = await repository.active_programs(session, employee.region_id, areas) if areas else []
    zone = ZoneInfo(employee.timezone)
    sessions: dict[uuid.UUID, list[OpenSessionOut]] = {}
    for row in await repository.open_sessions(
        session, employee.region_id, [p.id for p in programs], clock.utc_now()
    ):
        sessions.setdefault(row.program_id, []).append(
            OpenSessionOut(
                session_id=row.id,
                starts_at=row.starts_at.astimezone(zone),
                ends_at=row.ends_at.astimezone(zone),
                place=row.place,
                meeting_link=row.meeting_link,
                capacity=row.capacity,
                seats_left=max(row.capacity - row.seats_taken, 0),
                enrollment_closes_at=row.enrollment_closes_at.astimezone(zone),
            )
        )
    by_area: dict[str, list[SuggestedProgramOut]] = {}
    for program in programs:
        by_area.setdefault(program.competency_area, []).append(
            SuggestedProgramOut(
                program_id=program.id,
                name=program.name,
                kind=program.kind,
                provider=program.provider,
                jp=program.jp,
                next_sessions=sessions.get(program.id, []),
            )
        )
    return RecommendationsOut(
        employee_id=employee.id,
        rating_id=standing.rating_id,
        predicate=standing.predicate,
        development_plan_required=recommendations.development_required(standing.predicate),
        cycle_id=standing.cycle_id,
        weak_values=[WeakValueOut(value=w.value, mean=w.mean) for w in standing.weak_values],
        suggestions=[
            SuggestionOut(
                area=s.area,
                reason=s.reason,
                value=s.value,
                programs=by_area.get(str(s.area), []),
            )
            for s in suggestions
        ],
    )
