"""Calibration: an agency's organisation predikat, its spread of employee predikat beside the
curve, the lock refused while the spread misfits (the problem names the bands) and accepted
once ratings change, and who may do what."""

import uuid
from decimal import Decimal

import httpx

from kinerja_api.evaluations.calibration.distribution import distribution
from kinerja_api.models.evaluations import OrganisationPredicate, Predicate
from kinerja_api.models.org import Role
from tests.evaluations.rating_setup import (
    AGENCY_RATINGS,
    RATINGS,
    calibrate,
    lock,
    outbox,
    rate,
    unit,
)
from tests.factories import World


def test_the_distribution_lays_out_every_band_with_its_verdict() -> None:
    found = distribution(OrganisationPredicate.BAIK, {Predicate.BAIK: 8, Predicate.SANGAT_BAIK: 2})
    assert found.rated == 10
    assert found.shares[Predicate.BAIK] == Decimal("0.8000")
    assert [(b.band.name, b.count, b.fits) for b in found.bands] == [
        ("baik", 8, False),
        ("butuh_perbaikan+kurang", 0, False),
    ]
    assert not found.fits
    empty = distribution(OrganisationPredicate.ISTIMEWA, {})
    assert (empty.rated, empty.fits, empty.bands[0].share) == (0, True, Decimal("0.0000"))


async def test_the_lock_is_refused_naming_the_bands_then_accepted_once_ratings_change(
    client: httpx.AsyncClient, world: World
) -> None:
    u = await unit(world, staff=3)
    ratings = [(await rate(client, u, i)).json() for i in range(3)]
    assert {r["predicate"] for r in ratings} == {"baik"}
    admin = await world.user(u.region, Role.REGION_ADMIN)
    created = await calibrate(client, u, admin, "baik")
    assert created.status_code == 201, created.text
    agency_rating = created.json()
    assert created.headers["Location"] == f"{AGENCY_RATINGS}/{agency_rating['id']}"
    assert (agency_rating["status"], agency_rating["curve_version"]) == (
        "open",
        "permenpanrb-6-2022",
    )
    spread = agency_rating["distribution"]
    assert (spread["rated"], spread["fits"]) == (3, False)
    assert {p["predicate"]: (p["count"], p["share"]) for p in spread["predicates"]}["baik"] == (
        3,
        "1.0000",
    )
    assert [(b["band"], b["at_most"], b["at_least_count"], b["fits"]) for b in spread["bands"]] == [
        ("baik", "0.70", None, False),
        ("butuh_perbaikan+kurang", None, 1, False),
    ]

    refused = await lock(client, u, admin, agency_rating)
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["type"].endswith("/distribution-misfit")
    assert problem["rated"] == 3
    assert problem["bands"] == [
        {
            "band": "baik",
            "count": 3,
            "share": "1.0000",
            "at_most": "0.70",
            "at_least": None,
            "at_least_count": None,
        },
        {
            "band": "butuh_perbaikan+kurang",
            "count": 0,
            "share": "0.0000",
            "at_most": None,
            "at_least": None,
            "at_least_count": 1,
        },
    ]
    assert "baik 1.0000 > 0.70" in problem["detail"]
    # Nothing was locked by the refusal.
    first = await client.get(f"{RATINGS}/{ratings[0]['id']}", headers=u.auth(u.rater_user))
    assert first.json()["status"] == "draft"

    # One rating goes down to Butuh Perbaikan: Baik is 2 of 3 (66.67 %), and one needs help.
    changed = await client.patch(
        f"{RATINGS}/{ratings[0]['id']}",
        json={"hasil_kerja": "below"},
        headers={**u.auth(u.rater_user), "If-Match": first.headers["ETag"]},
    )
    assert changed.json()["predicate"] == "butuh_perbaikan"
    locked = await lock(client, u, admin, agency_rating)
    assert locked.status_code == 200, locked.text
    body = locked.json()
    assert (body["status"], body["distribution"]["fits"]) == ("locked", True)
    assert body["locked_at"] is not None
    for rating in ratings:
        read = (await client.get(f"{RATINGS}/{rating['id']}", headers=u.auth(u.rater_user))).json()
        assert (read["status"], read["locked_at"]) == ("locked", body["locked_at"])
        assert read["version"] == rating["version"] + (2 if rating is ratings[0] else 1)
        assert await world.audit_actions(rating["id"]) == [
            "evaluation_rating.created",
            *(["evaluation_rating.updated"] if rating is ratings[0] else []),
            "evaluation_rating.locked",
        ]
    assert [
        event
        for rating in ratings
        for event in await outbox(world.connection, rating["id"])
        if event[0] == "evaluation.rating_locked"
    ] == [("evaluation.rating_locked", employee.id) for employee in u.staff]
    assert await world.audit_actions(agency_rating["id"]) == [
        "agency_rating.created",
        "agency_rating.locked",
    ]
    url = f"{AGENCY_RATINGS}/{agency_rating['id']}"
    again = await client.post(
        f"{url}/lock", headers={**u.auth(admin), "If-Match": locked.headers["ETag"]}
    )
    assert again.status_code == 409
    patched = await client.patch(
        url,
        json={"predicate": "istimewa"},
        headers={**u.auth(admin), "If-Match": locked.headers["ETag"]},
    )
    assert patched.status_code == 409
    assert patched.json()["type"].endswith("/rating-locked")


async def test_an_agency_rating_covers_its_subtree_once(
    client: httpx.AsyncClient, world: World
) -> None:
    u = await unit(world, staff=0)
    bidang = await world.agency(u.region, parent=u.agency)
    await u.add_staff(agency=bidang)
    rated = await rate(client, u, 0)
    assert rated.status_code == 201, rated.text
    admin = await world.user(u.region, Role.REGION_ADMIN)
    created = await calibrate(client, u, admin, "istimewa")
    assert created.json()["distribution"]["rated"] == 1
    duplicate = await calibrate(client, u, admin, "baik")
    assert duplicate.status_code == 409
    below = {"agency_id": str(bidang.id), "period_id": str(u.period.id), "predicate": "baik"}
    nested = await client.post(AGENCY_RATINGS, json=below, headers=u.auth(admin))
    assert nested.status_code == 409
    assert nested.json()["agency_rating_id"] == created.json()["id"]
    headers = {**u.auth(admin), "Idempotency-Key": "ar-1"}
    other = await world.agency(u.region)
    body = {"agency_id": str(other.id), "period_id": str(u.period.id), "predicate": "baik"}
    first = await client.post(AGENCY_RATINGS, json=body, headers=headers)
    replayed = await client.post(AGENCY_RATINGS, json=body, headers=headers)
    assert (first.status_code, replayed.status_code) == (201, 201)
    assert first.json()["id"] == replayed.json()["id"]
    unknown = {**body, "period_id": str(uuid.uuid4())}
    assert (
        await client.post(AGENCY_RATINGS, json=unknown, headers=u.auth(admin))
    ).status_code == 422
    # The lock takes the sub-agency's rating with it.
    assert (await lock(client, u, admin, created.json())).status_code == 200
    read = await client.get(f"{RATINGS}/{rated.json()['id']}", headers=u.auth(u.rater_user))
    assert read.json()["status"] == "locked"


async def test_only_region_admins_write_and_admins_and_auditors_read(
    client: httpx.AsyncClient, world: World
) -> None:
    u = await unit(world)
    admin = await world.user(u.region, Role.REGION_ADMIN)
    created = (await calibrate(client, u, admin)).json()
    url = f"{AGENCY_RATINGS}/{created['id']}"
    body = {"agency_id": str(u.agency.id), "period_id": str(u.period.id), "predicate": "baik"}
    agency_admin = await world.user(u.region, Role.AGENCY_ADMIN, agency=u.agency)
    others = [
        agency_admin,
        await world.user(u.region, Role.AUDITOR),
        await world.user(u.region, Role.TRAINING_ADMIN),
        await world.user(u.region, Role.COMPLAINT_OFFICER),
        u.head_user,
        await world.user(None, Role.SUPERADMIN),
        await world.service_account(u.region, "evaluations:read"),
    ]
    for user in others:
        headers = {**world.auth(user), "If-Match": '"1"'}
        assert (await client.post(AGENCY_RATINGS, json=body, headers=headers)).status_code == 403
        assert (await client.patch(url, json={}, headers=headers)).status_code == 403
        assert (await client.post(f"{url}/lock", headers=headers)).status_code == 403
    readers = [admin, agency_admin, others[1], others[5], others[6]]
    for user in readers:
        listed = await client.get(AGENCY_RATINGS, headers=world.auth(user))
        assert [i["id"] for i in listed.json()["items"]] == [created["id"]], listed.text
        one = await client.get(url, headers=world.auth(user))
        assert (one.status_code, one.headers["ETag"]) == (200, '"1"')
    for user in (others[2], others[3], u.head_user, u.staff_users[0]):
        assert (await client.get(AGENCY_RATINGS, headers=world.auth(user))).status_code == 403
        assert (await client.get(url, headers=world.auth(user))).status_code == 403
    outsider = await world.user(u.region, Role.AGENCY_ADMIN, agency=await world.agency(u.region))
    assert (await client.get(url, headers=world.auth(outsider))).status_code == 404
    filtered = await client.get(
        AGENCY_RATINGS,
        params={"period_id": str(u.period.id), "predicate": "baik", "status": "open"},
        headers=world.auth(admin),
    )
    assert filtered.json()["items"] == []
    under = await client.get(
        AGENCY_RATINGS, params={"under": str(u.agency.id)}, headers=world.auth(admin)
    )
    assert [i["id"] for i in under.json()["items"]] == [created["id"]]
    assert (await client.get(AGENCY_RATINGS)).status_code == 401


async def test_another_regions_agency_ratings_are_404(
    client: httpx.AsyncClient, world: World
) -> None:
    foreign = await unit(world)
    foreign_admin = await world.user(foreign.region, Role.REGION_ADMIN)
    created = (await calibrate(client, foreign, foreign_admin)).json()
    home = await unit(world, staff=0)
    admin = world.auth(await world.user(home.region, Role.REGION_ADMIN))
    url = f"{AGENCY_RATINGS}/{created['id']}"
    assert (await client.get(url, headers=admin)).status_code == 404
    assert (await client.get(AGENCY_RATINGS, headers=admin)).json()["items"] == []
    assert (
        await client.patch(url, json={"predicate": "baik"}, headers={**admin, "If-Match": '"1"'})
    ).status_code == 404
    assert (
        await client.post(f"{url}/lock", headers={**admin, "If-Match": '"1"'})
    ).status_code == 404
    body = {
        "agency_id": str(foreign.agency.id),
        "period_id": str(home.period.id),
        "predicate": "baik",
    }
    refused = await client.post(AGENCY_RATINGS, json=body, headers=admin)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "body.agency_id"
