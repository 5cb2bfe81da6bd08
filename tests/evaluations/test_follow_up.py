"""Tindak lanjut (GET /evaluation-results): award candidates for Sangat Baik, a development plan
required below Baik (with the cycle's weakest core values as a hint), per cycle or period."""

from typing import Any

import httpx
import pytest

from tests.evaluations.results_helpers import FOLLOW_UP, Team, team
from tests.factories import World


async def _rated_team(world: World, **cycle_values: Any) -> tuple[Team, dict[str, Any]]:
    """The ratee (Butuh Perbaikan) and three peers rated Sangat Baik, Baik and Kurang."""
    built = await team(world, peers=3, **cycle_values)
    ratings = {
        "ratee": await world.rating(built.period, built.ratee, built.boss, "butuh_perbaikan"),
        "star": await world.rating(built.period, built.peers[0], built.boss, "sangat_baik"),
        "fine": await world.rating(built.period, built.peers[1], built.boss, "baik"),
        "poor": await world.rating(built.period, built.peers[2], built.boss, "kurang"),
    }
    return built, ratings


def _by_rating(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["rating_id"]: item for item in body["items"]}


async def test_award_candidates_and_required_plans_per_period(
    client: httpx.AsyncClient, world: World
) -> None:
    built, ratings = await _rated_team(world)
    plan = await world.development_plan(ratings["poor"])
    response = await client.get(
        FOLLOW_UP, params={"period_id": str(built.period.id)}, headers=built.logins["admin"]
    )
    assert response.status_code == 200, response.text
    rows = _by_rating(response.json())
    assert len(rows) == 4
    star = rows[str(ratings["star"].id)]
    assert (star["kind"], star["awards"], star["development_plan_required"]) == (
        "award_candidate",
        ["piagam", "tunjangan_kinerja", "promotion_consideration"],
        False,
    )
    fine = rows[str(ratings["fine"].id)]
    assert (fine["kind"], fine["awards"], fine["development_plan_required"]) == (
        "none",
        [],
        False,
    )
    weak = rows[str(ratings["ratee"].id)]
    assert (weak["kind"], weak["development_plan_required"]) == ("development_plan", True)
    assert (weak["development_plan_id"], weak["weak_values"]) == (None, None)
    assert weak["name"] == built.ratee.name
    poor = rows[str(ratings["poor"].id)]
    assert (poor["predicate"], poor["development_plan_id"]) == ("kurang", str(plan.id))


async def test_filters_by_predicate_and_subtree_and_pages(
    client: httpx.AsyncClient, world: World
) -> None:
    built, ratings = await _rated_team(world)
    admin = built.logins["admin"]
    period = {"period_id": str(built.period.id)}
    only = await client.get(FOLLOW_UP, params={**period, "predicate": "kurang"}, headers=admin)
    assert [i["rating_id"] for i in only.json()["items"]] == [str(ratings["poor"].id)]
    elsewhere = await world.agency(built.region)
    empty = await client.get(
        FOLLOW_UP, params={**period, "under": str(elsewhere.id)}, headers=admin
    )
    assert empty.json()["items"] == []
    seen: list[str] = []
    cursor = None
    while True:
        params = {**period, "limit": "3", **({"cursor": cursor} if cursor else {})}
        page = (await client.get(FOLLOW_UP, params=params, headers=admin)).json()
        seen += [item["rating_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(str(r.id) for r in ratings.values())


async def test_a_cycle_hints_at_the_weakest_values_of_its_shown_groups(
    client: httpx.AsyncClient, world: World
) -> None:
    built, ratings = await _rated_team(world, status="closed")
    ratee = built.ratee
    await world.response(built.cycle, ratee, "self", {"akuntabel": 2, "loyal": 4}, None)
    await world.response(built.cycle, ratee, "supervisor", {"akuntabel": 1, "adaptif": 2})
    for _ in range(3):
        await world.response(built.cycle, ratee, "peer", {"kompeten": 1, "akuntabel": 5})
    body = (
        await client.get(
            FOLLOW_UP, params={"cycle_id": str(built.cycle.id)}, headers=built.logins["boss"]
        )
    ).json()
    rows = _by_rating(body)
    # (2 + 1 + 3*5) / 5 = 3.6 for akuntabel; kompeten (3 + 3 + 1 + 1 + 1) / 5 = 1.8.
    assert rows[str(ratings["ratee"].id)]["weak_values"] == [
        {"value": "kompeten", "mean": "1.80"},
        {"value": "adaptif", "mean": "2.80"},
        {"value": "berorientasi_pelayanan", "mean": "3.00"},
    ]
    assert rows[str(ratings["star"].id)]["weak_values"] is None
    assert rows[str(ratings["poor"].id)]["weak_values"] == []


async def test_a_cycle_of_a_subtree_lists_only_that_subtrees_ratings(
    client: httpx.AsyncClient, world: World
) -> None:
    built, _ratings = await _rated_team(world)
    other = await world.agency(built.region)
    outsider = await world.employee(built.region, other)
    await world.rating(built.period, outsider, built.boss, "sangat_kurang")
    narrow = await world.cycle(built.period, agency=built.agency)
    admin = built.logins["admin"]
    wide = await client.get(FOLLOW_UP, params={"cycle_id": str(built.cycle.id)}, headers=admin)
    assert len(wide.json()["items"]) == 5
    only = await client.get(FOLLOW_UP, params={"cycle_id": str(narrow.id)}, headers=admin)
    assert str(outsider.id) not in {i["employee_id"] for i in only.json()["items"]}
    assert len(only.json()["items"]) == 4


async def test_readers_see_the_ratings_they_may_read(
    client: httpx.AsyncClient, world: World
) -> None:
    built, ratings = await _rated_team(world)
    params = {"period_id": str(built.period.id)}

    async def rows(login: str) -> set[str]:
        response = await client.get(FOLLOW_UP, params=params, headers=built.logins[login])
        assert response.status_code == 200, (login, response.text)
        return {item["rating_id"] for item in response.json()["items"]}

    every = {str(r.id) for r in ratings.values()}
    for login in ("admin", "auditor", "agency_admin", "service", "boss", "head"):
        assert await rows(login) == every, login
    assert await rows("ratee") == {str(ratings["ratee"].id)}
    assert await rows("peer") == {str(ratings["star"].id)}
    superadmin = built.logins["superadmin"]
    assert (await client.get(FOLLOW_UP, params=params, headers=superadmin)).status_code == 200


@pytest.mark.parametrize("login", ["officer", "trainer"])
async def test_other_roles_are_refused(client: httpx.AsyncClient, world: World, login: str) -> None:
    built = await team(world, peers=0)
    params = {"period_id": str(built.period.id)}
    response = await client.get(FOLLOW_UP, params=params, headers=built.logins[login])
    assert response.status_code == 403
    assert (await client.get(FOLLOW_UP, params=params)).status_code == 401


async def test_a_cycle_or_a_period_is_required(client: httpx.AsyncClient, world: World) -> None:
    built = await team(world, peers=0)
    admin = built.logins["admin"]
    assert (await client.get(FOLLOW_UP, headers=admin)).status_code == 422
    both = {"period_id": str(built.period.id), "cycle_id": str(built.cycle.id)}
    assert (await client.get(FOLLOW_UP, params=both, headers=admin)).status_code == 422
    bad = {"period_id": str(built.period.id), "predicate": "istimewa"}
    assert (await client.get(FOLLOW_UP, params=bad, headers=admin)).status_code == 422


async def test_another_regions_cycle_and_period_are_404(
    client: httpx.AsyncClient, world: World
) -> None:
    built, _ratings = await _rated_team(world)
    home = await team(world, peers=0)
    for login in ("admin", "auditor", "boss", "service"):
        for params in ({"cycle_id": str(built.cycle.id)}, {"period_id": str(built.period.id)}):
            response = await client.get(FOLLOW_UP, params=params, headers=home.logins[login])
            assert response.status_code == 404, (login, params, response.text)
    own = await client.get(
        FOLLOW_UP,
        params={"period_id": str(home.period.id), "under": str(built.agency.id)},
        headers=home.logins["admin"],
    )
    assert own.json()["items"] == []
