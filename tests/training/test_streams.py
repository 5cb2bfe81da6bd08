"""Training events on the live streams: `training.promoted` reaches the promoted person's
stream (and their supervisor's, as their other events do), never a stranger's; every frame is
the model the contract names."""

from typing import Any

import httpx
from pydantic import TypeAdapter
from sqlalchemy import func, select

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.core.broker import StreamEvent
from kinerja_api.models.events import OutboxEvent
from kinerja_api.progress.events import StaffStreamEvent
from kinerja_api.progress.stream import Audience, StreamFilter, event_data, replay
from tests.factories import World
from tests.training.helpers import ENROLLMENTS, SESSIONS, team

FRAMES: TypeAdapter[Any] = TypeAdapter(StaffStreamEvent)


async def _replayed(world: World, audience: Audience, after: int) -> list[StreamEvent]:
    sessions = world.app.state.db.sessions
    return [event async for event in replay(sessions, audience, StreamFilter(), after)]


async def test_a_promotion_reaches_the_promoted_persons_stream(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    program = await world.program(t.region)
    training_session = await world.training_session(program, capacity=1)
    await enter_all_regions(world.connection)
    after = int(await world.connection.scalar(select(func.coalesce(func.max(OutboxEvent.id), 0))))
    places = {}
    for employee in (t.staff, t.colleague):  # a seat, then the waitlist
        response = await client.post(
            f"{SESSIONS}/{training_session.id}/enrollments",
            json={"employee_id": str(employee.id)},
            headers=world.auth(t.admin),
        )
        assert response.status_code == 201, response.text
        places[employee.id] = response.json()
    cancelled = await client.post(
        f"{ENROLLMENTS}/{places[t.staff.id]['id']}/cancel",
        headers={**world.auth(t.admin), "If-Match": f'"{places[t.staff.id]["version"]}"'},
    )
    assert cancelled.status_code == 200, cancelled.text

    colleague = Audience(
        t.region.id, employee_ids=frozenset({t.colleague.id}), own_employee_id=t.colleague.id
    )
    seen = await _replayed(world, colleague, after)
    assert [event.type for event in seen] == ["training.waitlisted", "training.promoted"]
    promoted = seen[-1]
    assert promoted.payload["enrollment_id"] == places[t.colleague.id]["id"]
    stranger = Audience(
        t.region.id, employee_ids=frozenset({t.outsider.id}), own_employee_id=t.outsider.id
    )
    assert await _replayed(world, stranger, after) == []
    everything = await _replayed(world, Audience(None, region_wide=True), after)
    assert [event.type for event in everything] == [
        "training.enrolled",
        "training.waitlisted",
        "training.cancelled",
        "training.promoted",
    ]
    for event in everything:
        frame = FRAMES.validate_python(event_data(event, public=False))
        assert (frame.type, frame.entity_type) == (event.type, event.entity_type)
