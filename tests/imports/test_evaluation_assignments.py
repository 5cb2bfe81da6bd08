"""Importing 360° assignments: pairs of a launched cycle as the supervisor chain gives them, read
back through the assignments API; every rule the cycles API keeps refuses its rows."""

from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
from fastapi import FastAPI

from kinerja_api.config import Settings
from tests.evaluations.helpers import ASSIGNMENTS, outbox, pairs
from tests.factories import World
from tests.imports.helpers import (
    Region,
    a_region,
    csv_of,
    errors,
    failed_whole,
    id_of,
    imported,
    nip_of,
    written_whole,
)

HEADER = ("cycle_id", "rater_nip", "ratee_nip", "relation")


@dataclass
class Unit:
    """A region's head, two staff under them in one agency and one elsewhere; a launched
    cycle."""

    home: Region
    period: Any
    cycle: Any
    boss: Any
    staff: Any
    colleague: Any
    other_colleague: Any
    outsider: Any


async def a_unit(world: World) -> Unit:
    home = await a_region(world)
    period = await world.period(home.region, 2026)
    boss = await world.employee(home.region, home.agency)
    staff = await world.employee(home.region, home.agency, supervisor=boss)
    colleague = await world.employee(home.region, home.agency, supervisor=boss)
    other_colleague = await world.employee(home.region, home.agency, supervisor=boss)
    outsider = await world.employee(home.region, home.other_agency)
    cycle = await world.cycle(period)
    return Unit(home, period, cycle, boss, staff, colleague, other_colleague, outsider)


def csv(*rows: tuple[Any, Any, Any, str]) -> str:
    cells = (
        (id_of(cycle), nip_of(rater), nip_of(ratee), relation)
        for cycle, rater, ratee, relation in rows
    )
    return csv_of(HEADER, cells, newline="\n")


def good_rows(u: Unit) -> str:
    return csv(
        (u.cycle, u.staff, u.staff, "self"),
        (u.cycle, u.boss, u.staff, "supervisor"),
        (u.cycle, u.staff, u.boss, "subordinate"),
        (u.cycle, u.colleague, u.staff, "peer"),
    )


async def test_assignments_are_created_read_back_and_a_second_import_changes_nothing(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    u = await a_unit(world)
    result = await imported(
        client, app, settings, u.home.headers, good_rows(u), kind="evaluation_assignments"
    )
    assert result["counts"] == {"read": 4, "created": 4, "updated": 0, "unchanged": 0, "failed": 0}
    assert await pairs(world, u.cycle.id) == {
        (u.staff.id, u.staff.id, "self"),
        (u.staff.id, u.boss.id, "supervisor"),
        (u.boss.id, u.staff.id, "subordinate"),
        (u.staff.id, u.colleague.id, "peer"),
    }
    listed = await client.get(
        ASSIGNMENTS, params={"cycle_id": str(u.cycle.id)}, headers=u.home.headers
    )
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    read = sorted((i["rater_id"], i["relation"], i["status"], i["due_on"]) for i in items)
    assert read == sorted(
        [
            (str(u.staff.id), "self", "pending", "2026-12-31"),
            (str(u.boss.id), "supervisor", "pending", "2026-12-31"),
            (str(u.staff.id), "subordinate", "pending", "2026-12-31"),
            (str(u.colleague.id), "peer", "pending", "2026-12-31"),
        ]
    )
    # Each rater is told, as at the launch: one event per rater and cycle.
    told = await outbox(world, "evaluation.assigned", {u.cycle.id})
    assert sorted((e.employee_id, e.payload["assignments"]) for e in told) == sorted(
        [(u.staff.id, 2), (u.boss.id, 1), (u.colleague.id, 1)]
    )

    again = await imported(
        client, app, settings, u.home.headers, good_rows(u), kind="evaluation_assignments"
    )
    assert again["counts"] == {"read": 4, "created": 0, "updated": 0, "unchanged": 4, "failed": 0}
    assert len(await outbox(world, "evaluation.assigned", {u.cycle.id})) == 3


async def test_a_dry_run_counts_and_writes_nothing(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    u = await a_unit(world)
    result = await imported(
        client,
        app,
        settings,
        u.home.headers,
        good_rows(u),
        kind="evaluation_assignments",
        dry_run=True,
    )
    assert (result["status"], result["dry_run"]) == ("succeeded", True)
    assert result["counts"] == {"read": 4, "created": 4, "updated": 0, "unchanged": 0, "failed": 0}
    assert await pairs(world, u.cycle.id) == set()
    assert await outbox(world, "evaluation.assigned", {u.cycle.id}) == []


async def test_all_or_nothing_writes_nothing_when_a_row_fails(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    u = await a_unit(world)
    body = good_rows(u) + f"{u.cycle.id};{u.outsider.nip};{u.staff.nip};peer\n"
    result = await failed_whole(
        client, app, settings, u.home.headers, body, kind="evaluation_assignments"
    )
    assert await pairs(world, u.cycle.id) == set()
    [problem] = await errors(client, u.home.headers, result["id"])
    assert (problem["row"], problem["field"], problem["problem"]) == (5, "relation", "conflict")

    result = await written_whole(
        client,
        app,
        settings,
        u.home.headers,
        good_rows(u),
        batch_rows=3,
        kind="evaluation_assignments",
    )
    assert result["counts"]["created"] == 4
    assert len(await pairs(world, u.cycle.id)) == 4


async def test_another_regions_cycle_and_employees_are_refused_never_written(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    u, foreign = await a_unit(world), await a_unit(world)
    body = csv(
        (foreign.cycle, u.staff, u.staff, "self"),
        (u.cycle, foreign.boss, u.staff, "supervisor"),
        (u.cycle, foreign.staff, foreign.staff, "self"),
    )
    result = await imported(
        client, app, settings, u.home.headers, body, kind="evaluation_assignments"
    )
    found = {
        (e["row"], e["field"], e["problem"])
        for e in await errors(client, u.home.headers, result["id"])
    }
    assert found == {
        (1, "cycle_id", "not_found"),
        (2, "rater_nip", "not_found"),
        (3, "rater_nip", "not_found"),
        (3, "ratee_nip", "not_found"),
    }
    assert result["counts"]["created"] == 0
    assert await pairs(world, u.cycle.id) == set()
    assert await pairs(world, foreign.cycle.id) == set()


async def test_every_rule_of_the_cycles_refuses_its_rows(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    u = await a_unit(world)
    draft = await world.cycle(u.period, status="draft")
    ended = await world.cycle(u.period, closes_on=date(2026, 3, 31))
    no_peers = await world.cycle(u.period, include_peers=False)
    one_peer = await world.cycle(u.period, peers_per_employee=1)
    elsewhere = await world.cycle(u.period, agency=u.home.other_agency)
    await world.assignment(u.cycle, u.staff, u.boss, "peer")
    body = csv(
        ("not-a-uuid", u.staff, u.staff, "self"),
        (draft, u.staff, u.staff, "self"),
        (ended, u.staff, u.staff, "self"),
        (no_peers, u.colleague, u.staff, "peer"),
        (u.cycle, u.outsider, u.staff, "supervisor"),
        (u.cycle, u.boss, u.staff, "supervisor"),
        (u.cycle, u.colleague, u.boss, "atasan"),
        (u.cycle, u.outsider, u.boss, "self"),
        (u.cycle, "12345", u.staff, "peer"),
        (one_peer, u.colleague, u.staff, "peer"),
        (one_peer, u.other_colleague, u.staff, "peer"),
        (elsewhere, u.staff, u.staff, "self"),
        (u.cycle, u.colleague, u.staff, "=peer"),
        (u.cycle, u.other_colleague, u.staff, "peer"),
        (u.cycle, u.other_colleague, u.staff, "peer"),
    )
    result = await imported(
        client, app, settings, u.home.headers, body, kind="evaluation_assignments"
    )
    refused = await errors(client, u.home.headers, result["id"], limit=100)
    assert {(e["row"], e["field"], e["problem"]) for e in refused} == {
        (1, "cycle_id", "invalid"),
        (2, "cycle_id", "conflict"),
        (3, "cycle_id", "conflict"),
        (4, "relation", "not_allowed"),
        (5, "relation", "conflict"),
        (6, "relation", "conflict"),
        (7, "relation", "invalid"),
        (8, "relation", "invalid"),
        (9, "rater_nip", "invalid"),
        (11, "relation", "conflict"),
        (12, "ratee_nip", "not_found"),
        (13, "relation", "formula"),
        (13, "relation", "invalid"),
        (14, "ratee_nip", "duplicate"),
        (15, "ratee_nip", "duplicate"),
    }
    by_row = {(e["row"], e["field"]): e for e in refused}
    english = await errors(
        client, {**u.home.headers, "Accept-Language": "en"}, result["id"], limit=100
    )
    assert {e["message"] for e in english if e["row"] == 11} == {
        "The cycle's quota of peer raters (peers_per_employee) for this employee is full."
    }
    assert "rantai atasan" in by_row[(5, "relation")]["message"]
    assert result["counts"]["created"] == 1
    assert await pairs(world, one_peer.id) == {(u.staff.id, u.colleague.id, "peer")}
    assert await pairs(world, u.cycle.id) == {(u.staff.id, u.boss.id, "peer")}
