"""An organisation to evaluate, a cycle drafted and launched through the API, and reading back
what a launch or a submission wrote (assignments, responses, audit rows, outbox events)."""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.core import clock
from kinerja_api.models.audit import AuditEvent
from kinerja_api.models.evaluations import CoreValue, EvaluationAssignment
from kinerja_api.models.events import OutboxEvent
from kinerja_api.models.org import Role
from tests.factories import World

CYCLES = "/api/v1/evaluation-cycles"
ASSIGNMENTS = "/api/v1/evaluation-assignments"
# Noon in WIB on a day inside the cycle below.
DURING = datetime(2026, 6, 15, 5, 0, tzinfo=UTC)


def pin_clock(monkeypatch: pytest.MonkeyPatch, instant: datetime) -> None:
    monkeypatch.setattr(clock, "utc_now", lambda: instant)


def cycle_body(period: Any, **changes: Any) -> dict[str, Any]:
    return {
        "period_id": str(period.id),
        "quarter": 2,
        "name": "Evaluasi 360° Triwulan II",
        "opens_on": "2026-06-01",
        "closes_on": "2026-06-30",
        **changes,
    }


def answers(score: int = 4, comment: str | None = None) -> dict[str, Any]:
    return {
        "answers": [
            {"value": value.value, "score": score, "comment": comment} for value in CoreValue
        ]
    }


@dataclass
class Org:
    """A head (H) over a supervisor (S) over four colleagues of one agency (A, B, C, D); E
    reports to A. Each employee has a login; `admin` administers the region."""

    world: World
    region: Any
    agency: Any
    period: Any
    head: Any
    boss: Any
    staff: list[Any]
    junior: Any
    users: dict[Any, Any]
    admin: Any

    def auth(self, employee: Any) -> dict[str, str]:
        return self.world.auth(self.users[employee.id])

    @property
    def admin_auth(self) -> dict[str, str]:
        return self.world.auth(self.admin)

    @property
    def everyone(self) -> list[Any]:
        return [self.head, self.boss, *self.staff, self.junior]

    async def employee(self, supervisor: Any, agency: Any = None) -> Any:
        employee = await self.world.employee(self.region, agency or self.agency, supervisor)
        self.users[employee.id] = await self.world.user(
            self.region, Role.EMPLOYEE, employee=employee
        )
        return employee


async def org(world: World, timezone: str = "Asia/Jakarta") -> Org:
    region = await world.region(timezone=timezone)
    agency = await world.agency(region)
    period = await world.period(region)
    head = await world.employee(region, agency)
    boss = await world.employee(region, agency, supervisor=head)
    staff = [await world.employee(region, agency, supervisor=boss) for _ in range(4)]
    junior = await world.employee(region, agency, supervisor=staff[0])
    users = {
        e.id: await world.user(region, Role.EMPLOYEE, employee=e)
        for e in (head, boss, *staff, junior)
    }
    admin = await world.user(region, Role.REGION_ADMIN)
    return Org(world, region, agency, period, head, boss, staff, junior, users, admin)


async def draft(client: httpx.AsyncClient, o: Org, **changes: Any) -> dict[str, Any]:
    created = await client.post(CYCLES, json=cycle_body(o.period, **changes), headers=o.admin_auth)
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


async def launch(client: httpx.AsyncClient, o: Org, cycle: dict[str, Any]) -> httpx.Response:
    return await client.post(
        f"{CYCLES}/{cycle['id']}/launch",
        headers={**o.admin_auth, "If-Match": f'"{cycle["version"]}"'},
    )


async def launched(client: httpx.AsyncClient, o: Org, **changes: Any) -> dict[str, Any]:
    cycle = await draft(client, o, **changes)
    response = await launch(client, o, cycle)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def pairs(world: World, cycle_id: object) -> set[tuple[Any, Any, str]]:
    """(ratee, rater, relation) of every assignment of the cycle."""
    await enter_all_regions(world.connection)
    rows = await world.connection.execute(
        select(
            EvaluationAssignment.ratee_id,
            EvaluationAssignment.rater_id,
            EvaluationAssignment.relation,
        ).where(EvaluationAssignment.cycle_id == cycle_id)
    )
    return {(row[0], row[1], row[2]) for row in rows}


def peer_pick(cycle_id: object, ratee: Any, candidates: list[Any], places: int) -> set[Any]:
    """The peers the launch must pick: ranked by md5 of the cycle, ratee and peer ids."""

    def rank(peer: Any) -> tuple[str, str]:
        digest = hashlib.md5(f"{cycle_id}{ratee.id}{peer.id}".encode(), usedforsecurity=False)
        return digest.hexdigest(), str(peer.id)

    return {peer.id for peer in sorted(candidates, key=rank)[:places]}


async def outbox(world: World, event_type: str, entity_ids: set[Any] | None = None) -> list[Any]:
    await enter_all_regions(world.connection)
    statement = select(OutboxEvent).where(OutboxEvent.type == event_type)
    if entity_ids is not None:
        statement = statement.where(OutboxEvent.entity_id.in_(entity_ids))
    return list((await world.connection.execute(statement.order_by(OutboxEvent.id))).all())


async def audit_rows(world: World, entity_id: object) -> list[Any]:
    await enter_all_regions(world.connection)
    rows = await world.connection.execute(
        select(AuditEvent).where(AuditEvent.entity_id == str(entity_id)).order_by(AuditEvent.id)
    )
    return list(rows.all())


async def responses_of(world: World, cycle_id: object) -> list[dict[str, Any]]:
    await enter_all_regions(world.connection)
    rows = await world.connection.execute(
        text(
            "select r.*, (select count(*) from evaluation_answers a where a.response_id = r.id)"
            " as answers from evaluation_responses r where r.cycle_id = :cycle"
        ),
        {"cycle": cycle_id},
    )
    return [dict(row._mapping) for row in rows]
