"""360° cycles: drafting, the launch that creates every assignment from the supervisor chain
(once), closing, an employee added later, and who may do what."""

from datetime import UTC, datetime

import httpx
import pytest

from kinerja_api.evaluations.events import AssignedEventData, CycleEventData
from kinerja_api.models.org import Role
from tests.evaluations.helpers import (
    CYCLES,
    DURING,
    audit_rows,
    cycle_body,
    draft,
    launch,
    launched,
    org,
    outbox,
    pairs,
    peer_pick,
    pin_clock,
)
from tests.factories import World


@pytest.fixture(autouse=True)
def _during_the_cycle(monkeypatch: pytest.MonkeyPatch) -> None:
    pin_clock(monkeypatch, DURING)


async def test_a_cycle_is_drafted_read_and_listed(client: httpx.AsyncClient, world: World) -> None:
    o = await org(world)
    created = await client.post(
        CYCLES,
        json=cycle_body(o.period),
        headers={**o.admin_auth, "Idempotency-Key": "cycle-1"},
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["Location"] == f"{CYCLES}/{body['id']}"
    assert created.headers["ETag"] == '"1"'
    assert body["status"] == "draft"
    assert body["timezone"] == "Asia/Jakarta"
    assert (body["anonymity_threshold"], body["peers_per_employee"]) == (3, 3)
    assert (body["include_self"], body["include_subordinates"]) == (True, True)
    assert (body["agency_id"], body["launched_at"]) == (None, None)
    replay = await client.post(
        CYCLES,
        json=cycle_body(o.period),
        headers={**o.admin_auth, "Idempotency-Key": "cycle-1"},
    )
    assert replay.json()["id"] == body["id"]
    read = await client.get(f"{CYCLES}/{body['id']}", headers=o.admin_auth)
    assert read.headers["ETag"] == '"1"'
    assert read.json() == body
    listed = await client.get(CYCLES, params={"status": "draft"}, headers=o.admin_auth)
    assert [c["id"] for c in listed.json()["items"]] == [body["id"]]
    other = await client.get(CYCLES, params={"status": "launched"}, headers=o.admin_auth)
    assert other.json()["items"] == []
    assert await world.audit_actions(body["id"]) == ["evaluation_cycle.created"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"closes_on": "2026-05-31"}, "body"),
        ({"opens_on": "2025-12-20"}, "body.opens_on"),
        ({"closes_on": "2027-01-05"}, "body.closes_on"),
        ({"anonymity_threshold": 2}, "body.anonymity_threshold"),
        ({"quarter": 5}, "body.quarter"),
        ({"peers_per_employee": 21}, "body.peers_per_employee"),
        ({"name": "x\x00"}, "body.name"),
        (
            {
                "include_self": False,
                "include_supervisor": False,
                "include_peers": False,
                "include_subordinates": False,
            },
            "body",
        ),
        ({"period_id": "00000000-0000-4000-8000-000000000000"}, "body.period_id"),
        ({"agency_id": "00000000-0000-4000-8000-000000000000"}, "body.agency_id"),
    ],
)
async def test_a_cycle_is_validated(
    client: httpx.AsyncClient, world: World, changes: dict[str, object], field: str
) -> None:
    o = await org(world)
    response = await client.post(CYCLES, json=cycle_body(o.period, **changes), headers=o.admin_auth)
    assert response.status_code == 422, response.text
    assert field in {error["field"] for error in response.json()["errors"]}


async def test_another_regions_period_cannot_be_used(
    client: httpx.AsyncClient, world: World
) -> None:
    o, other = await org(world), await org(world)
    response = await client.post(CYCLES, json=cycle_body(other.period), headers=o.admin_auth)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.period_id"


async def test_a_draft_changes_with_if_match_and_a_launched_one_does_not(
    client: httpx.AsyncClient, world: World
) -> None:
    o = await org(world)
    cycle = await draft(client, o)
    url = f"{CYCLES}/{cycle['id']}"
    change = {"peers_per_employee": 2, "quarter": None}
    assert (await client.patch(url, json=change, headers=o.admin_auth)).status_code == 428
    stale = await client.patch(url, json=change, headers={**o.admin_auth, "If-Match": '"7"'})
    assert stale.status_code == 412
    reversed_dates = await client.patch(
        url, json={"opens_on": "2026-07-01"}, headers={**o.admin_auth, "If-Match": '"1"'}
    )
    assert reversed_dates.status_code == 422
    changed = await client.patch(url, json=change, headers={**o.admin_auth, "If-Match": '"1"'})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["peers_per_employee"], changed.json()["quarter"]) == (2, None)
    assert changed.headers["ETag"] == '"2"'
    await launch(client, o, changed.json())
    refused = await client.patch(
        url, json={"name": "Baru"}, headers={**o.admin_auth, "If-Match": '"3"'}
    )
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/invalid-transition")


async def test_the_launch_creates_every_assignment_from_the_chain_once(
    client: httpx.AsyncClient, world: World
) -> None:
    o = await org(world)
    cycle = await draft(client, o)
    first = await launch(client, o, cycle)
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "launched"
    assert first.json()["launched_at"] == DURING.isoformat().replace("+00:00", "Z")
    h, s, (a, b, c, d), e = o.head, o.boss, o.staff, o.junior
    expected = {(x.id, x.id, "self") for x in o.everyone}
    expected |= {(x.id, s.id, "supervisor") for x in (a, b, c, d)}
    expected |= {(s.id, h.id, "supervisor"), (e.id, a.id, "supervisor")}
    expected |= {(h.id, s.id, "subordinate"), (a.id, e.id, "subordinate")}
    expected |= {(s.id, x.id, "subordinate") for x in (a, b, c, d)}
    expected |= {(x.id, y.id, "peer") for x in (a, b, c, d) for y in (a, b, c, d) if x != y}
    assert await pairs(world, cycle["id"]) == expected
    # Launching again changes nothing and answers the cycle as it is, even with a stale ETag.
    again = await launch(client, o, cycle)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert await pairs(world, cycle["id"]) == expected
    launched_events = await outbox(world, "evaluation.cycle_launched", {cycle["id"]})
    assert len(launched_events) == 1
    data = CycleEventData.model_validate(launched_events[0].payload)
    assert data.status == "launched"
    # One `evaluation.assigned` per rater, to the rater alone, with how many and by when.
    assigned = await outbox(world, "evaluation.assigned", {cycle["id"]})
    per_rater = {e.employee_id: AssignedEventData.model_validate(e.payload) for e in assigned}
    assert len(assigned) == len(per_rater) == len(o.everyone)
    assert sum(d.assignments for d in per_rater.values()) == len(expected)
    # A rates themselves, S (as subordinate), E (as supervisor) and three peers.
    assert per_rater[a.id].assignments == 6
    assert {d.due_on.isoformat() for d in per_rater.values()} == {"2026-06-30"}
    assert all(event.agency_id is None for event in assigned)
    rows = await audit_rows(world, cycle["id"])
    assert [row.action for row in rows] == ["evaluation_cycle.created", "evaluation_cycle.launched"]
    assert rows[-1].changes["after"]["assignments"] == len(expected)


async def test_peers_are_picked_the_same_way_up_to_the_quota(
    client: httpx.AsyncClient, world: World
) -> None:
    o = await org(world)
    cycle = await launched(
        client, o, peers_per_employee=2, include_self=False, include_subordinates=False
    )
    found = await pairs(world, cycle["id"])
    assert {relation for _, _, relation in found} == {"supervisor", "peer"}
    for ratee in o.staff:
        peers = {rater for r, rater, relation in found if r == ratee.id and relation == "peer"}
        others = [x for x in o.staff if x is not ratee]
        assert peers == peer_pick(cycle["id"], ratee, others, 2)


async def test_an_agency_subtree_cycle_rates_only_its_employees(
    client: httpx.AsyncClient, world: World
) -> None:
    o = await org(world)
    unit = await world.agency(o.region, parent=o.agency)
    inside = await o.employee(o.boss, unit)
    cycle = await launched(client, o, agency_id=str(unit.id))
    assert cycle["agency_id"] == str(unit.id)
    # Only `inside` is rated: by themselves and their supervisor, who sits outside the subtree.
    assert await pairs(world, cycle["id"]) == {
        (inside.id, inside.id, "self"),
        (inside.id, o.boss.id, "supervisor"),
    }


async def test_an_employee_who_joins_later_is_added_once(
    client: httpx.AsyncClient, world: World
) -> None:
    o = await org(world)
    cycle = await launched(client, o)
    before = await pairs(world, cycle["id"])
    newcomer = await o.employee(o.boss)
    url = f"{CYCLES}/{cycle['id']}/assignments"
    added = await client.post(url, json={"employee_id": str(newcomer.id)}, headers=o.admin_auth)
    assert added.status_code == 200, added.text
    assert added.json() == {
        "cycle_id": cycle["id"],
        "employee_id": str(newcomer.id),
        "added": 6,
    }
    new = await pairs(world, cycle["id"]) - before
    peers = peer_pick(cycle["id"], newcomer, o.staff, 3)
    assert new == {
        (newcomer.id, newcomer.id, "self"),
        (newcomer.id, o.boss.id, "supervisor"),
        (o.boss.id, newcomer.id, "subordinate"),
        *((newcomer.id, peer, "peer") for peer in peers),
    }
    again = await client.post(url, json={"employee_id": str(newcomer.id)}, headers=o.admin_auth)
    assert again.json()["added"] == 0
    assert await pairs(world, cycle["id"]) - before == new
    assigned = await outbox(world, "evaluation.assigned", {cycle["id"]})
    to_newcomer = [e for e in assigned if e.employee_id == newcomer.id]
    assert [AssignedEventData.model_validate(e.payload).assignments for e in to_newcomer] == [2]
    actions = [row.action for row in await audit_rows(world, cycle["id"])]
    assert actions.count("evaluation_cycle.employee_added") == 1


async def test_only_an_active_employee_in_scope_of_a_launched_cycle_is_added(
    client: httpx.AsyncClient, world: World
) -> None:
    o, other = await org(world), await org(world)
    cycle = await draft(client, o)
    url = f"{CYCLES}/{cycle['id']}/assignments"
    body = {"employee_id": str(o.staff[0].id)}
    assert (await client.post(url, json=body, headers=o.admin_auth)).status_code == 409
    await launch(client, o, cycle)
    foreign = {"employee_id": str(other.staff[0].id)}
    refused = await client.post(url, json=foreign, headers=o.admin_auth)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "body.employee_id"


async def test_a_cycle_closes_once_and_no_launch_after_its_close_date(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    o = await org(world)
    cycle = await launched(client, o)
    url = f"{CYCLES}/{cycle['id']}/close"
    assert (await client.post(url, headers=o.admin_auth)).status_code == 428
    closed = await client.post(url, headers={**o.admin_auth, "If-Match": '"2"'})
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    again = await client.post(url, headers={**o.admin_auth, "If-Match": '"3"'})
    assert again.status_code == 409
    relaunch = await launch(client, o, closed.json())
    assert relaunch.status_code == 409
    assert len(await outbox(world, "evaluation.cycle_closed", {cycle["id"]})) == 1
    late = await draft(client, o)
    pin_clock(monkeypatch, datetime(2026, 7, 1, 1, 0, tzinfo=UTC))  # 08:00 on 1 July, WIB
    refused = await launch(client, o, late)
    assert refused.status_code == 409
    assert await pairs(world, late["id"]) == set()


async def test_agency_administrators_manage_their_subtree_only(
    client: httpx.AsyncClient, world: World
) -> None:
    o = await org(world)
    unit = await world.agency(o.region, parent=o.agency)
    sibling = await world.agency(o.region)
    admin = world.auth(await world.user(o.region, Role.AGENCY_ADMIN, agency=unit))
    own = await client.post(CYCLES, json=cycle_body(o.period), headers=admin)
    assert own.status_code == 201, own.text
    assert own.json()["agency_id"] == str(unit.id)  # their own agency unless they name one
    outside = await client.post(
        CYCLES, json=cycle_body(o.period, agency_id=str(sibling.id)), headers=admin
    )
    assert outside.status_code == 422
    region_wide = await draft(client, o)
    assert (await client.get(f"{CYCLES}/{region_wide['id']}", headers=admin)).status_code == 404
    listed = await client.get(CYCLES, headers=admin)
    assert [c["id"] for c in listed.json()["items"]] == [own.json()["id"]]
    under = await client.get(CYCLES, params={"under": str(o.agency.id)}, headers=o.admin_auth)
    assert [c["id"] for c in under.json()["items"]] == [own.json()["id"]]
    refused = await client.post(
        f"{CYCLES}/{region_wide['id']}/launch", headers={**admin, "If-Match": '"1"'}
    )
    assert refused.status_code == 404


@pytest.mark.parametrize("role", [Role.EMPLOYEE, Role.TRAINING_ADMIN, Role.COMPLAINT_OFFICER])
async def test_roles_without_cycles_are_refused_everywhere(
    client: httpx.AsyncClient, world: World, role: Role
) -> None:
    o = await org(world)
    cycle = await draft(client, o)
    someone = await world.employee(o.region, o.agency, o.boss)
    user = await world.user(o.region, role, employee=someone, agency=o.agency)
    headers = {**world.auth(user), "If-Match": '"1"'}
    one = f"{CYCLES}/{cycle['id']}"
    requests = [
        ("GET", CYCLES, None),
        ("GET", one, None),
        ("POST", CYCLES, cycle_body(o.period)),
        ("PATCH", one, {"name": "x"}),
        ("POST", f"{one}/launch", None),
        ("POST", f"{one}/close", None),
        ("POST", f"{one}/assignments", {"employee_id": str(o.staff[0].id)}),
    ]
    for method, path, body in requests:
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code == 403, (method, path, response.text)


async def test_auditors_and_integrations_read_but_do_not_manage(
    client: httpx.AsyncClient, world: World
) -> None:
    o = await org(world)
    cycle = await draft(client, o)
    one = f"{CYCLES}/{cycle['id']}"
    auditor = world.auth(await world.user(o.region, Role.AUDITOR))
    account = world.auth(await world.service_account(o.region, "evaluations:read"))
    superadmin = world.auth(await world.user(None, Role.SUPERADMIN))
    for headers in (auditor, account, superadmin):
        assert (await client.get(one, headers=headers)).status_code == 200
        listed = await client.get(CYCLES, headers=headers)
        assert cycle["id"] in [c["id"] for c in listed.json()["items"]]
    unscoped = world.auth(await world.service_account(o.region, "org:read"))
    assert (await client.get(CYCLES, headers=unscoped)).status_code == 403
    writes = [
        ("POST", CYCLES, cycle_body(o.period)),
        ("PATCH", one, {"name": "x"}),
        ("POST", f"{one}/launch", None),
        ("POST", f"{one}/close", None),
        ("POST", f"{one}/assignments", {"employee_id": str(o.staff[0].id)}),
    ]
    for headers in (auditor, account, superadmin):
        for method, path, body in writes:
            response = await client.request(
                method, path, json=body, headers={**headers, "If-Match": '"1"'}
            )
            assert response.status_code == 403, (method, path, response.text)


async def test_another_regions_cycles_are_404_on_every_route(
    client: httpx.AsyncClient, world: World
) -> None:
    home, foreign = await org(world), await org(world)
    cycle = await launched(client, foreign)
    one = f"{CYCLES}/{cycle['id']}"
    requests = [
        ("GET", one, None),
        ("PATCH", one, {"name": "x"}),
        ("POST", f"{one}/launch", None),
        ("POST", f"{one}/close", None),
        ("POST", f"{one}/assignments", {"employee_id": str(home.staff[0].id)}),
    ]
    agency_admin = await world.user(home.region, Role.AGENCY_ADMIN, agency=home.agency)
    for user in (home.admin, agency_admin):
        headers = {**world.auth(user), "If-Match": '"2"'}
        for method, path, body in requests:
            response = await client.request(method, path, json=body, headers=headers)
            assert response.status_code == 404, (method, path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
        listed = await client.get(CYCLES, headers=headers)
        assert listed.json()["items"] == []
