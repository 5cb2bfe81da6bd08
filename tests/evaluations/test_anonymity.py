"""Nobody learns who said what among peers and subordinates.

The rules alone (`evaluations.results.anonymity`), then attacks through every route that reads
360° results: with 1, 2 and 3 peers, each reader (the ratee, their supervisor chain, agency and
region administrators, auditors, superadmins, service accounts) reads everything there is to
read (lists, filtered lists, pages of one, one ratee's detail, the follow-up with its hint, the
audit log, the outbox the streams read) after every single peer answer and after closing, and
the test fails if any reading tells one answer apart."""

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.evaluations.results.anonymity import (
    CyclePolicy,
    GroupTally,
    Withheld,
    group_result,
    ratee_results,
    weakest_values,
)
from kinerja_api.models.evaluations import CoreValue, RaterRelation
from kinerja_api.models.events import OutboxEvent
from tests.evaluations.results_helpers import (
    FOLLOW_UP,
    PLANS,
    WITHHELD_OPEN,
    WITHHELD_SMALL,
    Team,
    figures,
    group,
    team,
)
from tests.factories import World

PEER, SELF = RaterRelation.PEER, RaterRelation.SELF
ALL = frozenset(RaterRelation)


def _tally(relation: RaterRelation, answers: int, total: int, **comments: Any) -> GroupTally:
    return GroupTally(
        relation,
        dict.fromkeys(CoreValue, (answers, total)),
        {CoreValue(value): said for value, said in comments.items()},
    )


# --- the rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize("answers", [0, 1, 2, 3, 10])
def test_an_open_cycle_withholds_every_anonymous_group(answers: int) -> None:
    policy = CyclePolicy(ALL, threshold=3, closed=False)
    for relation in (RaterRelation.PEER, RaterRelation.SUBORDINATE):
        result = group_result(relation, _tally(relation, answers, 3 * answers), policy)
        assert (result.withheld, result.responses, result.mean) == (
            Withheld.CYCLE_OPEN,
            None,
            None,
        )
        assert (result.means, result.comments) == ({}, {})


@pytest.mark.parametrize(("answers", "shown"), [(0, False), (1, False), (2, False), (3, True)])
def test_a_closed_cycle_shows_groups_from_the_threshold(answers: int, shown: bool) -> None:
    policy = CyclePolicy(ALL, threshold=3, closed=True)
    result = group_result(PEER, _tally(PEER, answers, 4 * answers), policy)
    if shown:
        assert (result.withheld, result.responses, result.mean) == (None, 3, "4.00")
    else:
        assert (result.withheld, result.responses, result.mean) == (
            Withheld.BELOW_THRESHOLD,
            None,
            None,
        )
        assert (result.means, result.comments) == ({}, {})
    assert group_result(PEER, None, policy).withheld is Withheld.BELOW_THRESHOLD


def test_a_cycles_own_threshold_counts_and_never_falls_below_three() -> None:
    five = CyclePolicy(ALL, threshold=5, closed=True)
    assert group_result(PEER, _tally(PEER, 4, 12), five).withheld is Withheld.BELOW_THRESHOLD
    assert group_result(PEER, _tally(PEER, 5, 15), five).withheld is None
    two = CyclePolicy(ALL, threshold=2, closed=True)
    assert group_result(PEER, _tally(PEER, 2, 6), two).withheld is Withheld.BELOW_THRESHOLD


def test_a_value_answered_by_fewer_raters_withholds_the_whole_group() -> None:
    policy = CyclePolicy(ALL, threshold=3, closed=True)
    scores = dict(_tally(PEER, 3, 9).scores)
    scores[CoreValue.KOLABORATIF] = (2, 6)
    assert group_result(PEER, GroupTally(PEER, scores), policy).withheld is Withheld.BELOW_THRESHOLD
    del scores[CoreValue.KOLABORATIF]
    assert group_result(PEER, GroupTally(PEER, scores), policy).withheld is Withheld.BELOW_THRESHOLD


def test_comments_are_sorted_by_their_text() -> None:
    policy = CyclePolicy(ALL, threshold=3, closed=True)
    tally = _tally(PEER, 3, 9, akuntabel=["zeta", "alpha", "mike"])
    result = group_result(PEER, tally, policy)
    assert result.comments == {CoreValue.AKUNTABEL: ("alpha", "mike", "zeta")}


def test_self_and_supervisor_are_shown_even_alone_and_open() -> None:
    policy = CyclePolicy(ALL, threshold=3, closed=False)
    result = group_result(SELF, _tally(SELF, 1, 2), policy)
    assert (result.withheld, result.responses, result.mean) == (None, 1, "2.00")
    nobody = group_result(SELF, None, policy)
    assert (nobody.withheld, nobody.responses, nobody.mean, nobody.means) == (None, 0, None, {})


def test_groups_not_taking_part_are_left_out_in_a_fixed_order() -> None:
    policy = CyclePolicy(frozenset({PEER, SELF}), threshold=3, closed=True)
    tallies = {PEER: _tally(PEER, 3, 9), SELF: _tally(SELF, 1, 3)}
    results = ratee_results(tallies, policy)
    assert [r.relation for r in results] == [SELF, PEER]


def test_withheld_groups_give_no_hint() -> None:
    policy = CyclePolicy(ALL, threshold=3, closed=True)
    peers = GroupTally(PEER, {v: (2, 2 if v is CoreValue.LOYAL else 10) for v in CoreValue})
    own = GroupTally(SELF, {v: (1, 1 if v is CoreValue.ADAPTIF else 4) for v in CoreValue})
    tallies = {PEER: peers, SELF: own}
    hint = weakest_values(ratee_results(tallies, policy), tallies, limit=1)
    assert [(h.value, h.mean) for h in hint] == [(CoreValue.ADAPTIF, "1.00")]


# --- attacks through the routes ----------------------------------------------------------------

READERS = ("ratee", "boss", "head", "admin", "agency_admin", "auditor", "superadmin", "service")
MARK = "rahasia-rekan"


async def _read_everything(client: httpx.AsyncClient, built: Team) -> dict[str, Any]:
    """Every reading of the ratee's results each reader can make, keyed by what was read."""
    seen: dict[str, Any] = {}
    for login in READERS:
        headers = built.logins[login]
        variants: dict[str, dict[str, str]] = {
            "list": {},
            "by-employee": {"employee_id": str(built.ratee.id)},
            "under": {"under": str(built.agency.id)},
            "sorted": {"sort": "-mean", "order": "desc"},
        }
        for name, params in variants.items():
            response = await client.get(built.results(), params=params, headers=headers)
            assert response.status_code == 200, (login, name, response.text)
            seen[f"{login}:{name}"] = response.json()
        pages, cursor = [], None
        while True:
            params = {"limit": "1", **({"cursor": cursor} if cursor else {})}
            page = (await client.get(built.results(), params=params, headers=headers)).json()
            pages += page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        seen[f"{login}:pages"] = pages
        detail = await client.get(built.results(built.ratee), headers=headers)
        assert detail.status_code == 200, (login, detail.text)
        seen[f"{login}:detail"] = detail.json()
        follow_up = await client.get(
            FOLLOW_UP, params={"cycle_id": str(built.cycle.id)}, headers=headers
        )
        assert follow_up.status_code == 200, (login, follow_up.text)
        seen[f"{login}:follow-up"] = follow_up.json()
    return seen


def _ratee_items(seen: dict[str, Any], built: Team) -> list[dict[str, Any]]:
    """The ratee's result in every list and detail read."""
    found = []
    for key, body in seen.items():
        if key.endswith(":detail"):
            found.append(body)
        elif key.endswith(":pages"):
            found += [i for i in body if i["employee_id"] == str(built.ratee.id)]
        elif not key.endswith(":follow-up"):
            found += [i for i in body["items"] if i["employee_id"] == str(built.ratee.id)]
    return found


async def _trail_and_outbox(
    client: httpx.AsyncClient, connection: AsyncConnection, built: Team
) -> str:
    """The region's audit trail as its readers get it, and every outbox row of the region."""
    trail = []
    for login in ("admin", "auditor"):
        response = await client.get("/api/v1/audit-events", headers=built.logins[login])
        assert response.status_code == 200
        trail += response.json()["items"]
    await enter_all_regions(connection)
    rows = await connection.execute(
        select(OutboxEvent.type, OutboxEvent.entity_type, OutboxEvent.payload).where(
            OutboxEvent.region_id == built.region.id
        )
    )
    return json.dumps({"trail": trail, "outbox": [list(row) for row in rows]}, default=str)


async def _answered_by_self_and_supervisor(world: World, built: Team) -> None:
    scores = {"akuntabel": 4, "loyal": 5, "adaptif": 2}
    await world.response(built.cycle, built.ratee, "self", scores, comments="diri sendiri")
    await world.response(built.cycle, built.ratee, "supervisor", {"kompeten": 2}, "atasan")


@pytest.mark.parametrize("raters", [1, 2, 3])
async def test_no_reading_tells_a_peers_answer_while_the_cycle_is_open(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection, raters: int
) -> None:
    built = await team(world, peers=raters, include_subordinates=False)
    await world.rating(built.period, built.ratee, built.boss, "butuh_perbaikan")
    await _answered_by_self_and_supervisor(world, built)
    before = await _read_everything(client, built)
    trail_before = await _trail_and_outbox(client, connection, built)
    for index in range(raters):
        # Each peer answers unlike everyone else: any change in any reading would tell it.
        await world.response(
            built.cycle, built.ratee, "peer", 1 + index, comments=f"{MARK}-{index}"
        )
        assert await _read_everything(client, built) == before, f"after peer {index + 1}"
    for item in _ratee_items(before, built):
        assert figures(item, "peer") == WITHHELD_OPEN
    assert MARK not in json.dumps(before)
    assert await _trail_and_outbox(client, connection, built) == trail_before
    assert MARK not in trail_before


@pytest.mark.parametrize("raters", [1, 2])
async def test_a_closed_small_group_is_withheld_without_count_means_or_comments(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection, raters: int
) -> None:
    built = await team(world, peers=raters, include_subordinates=False)
    await world.rating(built.period, built.ratee, built.boss, "butuh_perbaikan")
    await _answered_by_self_and_supervisor(world, built)
    for index in range(raters):
        # A peer scoring loyal 1 would make it the weakest value if it counted anywhere.
        await world.response(
            built.cycle, built.ratee, "peer", {"loyal": 1}, comments=f"{MARK}-{index}"
        )
    await built.close()
    seen = await _read_everything(client, built)
    for item in _ratee_items(seen, built):
        assert figures(item, "peer") == WITHHELD_SMALL
    text = json.dumps(seen)
    assert MARK not in text
    # The hint comes from self and supervisor alone: adaptif (2+3)/2, kompeten (3+2)/2, then
    # berorientasi pelayanan 3.00, never loyal, which the peers scored 1.
    for key, body in seen.items():
        if key.endswith(":follow-up"):
            [row] = body["items"]
            assert row["weak_values"] == [
                {"value": "kompeten", "mean": "2.50"},
                {"value": "adaptif", "mean": "2.50"},
                {"value": "berorientasi_pelayanan", "mean": "3.00"},
            ]
    # The plan that follows is told to the employee with ids only.
    rating_id = seen["boss:follow-up"]["items"][0]["rating_id"]
    created = await client.post(
        PLANS,
        json={
            "rating_id": rating_id,
            "values": ["kompeten"],
            "actions": "Mentoring",
            "due_on": "2027-01-31",
        },
        headers=built.logins["boss"],
    )
    assert created.status_code == 201, created.text
    trail = await _trail_and_outbox(client, connection, built)
    assert MARK not in trail
    assert "evaluation_answer" not in trail
    assert "evaluation_response" not in trail


async def test_a_group_of_three_shows_only_aggregates_with_sorted_comments(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    built = await team(world, peers=3, include_subordinates=False)
    twin = built.peers[0]
    await world.assignment(built.cycle, twin, built.boss, "supervisor")
    answers = [(5, "zeta: selalu membantu"), (2, "alpha: kurang hadir"), (4, "mike: tepat waktu")]
    # The same three answers about two ratees, given in opposite orders.
    for score, comment in answers:
        await world.response(built.cycle, built.ratee, "peer", score, comments=comment)
    for score, comment in reversed(answers):
        await world.response(built.cycle, twin, "peer", score, comments=comment)
    await built.close()
    seen = await _read_everything(client, built)
    for item in _ratee_items(seen, built):
        peers = group(item, "peer")
        assert (peers["withheld"], peers["responses"], peers["mean"]) == (None, 3, "3.67")
        assert set(peers["means"].values()) == {"3.67"}
        assert len(peers["means"]) == 7
        for said in peers.get("comments", {}).values():
            assert said == ["alpha: kurang hadir", "mike: tepat waktu", "zeta: selalu membantu"]
    admin = built.logins["admin"]
    mine = await client.get(built.results(built.ratee), headers=admin)
    theirs = await client.get(built.results(twin), headers=admin)
    assert len(group(mine.json(), "peer")["comments"]) == 7
    assert group(mine.json(), "peer") == group(theirs.json(), "peer")
    # No timestamp anywhere that could order the answers.
    assert "_at" not in json.dumps(group(mine.json(), "peer"))
    trail = await _trail_and_outbox(client, connection, built)
    assert "alpha" not in trail
    assert "zeta" not in trail


async def test_a_subordinate_group_follows_the_same_rules(
    client: httpx.AsyncClient, world: World
) -> None:
    built = await team(world, peers=0, subordinates=3, include_peers=False)
    for index, _ in enumerate(built.subordinates[:2]):
        await world.response(built.cycle, built.ratee, "subordinate", 1, comments=f"{MARK}{index}")
    await built.close()
    admin = built.logins["admin"]
    body = (await client.get(built.results(built.ratee), headers=admin)).json()
    assert figures(body, "subordinate") == {**WITHHELD_SMALL, "relation": "subordinate"}
    assert MARK not in json.dumps(body)
