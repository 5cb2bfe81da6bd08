"""Objections (keberatan): filed by the rated employee within the region's days after the lock,
counted in the region's calendar (WIB and WITA at a month boundary), once per rating; decided by
the rater's own supervisor, whose change reads the predikat again from the matrix."""

import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from kinerja_api.core import clock
from kinerja_api.evaluations.objections import deadlines
from kinerja_api.models.org import Role
from tests.conftest import ClientWith
from tests.evaluations.rating_setup import (
    OBJECTIONS,
    RATINGS,
    Unit,
    locked_rating,
    outbox,
    rate,
    unit,
)
from tests.factories import World

REASONS = "Capaian target utama sudah 100% menurut laporan yang diverifikasi."
WIB, WITA = "Asia/Jakarta", "Asia/Makassar"


def _utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_the_last_day_is_counted_from_the_lock_day_in_the_regions_zone() -> None:
    # 17 Jan 23:30 WITA is 17 Jan 15:30 UTC; 18 Jan 06:00 WITA is still 17 Jan in UTC.
    assert deadlines.last_day(_utc(2026, 1, 17, 15, 30), ZoneInfo(WITA), 14) == date(2026, 1, 31)
    assert deadlines.last_day(_utc(2026, 1, 17, 22, 0), ZoneInfo(WITA), 14) == date(2026, 2, 1)
    assert deadlines.closes_at(_utc(2026, 1, 17, 15, 30), ZoneInfo(WITA), 14) == _utc(
        2026, 1, 31, 16, 0
    )
    assert deadlines.closes_at(_utc(2026, 1, 17, 16, 30), ZoneInfo(WIB), 14) == _utc(
        2026, 1, 31, 17, 0
    )


@pytest.mark.parametrize(
    ("zone", "locked_at", "filed_at", "accepted"),
    [
        # WITA: locked 17 Jan 23:30 local, last day 31 Jan.
        (WITA, _utc(2026, 1, 17, 15, 30), _utc(2026, 1, 31, 15, 30), True),  # 31 Jan 23:30
        (WITA, _utc(2026, 1, 17, 15, 30), _utc(2026, 1, 31, 16, 30), False),  # 1 Feb 00:30
        # WIB: locked 17 Jan 23:30 local; the instant refused in WITA is still 31 Jan here.
        (WIB, _utc(2026, 1, 17, 16, 30), _utc(2026, 1, 31, 16, 30), True),  # 31 Jan 23:30
        (WIB, _utc(2026, 1, 17, 16, 30), _utc(2026, 1, 31, 17, 0), False),  # 1 Feb 00:00
        # Locked early on 18 Jan WIB, still 17 Jan in UTC: the last day is 1 Feb.
        (WIB, _utc(2026, 1, 17, 23, 0), _utc(2026, 2, 1, 5, 0), True),  # 1 Feb 12:00
        (WIB, _utc(2026, 1, 17, 23, 0), _utc(2026, 2, 1, 17, 0), False),  # 2 Feb 00:00
    ],
)
async def test_objections_close_at_the_end_of_the_last_day_in_the_regions_calendar(
    client: httpx.AsyncClient,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    zone: str,
    locked_at: datetime,
    filed_at: datetime,
    accepted: bool,
) -> None:
    now = {"instant": locked_at}
    monkeypatch.setattr(clock, "utc_now", lambda: now["instant"])
    u = await unit(world, timezone=zone)
    rating = await locked_rating(client, u)
    assert datetime.fromisoformat(rating["locked_at"]) == locked_at
    now["instant"] = filed_at
    response = await client.post(
        OBJECTIONS,
        json={"rating_id": rating["id"], "reasons": REASONS},
        headers=u.auth(u.staff_users[0]),
    )
    if accepted:
        assert response.status_code == 201, response.text
        return
    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["type"].endswith("/objection-refused")
    assert problem["reason"] == "late"
    last_day = deadlines.last_day(locked_at, ZoneInfo(zone), 14).isoformat()
    assert (problem["last_day"], problem["days"]) == (last_day, 14)
    assert last_day in problem["detail"]


async def test_the_number_of_days_is_a_setting(
    client_with: ClientWith, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = {"instant": _utc(2026, 1, 17, 3, 0)}
    monkeypatch.setattr(clock, "utc_now", lambda: now["instant"])
    async with client_with(evaluation_objection_days=3) as client:
        u = await unit(world)
        rating = await locked_rating(client, u)
        now["instant"] = _utc(2026, 1, 20, 18, 0)  # 21 Jan 01:00 WIB
        response = await client.post(
            OBJECTIONS,
            json={"rating_id": rating["id"], "reasons": REASONS},
            headers=u.auth(u.staff_users[0]),
        )
        assert response.status_code == 409
        assert response.json()["last_day"] == "2026-01-20"


async def _file(client: httpx.AsyncClient, u: Unit, rating: dict[str, object]) -> httpx.Response:
    return await client.post(
        OBJECTIONS,
        json={"rating_id": rating["id"], "reasons": REASONS},
        headers=u.auth(u.staff_users[0]),
    )


async def test_only_the_rated_employee_objects_once_to_a_locked_rating(
    client: httpx.AsyncClient, world: World
) -> None:
    u = await unit(world, staff=2)
    draft = (await rate(client, u, 1)).json()
    not_yet = await client.post(
        OBJECTIONS,
        json={"rating_id": draft["id"], "reasons": REASONS},
        headers=u.auth(u.staff_users[1]),
    )
    assert (not_yet.status_code, not_yet.json()["reason"]) == (409, "not_locked")
    rating = await locked_rating(client, u)
    body = {"rating_id": rating["id"], "reasons": REASONS}
    # The rater and the head read the rating but it is not theirs to object to.
    for user in (u.rater_user, u.head_user):
        assert (await client.post(OBJECTIONS, json=body, headers=u.auth(user))).status_code == 403
    # Another employee cannot read it at all.
    unseen = await client.post(OBJECTIONS, json=body, headers=u.auth(u.staff_users[1]))
    assert (unseen.status_code, unseen.json()["errors"][0]["field"]) == (422, "body.rating_id")
    for role in (Role.REGION_ADMIN, Role.AGENCY_ADMIN, Role.AUDITOR, Role.TRAINING_ADMIN):
        user = await world.user(u.region, role, agency=u.agency)
        assert (await client.post(OBJECTIONS, json=body, headers=u.auth(user))).status_code == 403
    headers = {**u.auth(u.staff_users[0]), "Idempotency-Key": "keberatan-1"}
    filed = await client.post(OBJECTIONS, json=body, headers=headers)
    assert filed.status_code == 201, filed.text
    objection = filed.json()
    assert filed.headers["Location"] == f"{OBJECTIONS}/{objection['id']}"
    assert (objection["status"], objection["previous_predicate"]) == ("pending", "baik")
    assert (objection["employee_id"], objection["decider_id"]) == (
        str(u.staff[0].id),
        str(u.head.id),
    )
    replayed = await client.post(OBJECTIONS, json=body, headers=headers)
    assert (replayed.status_code, replayed.json()["id"]) == (201, objection["id"])
    repeated = await _file(client, u, rating)
    assert repeated.status_code == 409
    assert (repeated.json()["reason"], repeated.json()["type"].endswith("/objection-refused")) == (
        "repeated",
        True,
    )
    assert await world.audit_actions(objection["id"]) == ["evaluation_objection.filed"]
    assert await outbox(world.connection, objection["id"]) == [
        ("evaluation.objection_filed", u.staff[0].id)
    ]


async def test_a_rater_without_a_supervisor_leaves_no_one_to_decide(
    client: httpx.AsyncClient, world: World
) -> None:
    u = await unit(world, staff=0)
    top = await world.employee(u.region, u.agency)
    staff = await world.employee(u.region, u.agency, supervisor=top)
    u.rater, u.rater_user = top, await world.user(u.region, Role.EMPLOYEE, employee=top)
    u.staff.append(staff)
    u.staff_users.append(await world.user(u.region, Role.EMPLOYEE, employee=staff))
    u.plans.append(await world.plan(u.period, staff, status="approved"))
    rating = await locked_rating(client, u)
    refused = await _file(client, u, rating)
    assert (refused.status_code, refused.json()["reason"]) == (409, "no_decider")


async def test_the_raters_supervisor_decides_and_a_change_rereads_the_predikat(
    client: httpx.AsyncClient, world: World
) -> None:
    u = await unit(world)
    rating = await locked_rating(client, u, hasil_kerja="below")
    assert rating["predicate"] == "butuh_perbaikan"
    objection = (await _file(client, u, rating)).json()
    url = f"{OBJECTIONS}/{objection['id']}/decision"
    decision = {"outcome": "changed", "hasil_kerja": "meets", "reasons": "Bukti diterima."}
    # The employee and administrators read the objection but do not decide it; the rater
    # and the peer do not read it.
    admin = await world.user(u.region, Role.REGION_ADMIN)
    for user, status in ((u.staff_users[0], 403), (u.rater_user, 404), (u.peer_user, 404)):
        response = await client.post(
            url, json=decision, headers={**u.auth(user), "If-Match": '"1"'}
        )
        assert response.status_code == status, response.text
    assert (
        await client.post(url, json=decision, headers={**u.auth(admin), "If-Match": '"1"'})
    ).status_code == 403
    head = u.auth(u.head_user)
    assert (await client.post(url, json=decision, headers=head)).status_code == 428
    assert (
        await client.post(url, json=decision, headers={**head, "If-Match": '"7"'})
    ).status_code == 412
    invalid = await client.post(
        url, json={"outcome": "changed", "reasons": "x" * 5}, headers={**head, "If-Match": '"1"'}
    )
    assert invalid.status_code == 422
    decided = await client.post(url, json=decision, headers={**head, "If-Match": '"1"'})
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert (body["status"], body["previous_predicate"]) == ("changed", "butuh_perbaikan")
    assert (body["decision_reasons"], body["decided_at"] is not None) == ("Bukti diterima.", True)
    changed = (
        await client.get(f"{RATINGS}/{rating['id']}", headers=u.auth(u.staff_users[0]))
    ).json()
    assert (changed["predicate"], changed["hasil_kerja"], changed["status"]) == (
        "baik",
        "meets",
        "locked",
    )
    again = await client.post(
        url,
        json={"outcome": "upheld", "reasons": "Tetap."},
        headers={**head, "If-Match": decided.headers["ETag"]},
    )
    assert again.status_code == 409
    assert await world.audit_actions(objection["id"]) == [
        "evaluation_objection.filed",
        "evaluation_objection.decided",
    ]
    assert (await world.audit_actions(rating["id"]))[-1] == (
        "evaluation_rating.changed_on_objection"
    )
    assert [t for t, _ in await outbox(world.connection, rating["id"])][-1] == (
        "evaluation.rating_updated"
    )
    assert await outbox(world.connection, objection["id"]) == [
        ("evaluation.objection_filed", u.staff[0].id),
        ("evaluation.objection_decided", u.staff[0].id),
    ]


async def test_an_upheld_objection_leaves_the_rating_and_above_stays_bounded(
    client: httpx.AsyncClient, world: World
) -> None:
    u = await unit(world, staff=0)
    await u.add_staff([("utama", "95"), ("tambahan", "150")])
    rating = await locked_rating(client, u)
    objection = (await _file(client, u, rating)).json()
    url = f"{OBJECTIONS}/{objection['id']}/decision"
    head = {**u.auth(u.head_user), "If-Match": '"1"'}
    above = {"outcome": "changed", "hasil_kerja": "above", "reasons": "Melampaui target."}
    refused = await client.post(url, json=above, headers=head)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["code"] == "above_not_allowed"
    mixed = {"outcome": "upheld", "perilaku": "above", "reasons": "Tetap."}
    assert (await client.post(url, json=mixed, headers=head)).status_code == 422
    upheld = await client.post(url, json={"outcome": "upheld", "reasons": "Tetap."}, headers=head)
    assert upheld.json()["status"] == "upheld"
    after = (await client.get(f"{RATINGS}/{rating['id']}", headers=u.auth(u.rater_user))).json()
    assert (after["predicate"], after["version"]) == (rating["predicate"], rating["version"])


async def test_readers_of_objections(client: httpx.AsyncClient, world: World) -> None:
    u = await unit(world)
    rating = await locked_rating(client, u)
    objection = (await _file(client, u, rating)).json()
    url = f"{OBJECTIONS}/{objection['id']}"
    readers = [
        u.staff_users[0],
        u.head_user,
        await world.user(u.region, Role.REGION_ADMIN),
        await world.user(u.region, Role.AGENCY_ADMIN, agency=u.agency),
        await world.user(u.region, Role.AUDITOR),
        await world.user(None, Role.SUPERADMIN),
        await world.service_account(u.region, "evaluations:read"),
    ]
    for user in readers:
        listed = await client.get(OBJECTIONS, headers=world.auth(user))
        assert [i["id"] for i in listed.json()["items"]] == [objection["id"]], listed.text
        one = await client.get(url, headers=world.auth(user))
        assert (one.status_code, one.headers["ETag"]) == (200, '"1"')
    outsider = await world.user(u.region, Role.AGENCY_ADMIN, agency=await world.agency(u.region))
    for user in (u.rater_user, u.peer_user, outsider):
        assert (await client.get(OBJECTIONS, headers=world.auth(user))).json()["items"] == []
        assert (await client.get(url, headers=world.auth(user))).status_code == 404
    for role in (Role.TRAINING_ADMIN, Role.COMPLAINT_OFFICER):
        user = await world.user(u.region, role)
        assert (await client.get(OBJECTIONS, headers=world.auth(user))).status_code == 403
        assert (await client.get(url, headers=world.auth(user))).status_code == 403
    unscoped = await world.service_account(u.region, "plans:read")
    assert (await client.get(OBJECTIONS, headers=world.auth(unscoped))).status_code == 403
    head = world.auth(u.head_user)
    mine = await client.get(
        OBJECTIONS, params={"decider_id": str(u.head.id), "status": "pending"}, headers=head
    )
    assert [i["id"] for i in mine.json()["items"]] == [objection["id"]]
    none = await client.get(OBJECTIONS, params={"status": "upheld"}, headers=head)
    assert none.json()["items"] == []
    assert (await client.get(OBJECTIONS)).status_code == 401


async def test_another_regions_objections_are_404(client: httpx.AsyncClient, world: World) -> None:
    foreign = await unit(world)
    rating = await locked_rating(client, foreign)
    objection = (await _file(client, foreign, rating)).json()
    home = await unit(world)
    url = f"{OBJECTIONS}/{objection['id']}"
    for user in (await world.user(home.region, Role.REGION_ADMIN), home.head_user):
        headers = world.auth(user)
        assert (await client.get(url, headers=headers)).status_code == 404
        assert (await client.get(OBJECTIONS, headers=headers)).json()["items"] == []
    decided = await client.post(
        f"{url}/decision",
        json={"outcome": "upheld", "reasons": "Tetap."},
        headers={**world.auth(home.head_user), "If-Match": '"1"'},
    )
    assert decided.status_code == 404
    filed = await client.post(
        OBJECTIONS,
        json={"rating_id": rating["id"], "reasons": REASONS},
        headers=world.auth(home.staff_users[0]),
    )
    assert (filed.status_code, filed.json()["errors"][0]["field"]) == (422, "body.rating_id")
    missing = await client.get(f"{OBJECTIONS}/{uuid.uuid4()}", headers=world.auth(home.head_user))
    assert missing.status_code == 404
