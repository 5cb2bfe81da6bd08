"""A small organisation with an approved plan, for the progress tests."""

from dataclasses import dataclass
from typing import Any

from kinerja_api.models.org import Role
from tests.factories import World

URL = "/api/v1/progress-reports"


@dataclass
class Team:
    """A head (kepala), a supervisor reporting to them, an employee reporting to the supervisor
    and a peer of the employee; the employee has an approved plan with one target and one
    indicator (target value 100, sum)."""

    region: Any
    agency: Any
    head: Any
    boss: Any
    staff: Any
    peer: Any
    head_user: Any
    boss_user: Any
    staff_user: Any
    peer_user: Any
    period: Any
    plan: Any
    target: Any
    indicator: Any


async def team(world: World, region: Any = None, **indicator: Any) -> Team:
    region = region or await world.region()
    agency = await world.agency(region)
    head = await world.employee(region, agency)
    boss = await world.employee(region, agency, supervisor=head)
    staff = await world.employee(region, agency, supervisor=boss)
    peer = await world.employee(region, agency, supervisor=boss)
    users = [await world.user(region, Role.EMPLOYEE, employee=e) for e in (head, boss, staff, peer)]
    period = await world.period(region)
    plan = await world.plan(period, staff, status="approved")
    target = await world.target(plan)
    ind = await world.indicator(target, **indicator)
    return Team(region, agency, head, boss, staff, peer, *users, period, plan, target, ind)


def report_body(indicator: Any, value: str = "10", **extra: Any) -> dict[str, Any]:
    return {
        "indicator_id": str(indicator.id),
        "value": value,
        "reported_for": "2026-05-10",
        "note": "Laporan bulan Mei",
        "evidence": [
            {
                "title": "Notulen rapat",
                "url": "https://dokumen.example.go.id/1.pdf",
                "kind": "document",
            }
        ],
        **extra,
    }
