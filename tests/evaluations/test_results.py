"""A cycle's 360° results: per ratee and rater group, self and supervisor as such, anonymous
groups as aggregates once the cycle is closed; the citizens' IKM beside one ratee's result;
who may read them."""

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.models.org import Role
from tests.evaluations.results_helpers import (
    VALUES,
    WITHHELD_OPEN,
    Team,
    group,
    team,
)
from tests.factories import World


async def _answered(world: World, built: Team, peers: int = 3) -> None:
    await world.response(built.cycle, built.ratee, "self", 4, comments="Saya disiplin")
    await world.response(built.cycle, built.ratee, "supervisor", 3, comments="Cukup baik")
    for score in (5, 4, 2)[:peers]:
        await world.response(built.cycle, built.ratee, "peer", score)


async def test_self_and_supervisor_are_shown_as_such_and_peers_after_closing(
    client: httpx.AsyncClient, world: World
) -> None:
    built = await team(world, include_subordinates=False)
    await _answered(world, built)
    admin = built.logins["admin"]

    body = (await client.get(built.results(), headers=admin)).json()
    assert body["next_cursor"] is None
    [item] = body["items"]
    assert (item["employee_id"], item["nip"]) == (str(built.ratee.id), built.ratee.nip)
    assert [g["relation"] for g in item["groups"]] == ["self", "supervisor", "peer"]
    own = group(item, "self")
    assert (own["anonymous"], own["withheld"], own["responses"], own["mean"]) == (
        False,
        None,
        1,
        "4.00",
    )
    assert own["means"] == dict.fromkeys(VALUES, "4.00")
    assert list(own["means"]) == VALUES
    assert group(item, "supervisor")["means"]["berorientasi_pelayanan"] == "3.00"
    assert "comments" not in own
    assert group(item, "peer") == WITHHELD_OPEN

    await built.close()
    item = (await client.get(built.results(), headers=admin)).json()["items"][0]
    peers = group(item, "peer")
    assert (peers["withheld"], peers["responses"], peers["mean"]) == (None, 3, "3.67")
    assert peers["means"] == dict.fromkeys(VALUES, "3.67")

    detail = (await client.get(built.results(built.ratee), headers=admin)).json()
    assert (detail["cycle_closed"], detail["anonymity_threshold"]) == (True, 3)
    assert group(detail, "self")["comments"] == {key: ["Saya disiplin"] for key in VALUES}
    assert group(detail, "supervisor")["comments"]["kolaboratif"] == ["Cukup baik"]
    assert group(detail, "peer")["means"] == dict.fromkeys(VALUES, "3.67")
    assert group(detail, "peer")["comments"] == {}
    assert detail["citizens"] is None


async def test_a_ratee_without_answers_is_listed_with_empty_groups(
    client: httpx.AsyncClient, world: World
) -> None:
    built = await team(world, peers=0, status="closed", include_peers=False)
    body = (await client.get(built.results(), headers=built.logins["admin"])).json()
    [item] = body["items"]
    assert item["groups"] == [
        {
            "relation": "self",
            "anonymous": False,
            "withheld": None,
            "responses": 0,
            "mean": None,
            "means": {},
        },
        {
            "relation": "supervisor",
            "anonymous": False,
            "withheld": None,
            "responses": 0,
            "mean": None,
            "means": {},
        },
        {**WITHHELD_OPEN, "relation": "subordinate", "withheld": "below_threshold"},
    ]


async def test_pages_follow_the_ratee_ids_in_one_statement(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    built = await team(world, peers=4, status="closed")
    for peer in built.peers:
        for rater in built.peers:
            if rater is not peer:
                await world.assignment(built.cycle, peer, rater, "peer")
        for score in (2, 3, 4):
            await world.response(built.cycle, peer, "peer", score)
    admin = built.logins["admin"]
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "evaluation_answers" in statement:
            statements.append(statement)

    seen: list[str] = []
    cursor: str | None = None
    sync = connection.sync_connection
    event.listen(sync, "before_cursor_execute", count)
    try:
        while True:
            params: dict[str, str | int] = {"limit": 2}
            if cursor:
                params["cursor"] = cursor
            page = (await client.get(built.results(), params=params, headers=admin)).json()
            seen += [item["employee_id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
    finally:
        event.remove(sync, "before_cursor_execute", count)
    expected = sorted(str(e.id) for e in [built.ratee, *built.peers])
    assert seen == expected
    assert len(statements) == 3  # one per page, ratees and tallies together


async def test_a_cursor_belongs_to_its_cycle_and_filters(
    client: httpx.AsyncClient, world: World
) -> None:
    built = await team(world, peers=2, status="closed")
    for peer in built.peers:
        await world.assignment(built.cycle, peer, built.ratee, "peer")
    admin = built.logins["admin"]
    first = (await client.get(built.results(), params={"limit": 1}, headers=admin)).json()
    cursor = first["next_cursor"]
    assert cursor is not None
    filtered = await client.get(
        built.results(),
        params={"limit": 1, "cursor": cursor, "under": str(built.agency.id)},
        headers=admin,
    )
    assert filtered.status_code == 400
    assert (
        await client.get(built.results(), params={"cursor": "x.y"}, headers=admin)
    ).status_code == 400


async def test_filters_by_employee_and_subtree(client: httpx.AsyncClient, world: World) -> None:
    built = await team(world, peers=1, status="closed")
    elsewhere = await world.agency(built.region)
    outsider = await world.employee(built.region, elsewhere)
    await world.assignment(built.cycle, outsider, outsider, "self")
    admin = built.logins["admin"]
    ids = [
        item["employee_id"]
        for item in (await client.get(built.results(), headers=admin)).json()["items"]
    ]
    assert sorted(ids) == sorted([str(built.ratee.id), str(outsider.id)])
    under = await client.get(built.results(), params={"under": str(elsewhere.id)}, headers=admin)
    assert [i["employee_id"] for i in under.json()["items"]] == [str(outsider.id)]
    one = await client.get(
        built.results(), params={"employee_id": str(built.ratee.id)}, headers=admin
    )
    assert [i["employee_id"] for i in one.json()["items"]] == [str(built.ratee.id)]
    foreign = await world.agency(await world.region())
    empty = await client.get(built.results(), params={"under": str(foreign.id)}, headers=admin)
    assert empty.json() == {"items": [], "next_cursor": None}


# --- citizens beside the raters ----------------------------------------------------------------


async def _citizens(world: World, built: Team, count: int, when: datetime) -> None:
    unit = await world.service_unit(built.agency)
    staff = await world.staff(unit, built.ratee)
    for _ in range(count):
        await world.feedback(unit, scores=4, staff=staff, submitted_at=when)


async def test_citizens_ikm_is_shown_from_five_questionnaires(
    client: httpx.AsyncClient, world: World
) -> None:
    built = await team(world, peers=0, include_peers=False)
    await _citizens(world, built, 5, datetime(2026, 5, 2, tzinfo=UTC))
    body = (await client.get(built.results(built.ratee), headers=built.logins["ratee"])).json()
    citizens = body["citizens"]
    assert citizens["respondents"] == 5
    assert (citizens["ikm"], citizens["grade"], citizens["label"]) == ("100.00", "A", "Sangat Baik")
    assert len(citizens["elements"]) == 9
    assert citizens["elements"][0] == {"element": "persyaratan", "nrr": "4.000"}
    assert citizens["starts_at"].startswith("2026-01-01T00:00:00")
    # Not a rater group.
    assert {g["relation"] for g in body["groups"]} == {"self", "supervisor", "subordinate"}


async def test_citizens_ikm_is_absent_at_four_questionnaires(
    client: httpx.AsyncClient, world: World
) -> None:
    built = await team(world, peers=0, include_peers=False)
    await _citizens(world, built, 4, datetime(2026, 5, 2, tzinfo=UTC))
    body = (await client.get(built.results(built.ratee), headers=built.logins["boss"])).json()
    assert body["citizens"] is None


async def test_citizens_ikm_counts_only_the_cycles_quarter_in_the_regions_zone(
    client: httpx.AsyncClient, world: World
) -> None:
    # Triwulan II in WITA starts at 2026-03-31T16:00Z: a questionnaire a minute before belongs
    # to Triwulan I.
    built = await team(world, peers=0, include_peers=False, quarter=2, timezone="Asia/Makassar")
    await _citizens(world, built, 4, datetime(2026, 3, 31, 16, 0, tzinfo=UTC))
    await _citizens(world, built, 1, datetime(2026, 3, 31, 15, 59, tzinfo=UTC))
    url = built.results(built.ratee)
    assert (await client.get(url, headers=built.logins["admin"])).json()["citizens"] is None
    await _citizens(world, built, 1, datetime(2026, 6, 30, 15, 59, tzinfo=UTC))
    citizens = (await client.get(url, headers=built.logins["admin"])).json()["citizens"]
    assert citizens["respondents"] == 5
    assert citizens["starts_at"] == "2026-04-01T00:00:00+08:00"
    assert citizens["ends_at"] == "2026-07-01T00:00:00+08:00"


# --- who may read ------------------------------------------------------------------------------


async def test_readers_see_the_ratees_they_may_read(
    client: httpx.AsyncClient, world: World
) -> None:
    built = await team(world, peers=1, status="closed")
    await world.assignment(built.cycle, built.boss, built.ratee, "subordinate")

    async def ratees(login: str) -> set[str]:
        response = await client.get(built.results(), headers=built.logins[login])
        assert response.status_code == 200, (login, response.text)
        return {item["employee_id"] for item in response.json()["items"]}

    both = {str(built.ratee.id), str(built.boss.id)}
    for login in ("admin", "auditor", "agency_admin", "superadmin", "service", "head"):
        assert await ratees(login) == both, login
    assert await ratees("boss") == both
    assert await ratees("ratee") == {str(built.ratee.id)}
    # A peer rates the ratee but may not read their result.
    assert await ratees("peer") == set()
    peer_reads = await client.get(built.results(built.ratee), headers=built.logins["peer"])
    assert peer_reads.status_code == 404
    ratee_reads_boss = await client.get(built.results(built.boss), headers=built.logins["ratee"])
    assert ratee_reads_boss.status_code == 404
    for login in ("ratee", "boss", "head", "admin", "auditor", "agency_admin", "service"):
        detail = await client.get(built.results(built.ratee), headers=built.logins[login])
        assert detail.status_code == 200, (login, detail.text)


@pytest.mark.parametrize("login", ["officer", "trainer"])
async def test_other_roles_are_refused(client: httpx.AsyncClient, world: World, login: str) -> None:
    built = await team(world, peers=0)
    for path in (built.results(), built.results(built.ratee)):
        response = await client.get(path, headers=built.logins[login])
        assert response.status_code == 403, (path, response.text)
    assert (await client.get(built.results())).status_code == 401


async def test_a_service_account_needs_the_evaluations_scope(
    client: httpx.AsyncClient, world: World
) -> None:
    built = await team(world, peers=0)
    account = world.auth(await world.service_account(built.region, "plans:read"))
    assert (await client.get(built.results(), headers=account)).status_code == 403


async def test_another_regions_cycle_and_ratee_are_404(
    client: httpx.AsyncClient, world: World
) -> None:
    built = await team(world, peers=0)
    home = await team(world, peers=0)
    for login in ("admin", "auditor", "ratee", "service", "agency_admin"):
        headers = home.logins[login]
        for path in (built.results(), built.results(built.ratee)):
            response = await client.get(path, headers=headers)
            assert response.status_code == 404, (login, path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
        # Their own cycle, someone else's region's employee.
        response = await client.get(home.results(built.ratee), headers=headers)
        assert response.status_code == 404, (login, response.text)


async def test_unknown_ratee_and_employee_outside_the_cycle_are_404(
    client: httpx.AsyncClient, world: World
) -> None:
    built = await team(world, peers=0)
    stranger = await world.employee(built.region, built.agency)
    admin = built.logins["admin"]
    assert (await client.get(built.results(stranger), headers=admin)).status_code == 404
    assert (await client.get(built.results() + "/nope", headers=admin)).status_code == 422
    assert (
        await client.get(built.results(), params={"limit": 201}, headers=admin)
    ).status_code == 422
    superadmin = world.auth(await world.user(None, Role.SUPERADMIN))
    assert (await client.get(built.results(), headers=superadmin)).status_code == 200
