"""A team rated in a 360° cycle, for the results, follow-up and development plan tests: a head
of agency above a supervisor (boss) above the ratee, who has peers and subordinates, with a
login for each reader the results have."""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import update

from kinerja_api.models.evaluations import EvaluationCycle
from kinerja_api.models.org import Role
from tests.factories import World

RESULTS = "/api/v1/evaluation-cycles/{cycle}/results"
FOLLOW_UP = "/api/v1/evaluation-results"
PLANS = "/api/v1/development-plans"
VALUES = [
    "berorientasi_pelayanan",
    "akuntabel",
    "kompeten",
    "harmonis",
    "loyal",
    "adaptif",
    "kolaboratif",
]


@dataclass
class Team:
    world: World
    region: Any
    agency: Any
    period: Any
    cycle: Any
    head: Any
    boss: Any
    ratee: Any
    peers: list[Any]
    subordinates: list[Any]
    logins: dict[str, dict[str, str]] = field(default_factory=dict)

    def results(self, employee: Any = None) -> str:
        path = RESULTS.format(cycle=self.cycle.id)
        return path if employee is None else f"{path}/{employee.id}"

    async def close(self) -> None:
        await self.world.connection.execute(
            update(EvaluationCycle)
            .where(EvaluationCycle.id == self.cycle.id)
            .values(status="closed")
        )


async def team(
    world: World,
    *,
    peers: int = 3,
    subordinates: int = 0,
    status: str = "launched",
    timezone: str = "Asia/Jakarta",
    **cycle_values: Any,
) -> Team:
    """The team, the ratee's assignments (self, supervisor, peers, subordinates) and logins:
    `ratee`, `boss`, `head`, `peer` (the first peer), `admin`, `agency_admin`, `auditor`,
    `superadmin`, `service` (evaluations:read), `officer` (complaint officer), `trainer`."""
    region = await world.region(timezone=timezone)
    agency = await world.agency(region)
    period = await world.period(region)
    cycle = await world.cycle(period, status=status, **cycle_values)
    head = await world.employee(region, agency)
    boss = await world.employee(region, agency, supervisor=head)
    ratee = await world.employee(region, agency, supervisor=boss)
    peer_rows = [await world.employee(region, agency, supervisor=boss) for _ in range(peers)]
    below = [await world.employee(region, agency, supervisor=ratee) for _ in range(subordinates)]
    await world.assignment(cycle, ratee, ratee, "self")
    await world.assignment(cycle, ratee, boss, "supervisor")
    for peer in peer_rows:
        await world.assignment(cycle, ratee, peer, "peer")
    for subordinate in below:
        await world.assignment(cycle, ratee, subordinate, "subordinate")
    built = Team(world, region, agency, period, cycle, head, boss, ratee, peer_rows, below)
    people = {"ratee": ratee, "boss": boss, "head": head}
    if peer_rows:
        people["peer"] = peer_rows[0]
    for name, employee in people.items():
        built.logins[name] = world.auth(await world.user(region, Role.EMPLOYEE, employee=employee))
    built.logins["admin"] = world.auth(await world.user(region, Role.REGION_ADMIN))
    built.logins["agency_admin"] = world.auth(
        await world.user(region, Role.AGENCY_ADMIN, agency=agency)
    )
    built.logins["auditor"] = world.auth(await world.user(region, Role.AUDITOR))
    built.logins["superadmin"] = world.auth(await world.user(None, Role.SUPERADMIN))
    built.logins["service"] = world.auth(await world.service_account(region, "evaluations:read"))
    built.logins["officer"] = world.auth(await world.user(region, Role.COMPLAINT_OFFICER))
    built.logins["trainer"] = world.auth(await world.user(region, Role.TRAINING_ADMIN))
    return built


def group(body: dict[str, Any], relation: str) -> dict[str, Any]:
    found: dict[str, Any] = next(g for g in body["groups"] if g["relation"] == relation)
    return found


def figures(body: dict[str, Any], relation: str) -> dict[str, Any]:
    """A group as lists show it: a detail's group without its comments, which must be none."""
    found = dict(group(body, relation))
    assert found.pop("comments", {}) == {}
    return found


WITHHELD_OPEN = {
    "relation": "peer",
    "anonymous": True,
    "withheld": "cycle_open",
    "responses": None,
    "mean": None,
    "means": {},
}
WITHHELD_SMALL = {**WITHHELD_OPEN, "withheld": "below_threshold"}
