"""Evaluation events on the live streams: a rater's own events (what they must rate, what they
answered) reach the rater alone, never their supervisors, administrators or superadmins, on the
live fan-out and on resume alike; the others follow the streams' usual rule; every frame is the
model the contract names."""

import uuid
from typing import Any

import httpx
import pytest
from pydantic import TypeAdapter
from sqlalchemy import func, select

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.core.broker import StreamEvent
from kinerja_api.evaluations.events import RATER_ONLY_EVENT_TYPES
from kinerja_api.models.events import OutboxEvent
from kinerja_api.progress.events import StaffStreamEvent
from kinerja_api.progress.stream import Audience, StreamFilter, event_data, replay
from tests.evaluations.helpers import ASSIGNMENTS, DURING, answers, launched, org, pin_clock
from tests.factories import World

FRAMES: TypeAdapter[Any] = TypeAdapter(StaffStreamEvent)


@pytest.fixture(autouse=True)
def _during_the_cycle(monkeypatch: pytest.MonkeyPatch) -> None:
    pin_clock(monkeypatch, DURING)


async def _replayed(world: World, audience: Audience, after: int) -> list[StreamEvent]:
    sessions = world.app.state.db.sessions
    return [event async for event in replay(sessions, audience, StreamFilter(), after)]


def _kinds(events: list[StreamEvent]) -> set[tuple[str, Any]]:
    return {(event.type, event.employee_id) for event in events}


async def test_a_raters_own_events_reach_the_rater_alone(
    client: httpx.AsyncClient, world: World
) -> None:
    o = await org(world)
    await enter_all_regions(world.connection)
    after = int(await world.connection.scalar(select(func.coalesce(func.max(OutboxEvent.id), 0))))
    await launched(client, o)
    rater = o.staff[0]
    mine = await client.get(ASSIGNMENTS, params={"mine": "true"}, headers=o.auth(rater))
    assert mine.status_code == 200, mine.text
    item = mine.json()["items"][0]
    submitted = await client.post(
        f"{ASSIGNMENTS}/{item['id']}/response", json=answers(), headers=o.auth(rater)
    )
    assert submitted.status_code == 200, submitted.text

    everything = await _replayed(world, Audience(None, region_wide=True), after)
    types = {event.type for event in everything}
    assert "evaluation.cycle_launched" in types
    assert not types & RATER_ONLY_EVENT_TYPES, "a superadmin sees no rater's own events"

    own = Audience(o.region.id, employee_ids=frozenset({rater.id}), own_employee_id=rater.id)
    chain = frozenset({o.boss.id, *(employee.id for employee in o.staff)})
    boss = Audience(o.region.id, employee_ids=chain, own_employee_id=o.boss.id)
    region = Audience(o.region.id, region_wide=True, own_employee_id=o.admin.employee_id)
    stranger = Audience(uuid.uuid4(), region_wide=True, own_employee_id=rater.id)

    raters = await _replayed(world, own, after)
    assert {("evaluation.assigned", rater.id), ("evaluation.submitted", rater.id)} <= _kinds(raters)
    for audience in (boss, region, stranger):
        seen = await _replayed(world, audience, after)
        assert not any(
            event.type in RATER_ONLY_EVENT_TYPES and event.employee_id == rater.id for event in seen
        ), audience
    assert ("evaluation.assigned", o.boss.id) in _kinds(await _replayed(world, boss, after))
    assert "evaluation.cycle_launched" in {e.type for e in await _replayed(world, region, after)}

    # The live fan-out's rule (in Python) agrees with the replay's (in SQL), event by event,
    # on every rater's events, not only the ones above.
    every_event = await _everything(world, after)
    for audience in (own, boss, region, stranger):
        live = [event.id for event in every_event if audience.sees(event)]
        assert live == [event.id for event in await _replayed(world, audience, after)]


async def _everything(world: World, after: int) -> list[StreamEvent]:
    """Every evaluation event since `after`, as the broker loads it, rater-only ones included."""
    rows = await world.connection.execute(
        select(OutboxEvent)
        .where(OutboxEvent.id > after, OutboxEvent.type.startswith("evaluation."))
        .order_by(OutboxEvent.id)
    )
    return [
        StreamEvent(
            id=row.id,
            region_id=row.region_id,
            type=row.type,
            entity_type=row.entity_type,
            entity_id=row.entity_id,
            employee_id=row.employee_id,
            agency_id=row.agency_id,
            public=row.public,
            payload=row.payload,
            occurred_at=row.occurred_at,
        )
        for row in rows
    ]


async def test_every_evaluation_frame_is_the_model_the_contract_names(
    client: httpx.AsyncClient, world: World
) -> None:
    o = await org(world)
    await enter_all_regions(world.connection)
    after = int(await world.connection.scalar(select(func.coalesce(func.max(OutboxEvent.id), 0))))
    await launched(client, o)
    events = await _everything(world, after)
    assert {event.type for event in events} >= {"evaluation.cycle_launched", "evaluation.assigned"}
    for event in events:
        frame = FRAMES.validate_python(event_data(event, public=False))
        assert frame.type == event.type
        assert frame.entity_type == event.entity_type
