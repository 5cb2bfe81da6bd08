"""Attendance of a whole session in one request: by enrollment or employee, repeated without
change, seats freed by a no-show, refusals of people not holding a seat, sessions not held,
every role refusal and another region's 404."""

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.core import clock
from kinerja_api.models.events import OutboxEvent
from kinerja_api.models.training import TrainingSession
from tests.factories import World
from tests.training.helpers import SESSIONS, team


async def running_session(world: World, region: Any, **values: Any) -> Any:
    program = await world.program(region)
    now = clock.utc_now()
    return await world.training_session(
        program,
        starts_at=values.pop("starts_at", now - timedelta(hours=2)),
        ends_at=values.pop("ends_at", now + timedelta(hours=2)),
        **values,
    )


def attendance_url(session: Any) -> str:
    return f"{SESSIONS}/{session.id}/attendance"


async def _seats(connection: AsyncConnection, session: Any) -> int:
    seats = await connection.scalar(
        select(TrainingSession.seats_taken).where(TrainingSession.id == session.id)
    )
    return int(seats or 0)


async def _events(connection: AsyncConnection, event_type: str) -> list[str]:
    rows = await connection.execute(
        select(OutboxEvent.employee_id).where(OutboxEvent.type == event_type)
    )
    return sorted(str(row) for row in rows.scalars())


async def test_a_whole_session_is_marked_in_one_request_and_again_without_change(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    t = await team(world)
    session = await running_session(world, t.region, capacity=3)
    staff = await world.enrollment(session, t.staff)
    colleague = await world.enrollment(session, t.colleague)
    boss = await world.enrollment(session, t.boss)
    body = {
        "entries": [
            {"enrollment_id": str(staff.id), "status": "attended"},
            {"employee_id": str(t.colleague.id), "status": "no_show"},
            {"enrollment_id": str(boss.id), "status": "attended"},
        ]
    }
    response = await client.post(attendance_url(session), json=body, headers=world.auth(t.admin))
    assert response.status_code == 200, response.text
    marked = response.json()
    assert (marked["changed"], marked["unchanged"]) == (3, 0)
    assert [(e["id"], e["status"]) for e in marked["enrollments"]] == [
        (str(staff.id), "attended"),
        (str(colleague.id), "no_show"),
        (str(boss.id), "attended"),
    ]
    assert [e["version"] for e in marked["enrollments"]] == [2, 2, 2]
    assert await _seats(connection, session) == 2  # the no-show's seat is free
    assert await _events(connection, "training.attended") == sorted(
        [str(t.staff.id), str(t.boss.id)]
    )
    assert await _events(connection, "training.no_show") == [str(t.colleague.id)]

    again = await client.post(
        attendance_url(session), json=body, headers=world.auth(t.region_admin)
    )
    assert (again.json()["changed"], again.json()["unchanged"]) == (0, 3)
    assert [e["version"] for e in again.json()["enrollments"]] == [2, 2, 2]
    assert len(await _events(connection, "training.attended")) == 2

    corrected = await client.post(
        attendance_url(session),
        json={"entries": [{"employee_id": str(t.colleague.id), "status": "attended"}]},
        headers=world.auth(t.admin),
    )
    assert corrected.json()["changed"] == 1
    assert corrected.json()["enrollments"][0]["status"] == "attended"
    assert await _seats(connection, session) == 3


async def test_only_people_holding_a_seat_are_marked(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    session = await running_session(world, t.region, capacity=1)
    seated = await world.enrollment(session, t.staff)
    waiting = await world.enrollment(session, t.colleague, status="waitlisted")
    other = await running_session(world, t.region)
    elsewhere = await world.enrollment(other, t.boss)
    headers = world.auth(t.admin)

    async def refused(entries: list[dict[str, Any]]) -> httpx.Response:
        response = await client.post(
            attendance_url(session), json={"entries": entries}, headers=headers
        )
        assert response.status_code == 422, response.text
        return response

    waitlisted = await refused([{"enrollment_id": str(waiting.id), "status": "attended"}])
    assert waitlisted.json()["errors"][0]["field"] == "body.entries.0"
    await refused(
        [
            {"enrollment_id": str(seated.id), "status": "attended"},
            {"enrollment_id": str(elsewhere.id), "status": "attended"},
        ]
    )
    await refused([{"employee_id": str(t.outsider.id), "status": "no_show"}])
    twice = await refused(
        [
            {"enrollment_id": str(seated.id), "status": "attended"},
            {"employee_id": str(t.staff.id), "status": "no_show"},
        ]
    )
    assert twice.json()["errors"][0]["code"] == "duplicate"
    await refused(
        [{"enrollment_id": str(seated.id), "employee_id": str(t.staff.id), "status": "attended"}]
    )
    await refused([{"enrollment_id": str(seated.id), "status": "completed"}])
    await refused([])


async def test_a_session_not_started_or_cancelled_takes_no_attendance(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    program = await world.program(t.region)
    later = await world.training_session(program)
    enrollment = await world.enrollment(later, t.staff)
    body = {"entries": [{"enrollment_id": str(enrollment.id), "status": "attended"}]}
    early = await client.post(attendance_url(later), json=body, headers=world.auth(t.admin))
    assert early.status_code == 409
    assert early.json()["type"].endswith("/session-not-held")
    assert early.json()["reason"] == "not_started"
    cancelled = await running_session(world, t.region, status="cancelled")
    response = await client.post(attendance_url(cancelled), json=body, headers=world.auth(t.admin))
    assert response.status_code == 409
    assert response.json()["reason"] == "session_cancelled"


async def test_only_organisers_mark_attendance_and_another_region_gets_404(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    t = await team(world)
    session = await running_session(world, t.region)
    enrollment = await world.enrollment(session, t.staff)
    body = {"entries": [{"enrollment_id": str(enrollment.id), "status": "attended"}]}
    for url in (attendance_url(session), f"{SESSIONS}/{session.id}/completion"):
        payload = body if url.endswith("attendance") else None
        for user in (
            t.staff_user,
            t.boss_user,
            t.auditor,
            t.agency_admin,
            t.complaint_officer,
            t.foreign_employee_user,
        ):
            response = await client.post(url, json=payload, headers=world.auth(user))
            assert response.status_code == 403, (url, response.text)
        foreign = await client.post(url, json=payload, headers=world.auth(t.foreign_admin))
        assert foreign.status_code == 404, (url, foreign.text)
        assert (await client.post(url, json=payload)).status_code == 401
    status = await connection.scalar(
        select(func.count()).select_from(OutboxEvent).where(OutboxEvent.type.like("training.%"))
    )
    assert status == 0
