"""Sessions: local times in the region's zone in, RFC 3339 with the region's offset out;
validation; cancellation cancels the enrollments and tells each participant."""

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.models.events import OutboxEvent
from tests.factories import World
from tests.training.helpers import SESSIONS, session_body, team


async def test_local_times_are_read_in_the_regions_zone_and_returned_with_its_offset(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world, timezone="Asia/Makassar")
    program = await world.program(t.region)
    response = await client.post(
        SESSIONS,
        json=session_body(program.id, meeting_link="https://meet.example.go.id/x"),
        headers={**world.auth(t.admin), "Idempotency-Key": "s-1"},
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["starts_at"] == "2030-07-06T08:00:00+08:00"
    assert created["timezone"] == "Asia/Makassar"
    assert (created["seats_left"], created["status"]) == (30, "scheduled")
    fetched = await client.get(f"{SESSIONS}/{created['id']}", headers=world.auth(t.staff_user))
    assert fetched.json()["ends_at"] == "2030-07-08T16:00:00+08:00"
    # an instant with an offset is taken as it is
    other = await client.post(
        SESSIONS,
        json=session_body(program.id, starts_at="2030-07-06T08:00:00+07:00"),
        headers=world.auth(t.admin),
    )
    assert other.json()["starts_at"] == "2030-07-06T09:00:00+08:00"


async def test_sessions_are_filtered_by_program_status_and_start(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    program = await world.program(t.region)
    other = await world.program(t.region)
    first = await world.training_session(program)
    await world.training_session(other)
    headers = world.auth(t.staff_user)
    by_program = await client.get(SESSIONS, params={"program_id": str(program.id)}, headers=headers)
    assert [s["id"] for s in by_program.json()["items"]] == [str(first.id)]
    later = await client.get(SESSIONS, params={"from": "2100-01-01T00:00:00Z"}, headers=headers)
    assert later.json()["items"] == []
    both = await client.get(
        SESSIONS,
        params={"from": "2000-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z", "limit": 1},
        headers=headers,
    )
    assert len(both.json()["items"]) == 1
    assert both.json()["next_cursor"]
    cancelled = await client.get(SESSIONS, params={"status": "cancelled"}, headers=headers)
    assert cancelled.json()["items"] == []


@pytest.mark.parametrize(
    "change",
    [
        {"capacity": 0},
        {"capacity": "30"},
        {"place": "Aula\x00"},
        {"ends_at": "2030-07-06T07:00:00"},
        {"enrollment_closes_at": "2025-12-31T00:00:00"},
        {"enrollment_closes_at": "2030-07-07T00:00:00"},
        {"place": None},
        {"starts_at": "kemarin"},
        {"eligible_employment_types": ["honorer"]},
        {"eligible_agency_ids": [str(uuid.uuid4())]},
        {"mentor_id": str(uuid.uuid4())},
        {"program_id": str(uuid.uuid4())},
    ],
)
async def test_an_invalid_session_is_a_422(
    client: httpx.AsyncClient, world: World, change: dict[str, Any]
) -> None:
    t = await team(world)
    program = await world.program(t.region)
    body = {**session_body(program.id), **change}
    response = await client.post(SESSIONS, json=body, headers=world.auth(t.admin))
    assert response.status_code == 422, response.text


async def test_mentoring_needs_a_mentor_of_the_region(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    program = await world.program(t.region, kind="mentoring")
    missing = await client.post(
        SESSIONS, json=session_body(program.id), headers=world.auth(t.admin)
    )
    assert missing.status_code == 422
    given = await client.post(
        SESSIONS,
        json=session_body(program.id, mentor_id=str(t.boss.id), capacity=3),
        headers=world.auth(t.admin),
    )
    assert given.status_code == 201, given.text
    assert given.json()["mentor_id"] == str(t.boss.id)


async def test_raising_capacity_promotes_the_waitlist_in_order(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    t = await team(world)
    program = await world.program(t.region)
    session = await world.training_session(program, capacity=1)
    await world.enrollment(session, t.boss)
    first = await world.enrollment(session, t.staff, status="waitlisted")
    second = await world.enrollment(session, t.colleague, status="waitlisted")
    url = f"{SESSIONS}/{session.id}"
    lowered = await client.patch(
        url, json={"capacity": 0}, headers={**world.auth(t.admin), "If-Match": '"1"'}
    )
    assert lowered.status_code == 422
    raised = await client.patch(
        url, json={"capacity": 2}, headers={**world.auth(t.admin), "If-Match": '"1"'}
    )
    assert raised.status_code == 200, raised.text
    assert (raised.json()["seats_taken"], raised.json()["seats_left"]) == (2, 0)
    statuses: dict[object, str] = dict(
        (
            await connection.execute(
                text("select id, status from training_enrollments where session_id = :s"),
                {"s": session.id},
            )
        ).all()
    )
    assert (statuses[first.id], statuses[second.id]) == ("enrolled", "waitlisted")


async def test_cancelling_a_session_cancels_its_enrollments_and_tells_each_participant(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    t = await team(world)
    program = await world.program(t.region)
    session = await world.training_session(program, capacity=1)
    await world.enrollment(session, t.boss)
    await world.enrollment(session, t.staff, status="waitlisted")
    url = f"{SESSIONS}/{session.id}/cancel"
    assert (await client.post(url, headers=world.auth(t.admin))).status_code == 428
    refused = await client.post(url, headers={**world.auth(t.staff_user), "If-Match": '"1"'})
    assert refused.status_code == 403
    cancelled = await client.post(url, headers={**world.auth(t.admin), "If-Match": '"1"'})
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["seats_taken"]) == ("cancelled", 0)
    again = await client.post(url, headers={**world.auth(t.admin), "If-Match": '"1"'})
    assert again.status_code == 200
    events = (
        await connection.execute(
            select(OutboxEvent.employee_id).where(
                OutboxEvent.type == "training.session_cancelled",
                OutboxEvent.entity_id == session.id,
            )
        )
    ).scalars()
    assert sorted(map(str, events)) == sorted([str(t.boss.id), str(t.staff.id)])
    left = await connection.scalar(
        text(
            "select count(*) from training_enrollments"
            " where session_id = :s and status <> 'cancelled'"
        ),
        {"s": session.id},
    )
    assert left == 0
    changed = await client.patch(
        f"{SESSIONS}/{session.id}",
        json={"capacity": 5},
        headers={**world.auth(t.admin), "If-Match": cancelled.headers["ETag"]},
    )
    assert changed.status_code == 409


async def test_only_organisers_manage_sessions_and_another_region_gets_404(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    program = await world.program(t.region)
    session = await world.training_session(program)
    url = f"{SESSIONS}/{session.id}"
    for user in (t.staff_user, t.auditor, t.agency_admin, t.complaint_officer):
        created = await client.post(
            SESSIONS, json=session_body(program.id), headers=world.auth(user)
        )
        assert created.status_code == 403
        changed = await client.patch(
            url, json={"capacity": 5}, headers={**world.auth(user), "If-Match": '"1"'}
        )
        assert changed.status_code == 403
    for user in (t.foreign_admin, t.foreign_employee_user):
        assert (await client.get(url, headers=world.auth(user))).status_code == 404
        assert (await client.get(SESSIONS, headers=world.auth(user))).json()["items"] == []
    foreign = world.auth(t.foreign_admin)
    headers = {**foreign, "If-Match": '"1"'}
    assert (await client.patch(url, json={"capacity": 5}, headers=headers)).status_code == 404
    assert (await client.post(f"{url}/cancel", headers=headers)).status_code == 404
    created = await client.post(SESSIONS, json=session_body(program.id), headers=foreign)
    assert created.status_code == 422  # the program is not of their region
