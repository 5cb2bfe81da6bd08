"""Participants' feedback: only the participant who attended, once; scores JSON integers 1-5;
organisers' summaries per session and program, comments without names and withheld below 3
people; every role refusal and another region's 404."""

from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.models.training import TrainingFeedback
from tests.factories import World
from tests.training.helpers import ENROLLMENTS, PROGRAMS, SESSIONS, team


def rating(**overrides: Any) -> dict[str, Any]:
    return {"content": 4, "trainer": 5, "relevance": 3, **overrides}


def feedback_url(enrollment: Any) -> str:
    return f"{ENROLLMENTS}/{enrollment.id}/feedback"


async def test_a_participant_who_attended_rates_once(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    t = await team(world)
    program = await world.program(t.region)
    session = await world.training_session(program)
    attended = await world.enrollment(session, t.staff, status="attended")
    headers = {**world.auth(t.staff_user), "Idempotency-Key": "rate-1"}
    given = await client.post(
        feedback_url(attended), json=rating(comment="  Sangat   berguna "), headers=headers
    )
    assert given.status_code == 201, given.text
    assert given.headers["Location"] == feedback_url(attended)
    body = given.json()
    assert (body["content"], body["trainer"], body["relevance"]) == (4, 5, 3)
    assert body["session_id"] == str(session.id)
    replayed = await client.post(
        feedback_url(attended), json=rating(comment="  Sangat   berguna "), headers=headers
    )
    assert replayed.status_code == 201
    assert replayed.headers["Idempotent-Replayed"] == "true"
    twice = await client.post(
        feedback_url(attended), json=rating(content=1), headers=world.auth(t.staff_user)
    )
    assert twice.status_code == 409
    assert twice.json()["type"].endswith("/already-submitted")
    own = await client.get(feedback_url(attended), headers=world.auth(t.staff_user))
    assert (own.status_code, own.json()["content"]) == (200, 4)
    assert await connection.scalar(select(func.count()).select_from(TrainingFeedback)) == 1

    completed = await world.enrollment(
        await world.training_session(program), t.staff, status="completed"
    )
    later = await client.post(
        feedback_url(completed), json=rating(), headers=world.auth(t.staff_user)
    )
    assert later.status_code == 201


async def test_feedback_is_refused_to_those_who_did_not_attend(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    program = await world.program(t.region)
    session = await world.training_session(program, capacity=5)
    seated = await world.enrollment(session, t.staff)
    missed = await world.enrollment(session, t.colleague, status="no_show")
    waiting = await world.enrollment(session, t.outsider, status="waitlisted")
    for enrollment, user, status in (
        (seated, t.staff_user, "enrolled"),
        (missed, t.colleague_user, "no_show"),
        (waiting, t.outsider_user, "waitlisted"),
    ):
        response = await client.post(
            feedback_url(enrollment), json=rating(), headers=world.auth(user)
        )
        assert response.status_code == 409, response.text
        assert response.json()["type"].endswith("/not-attended")
        assert response.json()["current_status"] == status
    attended = await world.enrollment(session, t.boss, status="attended")
    # someone else's enrollment: the supervisor reads it but may not rate for them
    boss_rates_staff = await client.post(
        feedback_url(seated), json=rating(), headers=world.auth(t.boss_user)
    )
    assert boss_rates_staff.status_code == 403
    for user in (t.admin, t.region_admin, t.auditor, t.agency_admin, t.complaint_officer):
        response = await client.post(
            feedback_url(attended), json=rating(), headers=world.auth(user)
        )
        assert response.status_code == 403, response.text
    assert (
        await client.get(feedback_url(attended), headers=world.auth(t.admin))
    ).status_code == 403
    for user in (t.colleague_user, t.foreign_employee_user):
        response = await client.post(
            feedback_url(attended), json=rating(), headers=world.auth(user)
        )
        assert response.status_code == 404
        assert (
            await client.get(feedback_url(attended), headers=world.auth(user))
        ).status_code == 404
    assert (await client.post(feedback_url(attended), json=rating())).status_code == 401
    not_given = await client.get(feedback_url(attended), headers=world.auth(t.boss_user))
    assert not_given.status_code == 404

    for bad in (
        rating(content=0),
        rating(trainer=6),
        rating(relevance=3.0),
        rating(relevance="3"),
        rating(content=True),
        {"content": 4, "trainer": 4},
        rating(extra=1),
    ):
        response = await client.post(
            feedback_url(attended), json=bad, headers=world.auth(t.boss_user)
        )
        assert response.status_code == 422, bad


async def test_organisers_see_aggregates_without_names(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    program = await world.program(t.region)
    first = await world.training_session(program, capacity=5)
    second = await world.training_session(program, capacity=5)
    people = [
        (t.staff, t.staff_user, rating(content=5, trainer=4, relevance=4, comment="Zoom lambat")),
        (t.colleague, t.colleague_user, rating(content=4, trainer=4, relevance=5, comment="bagus")),
    ]
    for employee, user, body in people:
        enrollment = await world.enrollment(first, employee, status="attended")
        response = await client.post(feedback_url(enrollment), json=body, headers=world.auth(user))
        assert response.status_code == 201, response.text
    summary_url = f"{SESSIONS}/{first.id}/feedback-summary"
    two = await client.get(summary_url, headers=world.auth(t.admin))
    assert two.status_code == 200, two.text
    assert two.json() == {
        "session_id": str(first.id),
        "program_id": str(program.id),
        "answers": 2,
        "respondents": 2,
        "content_mean": "4.50",
        "trainer_mean": "4.00",
        "relevance_mean": "4.50",
        "comments": None,
        "comments_withheld": True,
    }
    third = await world.enrollment(first, t.boss, status="completed")
    await client.post(
        feedback_url(third),
        json=rating(content=3, trainer=3, relevance=3, comment="Alat peraga kurang"),
        headers=world.auth(t.boss_user),
    )
    three = (await client.get(summary_url, headers=world.auth(t.auditor))).json()
    assert (three["respondents"], three["content_mean"]) == (3, "4.00")
    assert three["comments"] == ["Alat peraga kurang", "bagus", "Zoom lambat"]
    assert three["comments_withheld"] is False

    again = await world.enrollment(second, t.staff, status="attended")
    await client.post(feedback_url(again), json=rating(content=1), headers=world.auth(t.staff_user))
    whole = await client.get(
        f"{PROGRAMS}/{program.id}/feedback-summary", headers=world.auth(t.region_admin)
    )
    assert whole.status_code == 200, whole.text
    assert (whole.json()["answers"], whole.json()["respondents"]) == (4, 3)
    assert whole.json()["session_id"] is None
    assert whole.json()["content_mean"] == "3.25"

    empty = await client.get(
        f"{SESSIONS}/{(await world.training_session(program)).id}/feedback-summary",
        headers=world.auth(t.admin),
    )
    assert (empty.json()["answers"], empty.json()["content_mean"]) == (0, None)


async def test_only_organisers_read_summaries_and_another_region_gets_404(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    program = await world.program(t.region)
    session = await world.training_session(program)
    for url in (
        f"{SESSIONS}/{session.id}/feedback-summary",
        f"{PROGRAMS}/{program.id}/feedback-summary",
    ):
        for user in (t.staff_user, t.boss_user, t.agency_admin, t.complaint_officer):
            assert (await client.get(url, headers=world.auth(user))).status_code == 403, url
        assert (await client.get(url, headers=world.auth(t.foreign_admin))).status_code == 404
        assert (await client.get(url)).status_code == 401
        for user in (t.admin, t.region_admin, t.auditor):
            assert (await client.get(url, headers=world.auth(user))).status_code == 200
