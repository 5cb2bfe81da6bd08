"""Deliveries to a real receiver on 127.0.0.1: signed as the README verifies, in outbox order,
once per subscription, only what the region and the owner may see, retried on schedule (a pinned
clock), failed after the retry window, and a subscription switched off after days of failures."""

import itertools
import json
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.config import Settings
from kinerja_api.evaluations.events import AssignedEventData, AssignmentEventData, RatingEventData
from kinerja_api.models.audit import AuditEvent
from kinerja_api.models.evaluations import AssignmentStatus, RatingStatus
from kinerja_api.models.org import ServiceAccount
from kinerja_api.models.plans import PlanStatus
from kinerja_api.plans.events import PlanEventData
from kinerja_api.webhooks import backoff, dispatch
from tests.conftest import ClientWith
from tests.factories import World
from tests.webhooks.helpers import (
    ALLOWED,
    HANG,
    URL,
    PinnedClock,
    Receiver,
    deliver_all,
    deliveries,
    drain,
    put_event,
    readme_verify,
    region_admin,
    subscribe,
)

START = datetime(2026, 7, 1, 2, 0, tzinfo=UTC)


async def test_a_delivery_is_signed_as_the_readme_verifies_it(
    client_with: ClientWith,
    world: World,
    connection: AsyncConnection,
    receiver: Receiver,
    live: Settings,
) -> None:
    region, admin = await region_admin(world)
    async with client_with(**ALLOWED) as client:
        subscription = await subscribe(client, admin, receiver.url())
        entity = uuid.uuid4()
        await put_event(connection, region.id, entity_id=entity)
        assert await deliver_all(connection, live, region.id, subscription["id"]) is None
        [made] = await deliveries(client, admin, subscription)

    [request] = receiver.requests
    verify = readme_verify()
    signature = request.headers["x-kinerja-signature"]
    assert verify(request.body, signature, subscription["secret"])
    assert not verify(request.body, signature, "whsec_someone-else")
    assert not verify(request.body + b" ", signature, subscription["secret"])
    assert request.headers["x-kinerja-delivery"] == made["id"]
    assert request.headers["x-kinerja-event"] == "survey.received"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["host"] == f"127.0.0.1:{receiver.port}"
    body = json.loads(request.body)
    assert body["type"] == "survey.received"
    assert (body["region_id"], body["entity_type"], body["entity_id"]) == (
        str(region.id),
        "survey_response",
        str(entity),
    )
    assert body["id"] == made["event_id"]
    assert set(body["data"]) == {"service_unit_id"}
    assert (made["status"], made["kind"]) == ("delivered", "event")
    [attempt] = made["attempts"]
    assert (attempt["succeeded"], attempt["http_status"], attempt["error"]) == (True, 200, None)
    assert attempt["response_body"] == '{"ok": true}'
    assert attempt["latency_ms"] >= 0


async def test_events_go_in_outbox_order_and_once(
    client_with: ClientWith,
    world: World,
    connection: AsyncConnection,
    receiver: Receiver,
    live: Settings,
) -> None:
    region, admin = await region_admin(world)
    async with client_with(**ALLOWED) as client:
        first = await subscribe(client, admin, receiver.url("/a"))
        second = await subscribe(client, admin, receiver.url("/b"), "survey.received")
        for _ in range(3):
            await put_event(connection, region.id)
        await deliver_all(connection, live, region.id, first["id"])
        await deliver_all(connection, live, region.id, second["id"])
        await deliver_all(connection, live, region.id, first["id"])
    ids = [json.loads(r.body)["id"] for r in receiver.at("/a")]
    assert len(ids) == 3
    assert ids == sorted(ids), "outbox order"
    assert [json.loads(r.body)["id"] for r in receiver.at("/b")] == ids, "each subscription once"


async def test_failures_are_retried_on_schedule(
    client_with: ClientWith,
    world: World,
    connection: AsyncConnection,
    receiver: Receiver,
    live: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pinned = PinnedClock(monkeypatch, START)
    region, admin = await region_admin(world)
    receiver.answer("/hook", 500, HANG, 200)
    async with client_with(**ALLOWED) as client:
        subscription = await subscribe(client, admin, receiver.url())
        await put_event(connection, region.id)
        await put_event(connection, region.id)
        first_retry = await deliver_all(connection, live, region.id, subscription["id"])
        assert first_retry is not None
        low, high = backoff.delay_bounds(1)
        assert START + timedelta(seconds=low) <= first_retry <= START + timedelta(seconds=high)
        # Not due yet: nothing is sent, and the job is told when to come back.
        pinned.now = first_retry - timedelta(seconds=1)
        assert await deliver_all(connection, live, region.id, subscription["id"]) == first_retry
        assert len(receiver.requests) == 1, "the second event waits behind the first"
        pinned.now = first_retry
        second_retry = await deliver_all(connection, live, region.id, subscription["id"])
        assert second_retry is not None
        low, high = backoff.delay_bounds(2)
        assert first_retry + timedelta(seconds=low) <= second_retry
        assert second_retry <= first_retry + timedelta(seconds=high)
        pinned.now = second_retry
        assert await deliver_all(connection, live, region.id, subscription["id"]) is None
        later, made = await deliveries(client, admin, subscription)

    assert [r.headers["x-kinerja-delivery"] for r in receiver.requests] == [made["id"]] * 3 + [
        later["id"]
    ]
    assert (made["status"], later["status"]) == ("delivered", "delivered")
    failed_500, timed_out, succeeded = made["attempts"]
    assert (failed_500["http_status"], failed_500["succeeded"]) == (500, False)
    assert failed_500["error"] == "the receiver answered 500"
    assert len(failed_500["response_body"]) == live.webhook_response_cap_bytes, "cut"
    assert failed_500["next_attempt_at"] == first_retry.isoformat().replace("+00:00", "Z")
    assert timed_out["http_status"] is None
    assert timed_out["error"].startswith("read timeout")
    assert timed_out["latency_ms"] >= 900
    assert succeeded["http_status"] == 200
    assert succeeded["next_attempt_at"] is None


async def test_a_delivery_fails_after_the_retry_window_and_the_next_one_goes(
    client_with: ClientWith,
    world: World,
    connection: AsyncConnection,
    receiver: Receiver,
    live: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pinned = PinnedClock(monkeypatch, START)
    region, admin = await region_admin(world)
    receiver.answer("/hook", *[503] * 60)
    async with client_with(**ALLOWED) as client:
        subscription = await subscribe(client, admin, receiver.url())
        await put_event(connection, region.id)
        await put_event(connection, region.id)
        due = await deliver_all(connection, live, region.id, subscription["id"])
        while len({r.headers["x-kinerja-delivery"] for r in receiver.requests}) < 2:
            assert due is not None
            pinned.now = due
            due = await drain(connection, live, region.id, subscription["id"])
        second, first = await deliveries(client, admin, subscription)
    assert first["status"] == "failed"
    times = [datetime.fromisoformat(a["attempted_at"]) for a in first["attempts"]]
    assert times[-1] - times[0] <= timedelta(hours=24)
    assert times[-1] - times[0] > timedelta(hours=23), "retried for (about) the whole window"
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert max(gaps) <= timedelta(seconds=backoff.CAP_SECONDS)
    assert first["attempts"][-1]["next_attempt_at"] is None
    assert second["status"] == "pending"
    assert len(second["attempts"]) == 1, "the next event went as soon as the first failed"


async def test_a_subscription_failing_for_days_is_switched_off_and_resumes(
    client_with: ClientWith,
    world: World,
    connection: AsyncConnection,
    receiver: Receiver,
    live: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pinned = PinnedClock(monkeypatch, START)
    quick = live.model_copy(update={"webhook_retry_hours": 6.0, "webhook_disable_after_days": 1.0})
    region, admin = await region_admin(world)
    receiver.answer("/hook", *[500] * 200)
    async with client_with(**ALLOWED) as client:
        subscription = await subscribe(client, admin, receiver.url())
        watcher = await subscribe(client, admin, receiver.url("/watch"), "webhook.disabled")
        for _ in range(8):
            await put_event(connection, region.id)
        due = await deliver_all(connection, quick, region.id, subscription["id"])
        while due is not None:
            pinned.now = due
            due = await drain(connection, quick, region.id, subscription["id"])
        path = f"{URL}/{subscription['id']}"
        off = (await client.get(path, headers=admin)).json()
        assert off["active"] is False
        assert datetime.fromisoformat(off["disabled_at"]) - START >= timedelta(days=1)
        assert off["failing_since"] == START.isoformat().replace("+00:00", "Z")
        statuses = [d["status"] for d in await deliveries(client, admin, subscription)]
        assert statuses.count("failed") == 4, "four 6-hour windows in a day"
        assert statuses.count("pending") == 4, "kept for when it is turned back on"

        # The region's other subscription hears of it.
        await deliver_all(connection, quick, region.id, watcher["id"])
        [told] = receiver.at("/watch")
        disabled = json.loads(told.body)
        assert disabled["type"] == "webhook.disabled"
        assert disabled["data"]["subscription_id"] == subscription["id"]

        resumed = await client.patch(
            path, json={"active": True}, headers={**admin, "If-Match": f'"{off["version"]}"'}
        )
        assert resumed.status_code == 200, resumed.text
        assert (resumed.json()["failing_since"], resumed.json()["disabled_at"]) == (None, None)
        receiver.statuses.clear()
        await deliver_all(connection, quick, region.id, subscription["id"])
        statuses = [d["status"] for d in await deliveries(client, admin, subscription)]
        assert statuses.count("delivered") == 4
    await enter_all_regions(connection)
    actions = set(
        await connection.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_id == subscription["id"])
        )
    )
    assert "webhook_subscription.disabled" in actions


async def test_another_regions_events_are_never_delivered(
    client_with: ClientWith,
    world: World,
    connection: AsyncConnection,
    receiver: Receiver,
    live: Settings,
) -> None:
    region, admin = await region_admin(world)
    foreign = await world.region()
    async with client_with(**ALLOWED) as client:
        subscription = await subscribe(client, admin, receiver.url())
        await put_event(connection, foreign.id)
        await put_event(connection, foreign.id)
        await put_event(connection, region.id)
        await deliver_all(connection, live, region.id, subscription["id"])
    assert [json.loads(r.body)["region_id"] for r in receiver.requests] == [str(region.id)]


async def test_a_raters_own_evaluation_events_are_never_delivered(
    client_with: ClientWith,
    world: World,
    connection: AsyncConnection,
    receiver: Receiver,
    live: Settings,
) -> None:
    region, admin = await region_admin(world)
    rater = await world.employee(region, await world.agency(region))
    cycle = uuid.uuid4()
    async with client_with(**ALLOWED) as client:
        subscription = await subscribe(client, admin, receiver.url(), "evaluation.*")
        await put_event(
            connection,
            region.id,
            "evaluation.assigned",
            AssignedEventData(cycle_id=cycle, due_on=date(2026, 6, 30), assignments=3),
            employee_id=rater.id,
        )
        for event_type in ("evaluation.submitted", "evaluation.overdue"):
            await put_event(
                connection,
                region.id,
                event_type,
                AssignmentEventData(
                    assignment_id=uuid.uuid4(),
                    cycle_id=cycle,
                    due_on=date(2026, 6, 30),
                    status=AssignmentStatus.SUBMITTED,
                ),
                employee_id=rater.id,
            )
        await put_event(
            connection,
            region.id,
            "evaluation.rated",
            RatingEventData(
                rating_id=uuid.uuid4(), period_id=uuid.uuid4(), status=RatingStatus.DRAFT
            ),
            employee_id=rater.id,
        )
        await deliver_all(connection, live, region.id, subscription["id"])
    assert [json.loads(r.body)["type"] for r in receiver.requests] == ["evaluation.rated"]


def _plan_event(plan_id: uuid.UUID) -> PlanEventData:
    return PlanEventData(
        plan_id=plan_id,
        period_id=uuid.uuid4(),
        status=PlanStatus.APPROVED,
        revision=1,
        approver_id=None,
    )


async def test_a_service_accounts_subscription_carries_what_its_scopes_read_now(
    client_with: ClientWith,
    world: World,
    connection: AsyncConnection,
    receiver: Receiver,
    live: Settings,
) -> None:
    region = await world.region()
    account = await world.service_account(region, "webhooks:manage", "progress:read")
    async with client_with(**ALLOWED) as client:
        subscription = await subscribe(client, world.auth(account), receiver.url(), "plan.approved")
        read, unread = uuid.uuid4(), uuid.uuid4()
        await put_event(connection, region.id, "plan.approved", _plan_event(read))
        await deliver_all(connection, live, region.id, subscription["id"])
        # The account loses the stream's scope: what it can no longer read is not sent.
        await connection.execute(
            update(ServiceAccount)
            .where(ServiceAccount.id == account.id)
            .values(scopes=["webhooks:manage"])
        )
        await put_event(connection, region.id, "plan.approved", _plan_event(unread))
        await deliver_all(connection, live, region.id, subscription["id"])
    assert [json.loads(r.body)["data"]["plan_id"] for r in receiver.requests] == [str(read)]


async def test_an_inactive_subscription_takes_up_where_it_stopped(
    client_with: ClientWith,
    world: World,
    connection: AsyncConnection,
    receiver: Receiver,
    live: Settings,
) -> None:
    region, admin = await region_admin(world)
    async with client_with(**ALLOWED) as client:
        subscription = await subscribe(client, admin, receiver.url())
        path = f"{URL}/{subscription['id']}"
        paused = await client.patch(
            path, json={"active": False}, headers={**admin, "If-Match": '"1"'}
        )
        assert paused.status_code == 200
        await put_event(connection, region.id)
        await deliver_all(connection, live, region.id, subscription["id"])
        assert receiver.requests == []
        await client.patch(path, json={"active": True}, headers={**admin, "If-Match": '"2"'})
        await deliver_all(connection, live, region.id, subscription["id"])
    assert len(receiver.requests) == 1


async def test_the_fan_out_reads_the_outbox_a_page_at_a_time(
    client_with: ClientWith,
    world: World,
    connection: AsyncConnection,
    receiver: Receiver,
    live: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dispatch, "PAGE", 2)
    region, admin = await region_admin(world)
    async with client_with(**ALLOWED) as client:
        subscription = await subscribe(client, admin, receiver.url())
        for _ in range(5):
            await put_event(connection, region.id)
        await deliver_all(connection, live, region.id, subscription["id"])
    ids = [json.loads(r.body)["id"] for r in receiver.requests]
    assert len(ids) == 5
    assert ids == sorted(ids)
