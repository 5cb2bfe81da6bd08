"""Assignments and responses: what a rater must rate, their one immutable response, the overdue
job, and anonymity: nobody but the rater learns whom a peer or a subordinate rates, or what
they said, or when."""

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from kinerja_api.auth.principal import Principal
from kinerja_api.auth.tenancy import enter_all_regions, enter_region
from kinerja_api.evaluations.assignments import repository
from kinerja_api.evaluations.events import AssignmentEventData
from kinerja_api.evaluations.tasks import mark_overdue
from kinerja_api.models.evaluations import CoreValue
from kinerja_api.models.org import Role, User
from tests.app.test_statement_budgets import assert_within, sent
from tests.evaluations.helpers import (
    ASSIGNMENTS,
    CYCLES,
    DURING,
    Org,
    answers,
    audit_rows,
    launched,
    org,
    outbox,
    pin_clock,
    responses_of,
)
from tests.factories import World

# What a stored response holds (with the count of its answers): never a rater or a time.
STORED = {"id", "region_id", "cycle_id", "ratee_id", "relation", "answers"}


@pytest.fixture(autouse=True)
def _during_the_cycle(monkeypatch: pytest.MonkeyPatch) -> None:
    pin_clock(monkeypatch, DURING)


async def mine(client: httpx.AsyncClient, o: Org, rater: Any, **params: Any) -> list[Any]:
    response = await client.get(
        ASSIGNMENTS, params={"mine": "true", **params}, headers=o.auth(rater)
    )
    assert response.status_code == 200, response.text
    items: list[Any] = response.json()["items"]
    return items


def one(items: list[Any], relation: str, ratee: Any = None) -> Any:
    found = [
        item
        for item in items
        if item["relation"] == relation and (ratee is None or item["ratee_id"] == str(ratee.id))
    ]
    assert found, (relation, items)
    return found[0]


async def submit(client: httpx.AsyncClient, headers: dict[str, str], item: Any, **body: Any) -> Any:
    return await client.post(
        f"{ASSIGNMENTS}/{item['id']}/response", json=body or answers(), headers=headers
    )


async def test_a_rater_lists_whom_to_rate_with_due_dates(
    client: httpx.AsyncClient, world: World
) -> None:
    o = await org(world)
    cycle = await launched(client, o)
    a = o.staff[0]
    items = await mine(client, o, a)
    assert sorted(item["relation"] for item in items) == sorted(
        ["self", "subordinate", "supervisor", "peer", "peer", "peer"]
    )
    assert {item["due_on"] for item in items} == {"2026-06-30"}
    assert {item["status"] for item in items} == {"pending"}
    assert {item["cycle_name"] for item in items} == {cycle["name"]}
    # The rater sees whom they rate, peers included, and nothing of when anything happened.
    assert one(items, "subordinate")["ratee_id"] == str(o.boss.id)
    assert one(items, "supervisor")["ratee_id"] == str(o.junior.id)
    assert all(item["ratee_name"] for item in items)
    assert not any(key.endswith("_at") for item in items for key in item)
    read = await client.get(f"{ASSIGNMENTS}/{items[0]['id']}", headers=o.auth(a))
    assert read.status_code == 200
    assert read.headers["ETag"] == '"1"'
    filtered = await mine(client, o, a, cycle_id=cycle["id"], status="submitted")
    assert filtered == []


async def test_a_response_is_taken_once_and_stored_without_the_rater(
    client: httpx.AsyncClient, world: World
) -> None:
    o = await org(world)
    cycle = await launched(client, o)
    a = o.staff[0]
    peer = one(await mine(client, o, a), "peer")
    sent = await submit(client, o.auth(a), peer, **answers(5, "Sangat membantu"))
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "submitted"
    assert sent.headers["ETag"] == '"2"'
    again = await submit(client, o.auth(a), peer, **answers(1))
    assert again.status_code == 409
    assert again.json()["type"].endswith("/already-submitted")
    stored = await responses_of(world, cycle["id"])
    assert len(stored) == 1
    assert stored[0]["ratee_id"] == uuid.UUID(peer["ratee_id"])
    assert stored[0]["relation"] == "peer"
    assert stored[0]["answers"] == 7
    # Neither the response nor its answers can say who gave them, or when.
    assert set(stored[0]) == STORED
    await enter_all_regions(world.connection)
    columns = await world.connection.scalars(
        text(
            "select column_name from information_schema.columns"
            " where table_name = 'evaluation_answers'"
        )
    )
    assert set(columns) == {
        "response_id",
        "value",
        "region_id",
        "cycle_id",
        "ratee_id",
        "relation",
        "score",
        "comment",
    }


async def test_responses_cannot_be_changed_or_deleted_by_the_application(
    client: httpx.AsyncClient, world: World
) -> None:
    o = await org(world)
    await launched(client, o)
    a = o.staff[0]
    assert (
        await submit(client, o.auth(a), one(await mine(client, o, a), "self"))
    ).status_code == 200
    await enter_all_regions(world.connection)
    for statement in (
        "update evaluation_answers set score = 1",
        "update evaluation_responses set relation = 'self'",
        "delete from evaluation_answers",
        "delete from evaluation_responses",
    ):
        savepoint = await world.connection.begin_nested()
        with pytest.raises(DBAPIError, match="permission denied"):
            await world.connection.execute(text(statement))
        await savepoint.rollback()


@pytest.mark.parametrize(
    "body",
    [
        {"answers": answers()["answers"][:6]},
        {"answers": [*answers()["answers"][:6], answers()["answers"][0]]},
        {"answers": [*answers()["answers"][:6], {"value": "loyal", "score": 6}]},
        {"answers": [{**answers()["answers"][0], "score": 0}, *answers()["answers"][1:]]},
        {"answers": [{**answers()["answers"][0], "score": "3"}, *answers()["answers"][1:]]},
        {"answers": [{**answers()["answers"][0], "score": 3.5}, *answers()["answers"][1:]]},
        answers(3, "baik\x00"),
        answers(3, "x" * 2001),
        {"answers": [{**answers()["answers"][0], "value": "jujur"}, *answers()["answers"][1:]]},
        {**answers(), "rater_id": "00000000-0000-4000-8000-000000000000"},
        {},
    ],
)
async def test_a_response_answers_every_core_value_once_from_1_to_5(
    client: httpx.AsyncClient, world: World, body: dict[str, Any]
) -> None:
    o = await org(world)
    cycle = await launched(client, o)
    a = o.staff[0]
    item = one(await mine(client, o, a), "self")
    response = await client.post(
        f"{ASSIGNMENTS}/{item['id']}/response", json=body, headers=o.auth(a)
    )
    assert response.status_code == 422, response.text
    assert await responses_of(world, cycle["id"]) == []
    assert one(await mine(client, o, a), "self")["status"] == "pending"


@pytest.mark.parametrize(
    "instant",
    [
        datetime(2026, 5, 31, 16, 59, tzinfo=UTC),  # 23:59 on 31 May, WIB: not yet open
        datetime(2026, 6, 30, 17, 0, tzinfo=UTC),  # 00:00 on 1 July, WIB: closed
    ],
)
async def test_answers_are_taken_only_between_the_opening_and_closing_days(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch, instant: datetime
) -> None:
    o = await org(world)
    await launched(client, o)
    a = o.staff[0]
    item = one(await mine(client, o, a), "self")
    pin_clock(monkeypatch, instant)
    refused = await submit(client, o.auth(a), item)
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/evaluation-not-open")
    assert refused.json()["closes_on"] == "2026-06-30"
    # The first and last minutes of the cycle, in the region's zone, are inside it.
    pin_clock(monkeypatch, datetime(2026, 6, 30, 16, 59, tzinfo=UTC))
    assert (await submit(client, o.auth(a), item)).status_code == 200


async def test_no_answers_once_the_cycle_is_closed(client: httpx.AsyncClient, world: World) -> None:
    o = await org(world)
    cycle = await launched(client, o)
    a = o.staff[0]
    item = one(await mine(client, o, a), "self")
    closed = await client.post(
        f"{CYCLES}/{cycle['id']}/close", headers={**o.admin_auth, "If-Match": '"2"'}
    )
    assert closed.status_code == 200
    refused = await submit(client, o.auth(a), item)
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/evaluation-not-open")


async def test_only_the_rater_answers(client: httpx.AsyncClient, world: World) -> None:
    o = await org(world)
    await launched(client, o)
    item = one(await mine(client, o, o.staff[0]), "peer")
    # Another employee cannot even see it; the administrator sees it but may not answer.
    assert (await submit(client, o.auth(o.staff[1]), item)).status_code == 404
    other = await submit(client, o.auth(o.head), item)
    assert other.status_code == 404
    admin = await submit(client, o.admin_auth, item)
    assert admin.status_code == 403
    account = world.auth(await world.service_account(o.region, "evaluations:read"))
    assert (await submit(client, account, item)).status_code == 403
    auditor = world.auth(await world.user(o.region, Role.AUDITOR))
    assert (await submit(client, auditor, item)).status_code == 403


async def test_administrators_list_assignments_without_anonymous_ratees(
    client: httpx.AsyncClient, world: World
) -> None:
    o = await org(world)
    cycle = await launched(client, o)
    a = o.staff[0]
    auditor = world.auth(await world.user(o.region, Role.AUDITOR))
    agency_admin = world.auth(await world.user(o.region, Role.AGENCY_ADMIN, agency=o.agency))
    superadmin = world.auth(await world.user(None, Role.SUPERADMIN))
    account = world.auth(await world.service_account(o.region, "evaluations:read"))
    for headers in (o.admin_auth, auditor, superadmin, account):
        response = await client.get(
            ASSIGNMENTS, params={"cycle_id": cycle["id"], "limit": 200}, headers=headers
        )
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert len(items) == 31
        for item in items:
            anonymous = item["relation"] in ("peer", "subordinate")
            shown = (item["ratee_id"], item["ratee_name"], item["agency_id"])
            assert (shown == (None, None, None)) == anonymous, item
            assert not any(key.endswith("_at") for key in item)
        one_id = next(i["id"] for i in items if i["relation"] == "peer")
        read = await client.get(f"{ASSIGNMENTS}/{one_id}", headers=headers)
        assert read.status_code == 200
        assert read.json()["ratee_id"] is None
    # An agency-subtree cycle's administrators read its assignments; a region-wide one is not
    # theirs.
    refused = await client.get(ASSIGNMENTS, params={"cycle_id": cycle["id"]}, headers=agency_admin)
    assert refused.json()["items"] == []
    by_rater = await client.get(ASSIGNMENTS, params={"rater_id": str(a.id)}, headers=o.admin_auth)
    assert {item["rater_id"] for item in by_rater.json()["items"]} == {str(a.id)}
    assert len(by_rater.json()["items"]) == 6


async def test_a_raters_own_view_keeps_its_ratees_beside_an_administrators_role(
    client: httpx.AsyncClient, world: World
) -> None:
    o = await org(world)
    await launched(client, o)
    a = o.staff[0]
    # A rater who also administers the region sees their own assignments in full and everyone
    # else's without anonymous ratees.
    dual_user = o.users[a.id]
    await world.connection.execute(
        text("update users set roles = array['employee', 'region_admin'] where id = :id"),
        {"id": dual_user.id},
    )
    dual_user = await _reload_user(world, dual_user.id)
    items = (
        await client.get(ASSIGNMENTS, params={"limit": 200}, headers=world.auth(dual_user))
    ).json()["items"]
    own_peers = [i for i in items if i["rater_id"] == str(a.id) and i["relation"] == "peer"]
    others = [i for i in items if i["rater_id"] != str(a.id) and i["relation"] == "peer"]
    assert all(i["ratee_id"] for i in own_peers)
    assert all(i["ratee_id"] is None for i in others)


async def _reload_user(world: World, user_id: Any) -> Any:
    await enter_all_regions(world.connection)
    return (await world.connection.execute(select(User).where(User.id == user_id))).one()


async def test_employees_list_only_their_own(client: httpx.AsyncClient, world: World) -> None:
    o = await org(world)
    await launched(client, o)
    refused = await client.get(ASSIGNMENTS, headers=o.auth(o.staff[0]))
    assert refused.status_code == 403
    others = await client.get(
        ASSIGNMENTS,
        params={"mine": "true", "rater_id": str(o.staff[1].id)},
        headers=o.auth(o.staff[0]),
    )
    assert others.json()["items"] == []
    item = one(await mine(client, o, o.staff[0]), "peer")
    read = await client.get(f"{ASSIGNMENTS}/{item['id']}", headers=o.auth(o.boss))
    assert read.status_code == 404
    for role in (Role.TRAINING_ADMIN, Role.COMPLAINT_OFFICER):
        user = world.auth(await world.user(o.region, role))
        assert (await client.get(ASSIGNMENTS, headers=user)).status_code == 403
        assert (await client.get(f"{ASSIGNMENTS}/{item['id']}", headers=user)).status_code == 404
        listed = await client.get(ASSIGNMENTS, params={"mine": "true"}, headers=user)
        assert listed.json()["items"] == []
    unscoped = world.auth(await world.service_account(o.region, "org:read"))
    assert (await client.get(ASSIGNMENTS, headers=unscoped)).status_code == 403


async def test_a_submission_is_audited_and_announced_without_ratee_or_answers(
    client: httpx.AsyncClient, world: World
) -> None:
    o = await org(world)
    await launched(client, o)
    a = o.staff[0]
    secret = "komentar-rahasia-tentang-rekan"
    for item in await mine(client, o, a):
        assert (await submit(client, o.auth(a), item, **answers(2, secret))).status_code == 200
        rows = await audit_rows(world, item["id"])
        assert [row.action for row in rows] == ["evaluation_assignment.submitted"]
        assert rows[0].changes == {"after": {"status": "submitted"}}
        dumped = json.dumps(rows[0].changes)
        assert item["ratee_id"] not in dumped
        assert secret not in dumped
        events = await outbox(world, "evaluation.submitted", {item["id"]})
        assert len(events) == 1
        event = events[0]
        assert (event.employee_id, event.agency_id) == (a.id, None)
        data = AssignmentEventData.model_validate(event.payload)
        assert data.status == "submitted"
        assert set(event.payload) == {"assignment_id", "cycle_id", "due_on", "status"}
        assert item["ratee_id"] not in json.dumps(event.payload)
    # No audit row or event anywhere carries the comment or links the rater to a ratee.
    await enter_all_regions(world.connection)
    trail = await world.connection.scalars(
        text("select changes::text from audit_events where region_id = :r"), {"r": o.region.id}
    )
    assert all(secret not in row for row in trail)
    payloads = await world.connection.scalars(
        text("select payload::text from outbox_events where region_id = :r"), {"r": o.region.id}
    )
    assert all(secret not in row for row in payloads)


async def test_anonymity_holds_for_groups_of_one_two_and_three_raters(
    client: httpx.AsyncClient, world: World
) -> None:
    """S is rated by their subordinates: one, two, then three of them answer. Whatever the
    group's size, no administrator's view, filter or event ties an answer to who gave it."""
    o = await org(world)
    cycle = await launched(client, o)
    auditor = world.auth(await world.user(o.region, Role.AUDITOR))
    for count, rater in enumerate(o.staff[:3], start=1):
        item = one(await mine(client, o, rater), "subordinate", o.boss)
        assert (await submit(client, o.auth(rater), item, **answers(count))).status_code == 200
        for headers in (o.admin_auth, auditor):
            listed = await client.get(
                ASSIGNMENTS,
                params={"cycle_id": cycle["id"], "status": "submitted", "limit": 200},
                headers=headers,
            )
            items = listed.json()["items"]
            assert len(items) == count
            assert all(i["ratee_id"] is None and i["ratee_name"] is None for i in items)
            assert all(str(o.boss.id) not in json.dumps(i) for i in items)
        # The boss, as an employee, learns nothing of who answered about them.
        boss_view = await client.get(ASSIGNMENTS, headers=o.auth(o.boss))
        assert boss_view.status_code == 403
        boss_own = await mine(client, o, o.boss)
        assert all(i["rater_id"] == str(o.boss.id) for i in boss_own)
        stored = await responses_of(world, cycle["id"])
        assert len(stored) == count
        assert all(
            set(row) == {"id", "region_id", "cycle_id", "ratee_id", "relation", "answers"}
            for row in stored
        )
    events = await outbox(world, "evaluation.submitted")
    assert all(str(o.boss.id) not in json.dumps(e.payload) for e in events)


async def test_unanswered_assignments_become_overdue_after_the_close_date_in_the_regions_zone(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    wib, wita = await org(world), await org(world, timezone="Asia/Makassar")
    first = await launched(client, wib)
    second = await launched(client, wita)
    a, b = wib.staff[0], wita.staff[0]
    answered = one(await mine(client, wib, a), "self")
    assert (await submit(client, wib.auth(a), answered)).status_code == 200
    session = AsyncSession(bind=world.connection, join_transaction_mode="create_savepoint")
    # 23:30 on 30 June in WIB, 00:30 on 1 July in WITA: only Gorontalo's cycle has closed.
    pin_clock(monkeypatch, datetime(2026, 6, 30, 16, 30, tzinfo=UTC))
    assert await mark_overdue(session) == 31
    assert {i["status"] for i in await mine(client, wita, b)} == {"overdue"}
    assert {i["status"] for i in await mine(client, wib, a)} == {"pending", "submitted"}
    pin_clock(monkeypatch, datetime(2026, 6, 30, 17, 0, tzinfo=UTC))
    assert await mark_overdue(session) == 30
    assert await mark_overdue(session) == 0  # a second run changes nothing
    statuses = {i["id"]: i["status"] for i in await mine(client, wib, a)}
    assert statuses.pop(answered["id"]) == "submitted"
    assert set(statuses.values()) == {"overdue"}
    # Each rater is told of each overdue assignment, and nothing of whom it rates.
    events = await outbox(world, "evaluation.overdue")
    ours = [e for e in events if e.payload["cycle_id"] in (first["id"], second["id"])]
    assert len(ours) == 61
    for event in ours:
        data = AssignmentEventData.model_validate(event.payload)
        assert data.status == "overdue"
        assert event.employee_id is not None
        assert set(event.payload) == {"assignment_id", "cycle_id", "due_on", "status"}
    to_a = [e for e in ours if e.employee_id == a.id]
    assert len(to_a) == 5
    # The administrators list them; the overdue ones can no longer be answered.
    listed = await client.get(
        ASSIGNMENTS,
        params={"cycle_id": first["id"], "status": "overdue", "limit": 200},
        headers=wib.admin_auth,
    )
    assert len(listed.json()["items"]) == 30
    late = one(await mine(client, wib, a), "peer")
    refused = await submit(client, wib.auth(a), late)
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/evaluation-not-open")


async def test_another_regions_assignments_are_404_on_every_route(
    client: httpx.AsyncClient, world: World
) -> None:
    home, foreign = await org(world), await org(world)
    await launched(client, foreign)
    item = one(await mine(client, foreign, foreign.staff[0]), "peer")
    for headers in (home.admin_auth, home.auth(home.staff[0])):
        read = await client.get(f"{ASSIGNMENTS}/{item['id']}", headers=headers)
        assert read.status_code == 404
        assert read.headers["content-type"] == "application/problem+json"
        assert (await submit(client, headers, item)).status_code == 404
    listed = await client.get(ASSIGNMENTS, params={"limit": 200}, headers=home.admin_auth)
    assert listed.json()["items"] == []


# set_config (travels with the BEGIN when deployed), the rater's assignment with its cycle, the
# response stored with the assignment marked, the audit row, the outbox row.
SUBMIT_BUDGET = 5


async def test_a_submission_is_five_statements(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    o = await org(world)
    await launched(client, o)
    a = o.staff[0]
    item = one(await mine(client, o, a), "peer")
    with sent(connection) as seen:
        response = await submit(client, o.auth(a), item)
    assert response.status_code == 200, response.text
    assert_within(seen, SUBMIT_BUDGET)


async def test_a_response_is_stored_only_while_its_assignment_is_pending(
    client: httpx.AsyncClient, world: World
) -> None:
    """Two submissions at once both pass the first checks; the second stores nothing."""
    o = await org(world)
    cycle = await launched(client, o)
    a = o.staff[0]
    item = one(await mine(client, o, a), "self")
    principal = Principal(kind="user", id=o.users[a.id].id, region_id=o.region.id, employee_id=a.id)
    session = AsyncSession(bind=world.connection, join_transaction_mode="create_savepoint")
    await enter_region(session, o.region.id)
    row = await repository.own_for_submission(session, principal, uuid.UUID(item["id"]))
    assert row is not None
    answered = [(value.value, 3, None) for value in CoreValue]
    assert await repository.submit(session, row, answered) == 2
    assert await repository.submit(session, row, answered) is None
    assert len(await responses_of(world, cycle["id"])) == 1
