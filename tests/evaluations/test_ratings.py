"""Ratings by the pejabat penilai: who may rate, the hasil kerja suggestion at its boundaries,
the `above` refusal, the predikat from the matrix, draft changes until the lock, and who reads
them."""

import uuid

import httpx
import pytest

from kinerja_api.models.org import Role
from tests.evaluations.rating_setup import (
    RATINGS,
    Results,
    calibrate,
    lock,
    outbox,
    rate,
    unit,
)
from tests.factories import World


@pytest.mark.parametrize(
    ("results", "percent", "suggestion"),
    [
        ([("utama", "110")], "110.00", "above"),
        ([("utama", "109.99")], "109.99", "meets"),
        ([("utama", "90")], "90.00", "meets"),
        ([("utama", "89.99")], "89.99", "below"),
        # A utama target exactly at its expectation does not hold `above` back...
        ([("utama", "100"), ("tambahan", "120")], "110.00", "above"),
        # ... one a hair below it does, whatever the plan as a whole achieves.
        ([("utama", "99.99"), ("tambahan", "140")], "120.00", "meets"),
        # A tambahan target below expectation does not.
        ([("utama", "150"), ("tambahan", "80")], "115.00", "above"),
    ],
)
async def test_the_suggestion_follows_the_plans_achievement_at_its_boundaries(
    client: httpx.AsyncClient, world: World, results: Results, percent: str, suggestion: str
) -> None:
    u = await unit(world, staff=0)
    await u.add_staff(results)
    created = await rate(client, u, hasil_kerja="meets")
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["hasil_kerja_suggestion"] == suggestion
    assert body["achievement"]["percent"] == percent
    assert body["achievement"]["suggestion"] == suggestion
    utama_below = any(kind == "utama" and float(p) < 100 for kind, p in results)
    assert body["achievement"]["utama_below_expectation"] is utama_below
    assert [t["kind"] for t in body["achievement"]["targets"]] == [k for k, _ in results]
    read = await client.get(f"{RATINGS}/{body['id']}", headers=u.auth(u.staff_users[0]))
    assert read.json()["achievement"] == body["achievement"]


async def test_above_is_refused_while_a_utama_target_is_below_expectation(
    client: httpx.AsyncClient, world: World
) -> None:
    u = await unit(world, staff=0)
    await u.add_staff([("utama", "99.99"), ("tambahan", "140")])
    await u.add_staff([("utama", "100"), ("tambahan", "100")])
    refused = await rate(client, u, 0, hasil_kerja="above")
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["type"].endswith("/validation")
    assert problem["errors"][0]["field"] == "body.hasil_kerja"
    assert problem["errors"][0]["code"] == "above_not_allowed"
    # Exactly at expectation, `above` may be recorded even against a `meets` suggestion.
    accepted = await rate(client, u, 1, hasil_kerja="above", perilaku="above")
    assert accepted.status_code == 201, accepted.text
    assert (accepted.json()["hasil_kerja_suggestion"], accepted.json()["predicate"]) == (
        "meets",
        "sangat_baik",
    )
    # The refusal holds for a change too.
    meets = await rate(client, u, 0, hasil_kerja="meets")
    patched = await client.patch(
        f"{RATINGS}/{meets.json()['id']}",
        json={"hasil_kerja": "above"},
        headers={**u.auth(u.rater_user), "If-Match": meets.headers["ETag"]},
    )
    assert patched.status_code == 422, patched.text


@pytest.mark.parametrize(
    ("perilaku", "hasil_kerja", "predicate"),
    [
        ("above", "above", "sangat_baik"),
        ("meets", "above", "baik"),
        ("above", "below", "butuh_perbaikan"),
        ("below", "meets", "kurang"),
        ("below", "below", "sangat_kurang"),
    ],
)
async def test_the_predikat_comes_from_the_matrix(
    client: httpx.AsyncClient, world: World, perilaku: str, hasil_kerja: str, predicate: str
) -> None:
    u = await unit(world, staff=0)
    await u.add_staff([("utama", "120")])
    created = await rate(client, u, hasil_kerja=hasil_kerja, perilaku=perilaku)
    assert created.status_code == 201, created.text
    assert created.json()["predicate"] == predicate


async def test_only_the_approver_of_an_approved_plan_rates_it_once(
    client: httpx.AsyncClient, world: World
) -> None:
    u = await unit(world)
    body = {"plan_id": str(u.plans[0].id), "hasil_kerja": "meets", "perilaku": "meets"}
    agency_admin = await world.user(u.region, Role.AGENCY_ADMIN, agency=u.agency)
    # Refused by role, before any plan is looked at.
    for role in (Role.REGION_ADMIN, Role.AUDITOR, Role.TRAINING_ADMIN, Role.COMPLAINT_OFFICER):
        user = await world.user(u.region, role)
        response = await client.post(RATINGS, json=body, headers=u.auth(user))
        assert response.status_code == 403, (role, response.text)
    assert (await client.post(RATINGS, json=body, headers=u.auth(agency_admin))).status_code == 403
    # The rated employee and the head above the rater read the plan but did not approve it.
    for user in (u.staff_users[0], u.head_user):
        response = await client.post(RATINGS, json=body, headers=u.auth(user))
        assert response.status_code == 403, response.text
    # A peer of the rater cannot even read the plan.
    unseen = await client.post(RATINGS, json=body, headers=u.auth(u.peer_user))
    assert unseen.status_code == 422
    assert unseen.json()["errors"][0] == {
        "field": "body.plan_id",
        "message": "Rencana kinerja (SKP) tidak ditemukan.",
        "code": "not_found",
    }
    headers = {**u.auth(u.rater_user), "Idempotency-Key": "rate-1"}
    created = await client.post(RATINGS, json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == f"{RATINGS}/{created.json()['id']}"
    assert created.json()["rater_id"] == str(u.rater.id)
    replayed = await client.post(RATINGS, json=body, headers=headers)
    assert (replayed.status_code, replayed.json()["id"]) == (201, created.json()["id"])
    second = await client.post(RATINGS, json=body, headers=u.auth(u.rater_user))
    assert second.status_code == 409
    assert second.json()["rating_id"] == created.json()["id"]
    rating_id = created.json()["id"]
    assert await world.audit_actions(rating_id) == ["evaluation_rating.created"]
    assert await outbox(world.connection, rating_id) == [("evaluation.rated", u.staff[0].id)]


async def test_a_plan_not_approved_is_not_rated(client: httpx.AsyncClient, world: World) -> None:
    u = await unit(world, staff=0)
    employee = await world.employee(u.region, u.agency, supervisor=u.rater)
    plan = await world.plan(u.period, employee, status="submitted", approver_id=u.rater.id)
    body = {"plan_id": str(plan.id), "hasil_kerja": "meets", "perilaku": "meets"}
    response = await client.post(RATINGS, json=body, headers=u.auth(u.rater_user))
    assert response.status_code == 409
    assert response.json()["plan_status"] == "submitted"


async def test_a_draft_changes_with_if_match_until_the_agency_locks(
    client: httpx.AsyncClient, world: World
) -> None:
    u = await unit(world, staff=2)
    created = await rate(client, u, note="Awal")
    url = f"{RATINGS}/{created.json()['id']}"
    rater = u.auth(u.rater_user)
    change = {"perilaku": "below", "note": None}
    assert (await client.patch(url, json=change, headers=rater)).status_code == 428
    stale = await client.patch(url, json=change, headers={**rater, "If-Match": '"9"'})
    assert stale.status_code == 412
    # Only the rater changes it: the rated employee and the head are refused.
    for user in (u.staff_users[0], u.head_user):
        response = await client.patch(
            url, json=change, headers={**u.auth(user), "If-Match": created.headers["ETag"]}
        )
        assert response.status_code == 403, response.text
    changed = await client.patch(
        url, json=change, headers={**rater, "If-Match": created.headers["ETag"]}
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["predicate"], changed.json()["note"]) == ("kurang", None)
    assert changed.headers["ETag"] == f'"{changed.json()["version"]}"'
    admin = await world.user(u.region, Role.REGION_ADMIN)
    agency_rating = await calibrate(client, u, admin, "sangat_kurang")
    # Kurang alone: Sangat Kurang should hold at least 60 %.
    refused = await lock(client, u, admin, agency_rating.json())
    assert refused.status_code == 409
    agency_rating = (
        await client.patch(
            f"/api/v1/agency-ratings/{agency_rating.json()['id']}",
            json={"predicate": "istimewa"},
            headers={**u.auth(admin), "If-Match": f'"{agency_rating.json()["version"]}"'},
        )
    ).json()
    assert (await lock(client, u, admin, agency_rating)).status_code == 200
    locked = await client.get(url, headers=rater)
    assert (locked.json()["status"], locked.json()["locked_at"] is not None) == ("locked", True)
    late = await client.patch(
        url, json={"perilaku": "meets"}, headers={**rater, "If-Match": locked.headers["ETag"]}
    )
    assert late.status_code == 409
    assert late.json()["type"].endswith("/rating-locked")
    # Nor is a new rating given in the locked agency for the period.
    after = await rate(client, u, 1)
    assert after.status_code == 409
    assert after.json()["type"].endswith("/rating-locked")
    assert await world.audit_actions(created.json()["id"]) == [
        "evaluation_rating.created",
        "evaluation_rating.updated",
        "evaluation_rating.locked",
    ]
    assert [t for t, _ in await outbox(world.connection, created.json()["id"])] == [
        "evaluation.rated",
        "evaluation.rating_updated",
        "evaluation.rating_locked",
    ]


async def test_readers_are_the_employee_their_chain_their_agency_and_the_region(
    client: httpx.AsyncClient, world: World
) -> None:
    u = await unit(world, staff=2)
    first = (await rate(client, u, 0, hasil_kerja="below")).json()
    second = (await rate(client, u, 1)).json()
    other_agency = await world.agency(u.region)

    async def seen(user: object, **params: str) -> set[str]:
        response = await client.get(RATINGS, params=params, headers=world.auth(user))
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["items"]}

    both = {first["id"], second["id"]}
    assert await seen(u.staff_users[0]) == {first["id"]}
    assert await seen(u.rater_user) == both
    assert await seen(u.head_user) == both
    assert await seen(u.peer_user) == set()
    assert await seen(await world.user(u.region, Role.AGENCY_ADMIN, agency=u.agency)) == both
    outsider = await world.user(u.region, Role.AGENCY_ADMIN, agency=other_agency)
    assert await seen(outsider) == set()
    auditor = await world.user(u.region, Role.AUDITOR)
    assert await seen(auditor) == both
    assert await seen(await world.service_account(u.region, "evaluations:read")) == both
    assert both <= await seen(await world.user(None, Role.SUPERADMIN))
    assert await seen(auditor, predicate="butuh_perbaikan") == {first["id"]}
    assert await seen(auditor, employee_id=str(u.staff[1].id)) == {second["id"]}
    assert await seen(auditor, status="locked") == set()
    assert await seen(auditor, under=str(u.agency.id)) == both
    assert await seen(auditor, under=str(other_agency.id)) == set()
    assert await seen(auditor, period_id=str(u.period.id), rater_id=str(u.rater.id)) == both
    for role in (Role.TRAINING_ADMIN, Role.COMPLAINT_OFFICER):
        user = await world.user(u.region, role)
        assert (await client.get(RATINGS, headers=world.auth(user))).status_code == 403
    unscoped = await world.service_account(u.region, "plans:read")
    assert (await client.get(RATINGS, headers=world.auth(unscoped))).status_code == 403
    for user in (u.peer_user, outsider):
        one = await client.get(f"{RATINGS}/{first['id']}", headers=world.auth(user))
        assert one.status_code == 404
    one = await client.get(f"{RATINGS}/{first['id']}", headers=world.auth(auditor))
    assert one.headers["ETag"] == '"1"'
    assert (await client.get(RATINGS)).status_code == 401


async def test_another_regions_ratings_are_404(client: httpx.AsyncClient, world: World) -> None:
    foreign = await unit(world)
    rating = (await rate(client, foreign)).json()
    home = await unit(world, staff=0)
    admin = await world.user(home.region, Role.REGION_ADMIN)
    url = f"{RATINGS}/{rating['id']}"
    for user in (admin, home.rater_user, await world.user(home.region, Role.AUDITOR)):
        assert (await client.get(url, headers=world.auth(user))).status_code == 404
        assert rating["id"] not in {
            i["id"] for i in (await client.get(RATINGS, headers=world.auth(user))).json()["items"]
        }
    patched = await client.patch(
        url, json={"perilaku": "above"}, headers={**world.auth(home.rater_user), "If-Match": '"1"'}
    )
    assert patched.status_code == 404
    body = {"plan_id": str(foreign.plans[0].id), "hasil_kerja": "meets", "perilaku": "meets"}
    created = await client.post(RATINGS, json=body, headers=world.auth(home.rater_user))
    assert created.status_code == 422
    assert (
        await client.get(f"{RATINGS}/{uuid.uuid4()}", headers=world.auth(admin))
    ).status_code == 404


async def test_a_rating_shows_the_360_results_of_its_period_as_perilaku_evidence(
    client: httpx.AsyncClient, world: World
) -> None:
    """The same groups as the results, withheld by the same rules: the rater sees the
    supervisor's and self answers as such, two peers' only as `below_threshold`."""
    u = await unit(world)
    staff = u.staff[0]
    cycle = await world.cycle(u.period, status="closed", name="Evaluasi 360 Triwulan II")
    await world.assignment(cycle, staff, staff, "self")
    await world.response(cycle, staff, "self", scores=5)
    await world.response(cycle, staff, "supervisor", scores=4)
    for score in (1, 2):
        await world.response(cycle, staff, "peer", scores=score, comments="rahasia")
    other_period = await world.period(u.region, year=2025)
    await world.assignment(await world.cycle(other_period, status="closed"), staff, staff, "self")
    created = await rate(client, u)
    assert created.status_code == 201, created.text
    found = await client.get(f"{RATINGS}/{created.json()['id']}", headers=u.auth(u.rater_user))
    assert found.status_code == 200, found.text
    (evidence,) = found.json()["perilaku_evidence"]
    assert (evidence["cycle_id"], evidence["cycle_closed"]) == (str(cycle.id), True)
    groups = {group["relation"]: group for group in evidence["groups"]}
    assert groups["self"]["mean"] == "5.00"
    assert groups["supervisor"]["mean"] == "4.00"
    assert groups["peer"]["withheld"] == "below_threshold"
    assert groups["peer"]["responses"] is None
    assert groups["peer"]["means"] == {}
    assert "rahasia" not in found.text
