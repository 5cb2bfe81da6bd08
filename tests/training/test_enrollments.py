"""Enrollment: self-enrollment and nomination, the window, eligibility, duplicates, a
cancellation promoting the first waitlisted, refusals and another region's 404."""

from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.core import clock
from kinerja_api.models.events import OutboxEvent
from tests.app.test_statement_budgets import assert_within, sent
from tests.factories import World
from tests.training.helpers import ENROLLMENTS, SESSIONS, team


def enroll_url(session: object) -> str:
    return f"{SESSIONS}/{session.id}/enrollments"  # type: ignore[attr-defined]


async def _events(connection: AsyncConnection, event_type: str) -> list[str]:
    rows = await connection.execute(
        select(OutboxEvent.employee_id).where(OutboxEvent.type == event_type)
    )
    return sorted(str(row) for row in rows.scalars())


async def test_an_employee_enrolls_then_the_next_waits_and_is_promoted_on_cancellation(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    t = await team(world)
    program = await world.program(t.region)
    session = await world.training_session(program, capacity=1)
    seat = await client.post(
        enroll_url(session), json={}, headers={**world.auth(t.staff_user), "Idempotency-Key": "e"}
    )
    assert seat.status_code == 201, seat.text
    enrolled = seat.json()
    assert (enrolled["status"], enrolled["arrival"], enrolled["waitlist_order"]) == (
        "enrolled",
        1,
        None,
    )
    assert seat.headers["Location"] == f"{ENROLLMENTS}/{enrolled['id']}"
    wait = await client.post(enroll_url(session), json={}, headers=world.auth(t.colleague_user))
    assert (wait.json()["status"], wait.json()["waitlist_order"]) == ("waitlisted", 1)
    assert await _events(connection, "training.enrolled") == [str(t.staff.id)]
    assert await _events(connection, "training.waitlisted") == [str(t.colleague.id)]

    mine = await client.get(ENROLLMENTS, params={"mine": "true"}, headers=world.auth(t.staff_user))
    assert [e["id"] for e in mine.json()["items"]] == [enrolled["id"]]

    cancel = f"{ENROLLMENTS}/{enrolled['id']}/cancel"
    assert (await client.post(cancel, headers=world.auth(t.staff_user))).status_code == 428
    cancelled = await client.post(cancel, headers={**world.auth(t.staff_user), "If-Match": '"1"'})
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    promoted = await client.get(
        f"{ENROLLMENTS}/{wait.json()['id']}", headers=world.auth(t.colleague_user)
    )
    assert promoted.json()["status"] == "enrolled"
    assert await _events(connection, "training.promoted") == [str(t.colleague.id)]
    assert await _events(connection, "training.cancelled") == [str(t.staff.id)]
    view = await client.get(f"{SESSIONS}/{session.id}", headers=world.auth(t.staff_user))
    assert view.json()["seats_taken"] == 1
    # cancelled, the employee may enroll again: at the end of the waitlist
    again = await client.post(enroll_url(session), json={}, headers=world.auth(t.staff_user))
    assert (again.json()["status"], again.json()["waitlist_order"]) == ("waitlisted", 2)


async def test_cancelling_a_waitlist_place_frees_no_seat(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    t = await team(world)
    program = await world.program(t.region)
    session = await world.training_session(program, capacity=1)
    await world.enrollment(session, t.boss)
    waiting = await world.enrollment(session, t.staff, status="waitlisted")
    later = await world.enrollment(session, t.colleague, status="waitlisted")
    response = await client.post(
        f"{ENROLLMENTS}/{waiting.id}/cancel",
        headers={**world.auth(t.staff_user), "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    still = await client.get(f"{ENROLLMENTS}/{later.id}", headers=world.auth(t.colleague_user))
    assert still.json()["status"] == "waitlisted"
    assert await _events(connection, "training.promoted") == []


async def test_a_supervisor_or_a_training_admin_nominates_others_may_not(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    program = await world.program(t.region)
    session = await world.training_session(program)
    by_boss = await client.post(
        enroll_url(session), json={"employee_id": str(t.staff.id)}, headers=world.auth(t.boss_user)
    )
    assert by_boss.status_code == 201, by_boss.text
    assert by_boss.json()["nominated_by"] == str(t.boss_user.id)
    by_admin = await client.post(
        enroll_url(session), json={"employee_id": str(t.outsider.id)}, headers=world.auth(t.admin)
    )
    assert by_admin.status_code == 201, by_admin.text
    by_peer = await client.post(
        enroll_url(session),
        json={"employee_id": str(t.boss.id)},
        headers=world.auth(t.colleague_user),
    )
    assert by_peer.status_code == 403
    no_employee = await client.post(enroll_url(session), json={}, headers=world.auth(t.admin))
    assert no_employee.status_code == 422
    # the supervisor sees the report's enrollment; a colleague does not
    seen = await client.get(ENROLLMENTS, headers=world.auth(t.boss_user))
    assert [e["employee_id"] for e in seen.json()["items"]] == [str(t.staff.id)]
    unseen = await client.get(
        f"{ENROLLMENTS}/{by_boss.json()['id']}", headers=world.auth(t.colleague_user)
    )
    assert unseen.status_code == 404
    # and a colleague cannot cancel it; the supervisor can
    forbidden = await client.post(
        f"{ENROLLMENTS}/{by_admin.json()['id']}/cancel",
        headers={**world.auth(t.boss_user), "If-Match": '"1"'},
    )
    assert forbidden.status_code == 404  # the outsider is not the boss's report
    auditor = await client.post(
        f"{ENROLLMENTS}/{by_boss.json()['id']}/cancel",
        headers={**world.auth(t.auditor), "If-Match": '"1"'},
    )
    assert auditor.status_code == 403


async def test_a_duplicate_is_a_409(client: httpx.AsyncClient, world: World) -> None:
    t = await team(world)
    program = await world.program(t.region)
    session = await world.training_session(program, capacity=1)
    first = await client.post(enroll_url(session), json={}, headers=world.auth(t.staff_user))
    second = await client.post(enroll_url(session), json={}, headers=world.auth(t.staff_user))
    assert second.status_code == 409
    assert second.json()["type"].endswith("/already-enrolled")
    assert second.json()["enrollment_id"] == first.json()["id"]


async def test_outside_the_window_or_for_a_cancelled_session_is_a_409(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    program = await world.program(t.region)
    now = clock.utc_now()
    early = await world.training_session(
        program,
        enrollment_opens_at=now + timedelta(days=1),
        enrollment_closes_at=now + timedelta(days=2),
    )
    late = await world.training_session(
        program,
        enrollment_opens_at=now - timedelta(days=3),
        enrollment_closes_at=now - timedelta(days=1),
    )
    cancelled = await world.training_session(program, status="cancelled")
    headers = world.auth(t.staff_user)
    reasons = []
    for session in (early, late, cancelled):
        response = await client.post(enroll_url(session), json={}, headers=headers)
        assert response.status_code == 409, response.text
        assert response.json()["type"].endswith("/enrollment-closed")
        reasons.append(response.json()["reason"])
    assert reasons == ["not_open_yet", "closed", "session_cancelled"]
    english = await client.post(
        enroll_url(late), json={}, headers={**headers, "Accept-Language": "en"}
    )
    assert english.json()["detail"].startswith("Enrollment in the session closed at")


async def test_an_ineligible_employee_is_a_422(client: httpx.AsyncClient, world: World) -> None:
    t = await team(world)
    program = await world.program(t.region)
    # open to the agency's subtree (the staff's sub-agency included) and to PNS
    session = await world.training_session(
        program, eligible_agency_ids=[t.agency.id], eligible_employment_types=["pns"]
    )
    inside = await client.post(enroll_url(session), json={}, headers=world.auth(t.staff_user))
    assert inside.status_code == 201, inside.text
    outside = await client.post(enroll_url(session), json={}, headers=world.auth(t.outsider_user))
    assert outside.status_code == 422
    assert (outside.json()["type"].endswith("/not-eligible"), outside.json()["reason"]) == (
        True,
        "agency",
    )
    pppk_only = await world.training_session(program, eligible_employment_types=["pppk"])
    refused = await client.post(enroll_url(pppk_only), json={}, headers=world.auth(t.staff_user))
    assert (refused.status_code, refused.json()["reason"]) == (422, "employment_type")


async def test_invalid_bodies_are_a_422(client: httpx.AsyncClient, world: World) -> None:
    t = await team(world)
    program = await world.program(t.region)
    session = await world.training_session(program)
    headers = world.auth(t.admin)
    for body in ({"employee_id": "nope"}, {"employee_id": "\x00"}, {"extra": 1}):
        response = await client.post(enroll_url(session), json=body, headers=headers)
        assert response.status_code == 422, body
    unknown = await client.post(
        enroll_url(session),
        json={"employee_id": "3f0c9a4e-2b7d-4c1a-9e85-6d2f1b0a7c34"},
        headers=headers,
    )
    assert unknown.status_code == 422


async def test_organisers_list_a_sessions_enrollments_in_arrival_order(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    program = await world.program(t.region)
    session = await world.training_session(program, capacity=1)
    first = await world.enrollment(session, t.boss)
    second = await world.enrollment(session, t.staff, status="waitlisted")
    url = enroll_url(session)
    for user in (t.admin, t.region_admin, t.auditor):
        listed = await client.get(url, headers=world.auth(user))
        assert [e["id"] for e in listed.json()["items"]] == [str(first.id), str(second.id)]
    waiting = await client.get(url, params={"status": "waitlisted"}, headers=world.auth(t.admin))
    assert [e["id"] for e in waiting.json()["items"]] == [str(second.id)]
    for user in (t.staff_user, t.agency_admin, t.complaint_officer):
        assert (await client.get(url, headers=world.auth(user))).status_code == 403


async def test_another_regions_session_and_enrollment_are_not_found(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    program = await world.program(t.region)
    session = await world.training_session(program)
    enrollment = await world.enrollment(session, t.staff)
    for user in (t.foreign_admin, t.foreign_employee_user):
        headers = world.auth(user)
        enrolled = await client.post(enroll_url(session), json={}, headers=headers)
        assert enrolled.status_code == 404
        assert (
            await client.get(f"{ENROLLMENTS}/{enrollment.id}", headers=headers)
        ).status_code == 404
        cancelled = await client.post(
            f"{ENROLLMENTS}/{enrollment.id}/cancel", headers={**headers, "If-Match": '"1"'}
        )
        assert cancelled.status_code == 404
        assert (await client.get(ENROLLMENTS, headers=headers)).json()["items"] == []
    listed = await client.get(enroll_url(session), headers=world.auth(t.foreign_admin))
    assert listed.status_code == 404


# The tenancy's set_config (travels with the BEGIN when deployed), the session, the facts the
# request is decided on, the place taken under the session's lock (enrollment and counters in one
# statement), the audit row, the outbox row. (An Idempotency-Key adds three: its advisory lock,
# its lookup and its record.)
ENROLL_BUDGET = 6


async def test_an_enrollment_is_six_statements(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    t = await team(world)
    program = await world.program(t.region)
    full = await world.training_session(program, capacity=1)
    await world.enrollment(full, t.boss)
    free = await world.training_session(program, capacity=1)
    for session, employee, status in (
        (full, t.staff, "waitlisted"),
        (free, t.colleague, "enrolled"),
    ):
        with sent(connection) as seen:
            response = await client.post(
                enroll_url(session),
                json={"employee_id": str(employee.id)},
                headers=world.auth(t.admin),
            )
        assert response.status_code == 201, response.text
        assert response.json()["status"] == status
        assert_within(seen, ENROLL_BUDGET)


async def test_an_enrollment_leaves_the_session_unchanged_for_its_readers(
    client: httpx.AsyncClient, world: World
) -> None:
    """Seats and waitlist counters move under the session's lock, but an organiser's copy of
    the session (its ETag, its `updated_at` for sync) stays as it was."""
    t = await team(world)
    program = await world.program(t.region)
    training_session = await world.training_session(program, capacity=1)
    url = f"{SESSIONS}/{training_session.id}"
    before = await client.get(url, headers=world.auth(t.admin))
    assert before.status_code == 200, before.text
    for employee in (t.staff, t.colleague):  # a seat, then the waitlist
        enrolled = await client.post(
            enroll_url(training_session),
            json={"employee_id": str(employee.id)},
            headers=world.auth(t.admin),
        )
        assert enrolled.status_code == 201, enrolled.text
    after = await client.get(url, headers=world.auth(t.admin))
    assert after.headers["etag"] == before.headers["etag"]
    assert after.json()["updated_at"] == before.json()["updated_at"]
