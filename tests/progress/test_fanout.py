"""The broker's per-subscriber bookkeeping: bounded queues, overflow, release on disconnect."""

import asyncio
import re
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from kinerja_api.core.broker import OutboxBroker, StreamEvent, Subscription
from kinerja_api.progress.stream import Audience, StreamFilter, event_source
from tests.factories import World

REGION, OTHER_REGION = uuid.uuid4(), uuid.uuid4()
ME, SUBORDINATE, STRANGER = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def _event(
    event_id: int,
    employee: uuid.UUID = ME,
    region: uuid.UUID = REGION,
    kind: str = "progress.reported",
    public: bool = False,
) -> StreamEvent:
    return StreamEvent(
        id=event_id,
        region_id=region,
        type=kind,
        entity_type="progress_report",
        entity_id=uuid.uuid4(),
        employee_id=employee,
        agency_id=None,
        public=public,
        payload={"employee_id": str(employee), "value": "1", "target_id": "t"},
        occurred_at=datetime.now(UTC),
    )


def test_a_subscriber_that_falls_behind_is_closed_and_its_queue_dropped() -> None:
    subscription = Subscription(lambda _e: True, size=3)
    for event_id in range(1, 4):
        subscription.offer(_event(event_id))
    assert subscription.queue.qsize() == 3
    subscription.offer(_event(4))
    assert subscription.closed
    assert subscription.queue.qsize() == 1
    assert subscription.queue.get_nowait() is None  # the stream ends; the client resumes
    subscription.offer(_event(5))
    assert subscription.queue.empty()


def test_audience_rules() -> None:
    supervisor = Audience(REGION, employee_ids=frozenset({ME, SUBORDINATE}))
    assert supervisor.sees(_event(1, SUBORDINATE))
    assert not supervisor.sees(_event(2, STRANGER))
    assert not supervisor.sees(_event(3, ME, region=OTHER_REGION))
    admin = Audience(REGION, region_wide=True)
    assert admin.sees(_event(4, STRANGER))
    assert not admin.sees(_event(5, STRANGER, region=OTHER_REGION))
    assert Audience(None, region_wide=True).sees(_event(6, STRANGER, region=OTHER_REGION))
    citizen = Audience(REGION, public_only=True)
    assert citizen.sees(_event(7, STRANGER, public=True))
    assert not citizen.sees(_event(8, STRANGER))
    assert not Audience(REGION).sees(_event(9))


def test_stream_filter() -> None:
    only_verified = StreamFilter(frozenset({"progress.verified"}))
    assert only_verified.matches(_event(1, kind="progress.verified"))
    assert not only_verified.matches(_event(2, kind="progress.reported"))
    family = StreamFilter(frozenset({"feedback"}))
    assert family.matches(_event(3, kind="feedback.commented"))
    assert not StreamFilter().matches(_event(4, kind="survey.received"))
    assert not StreamFilter(employee_id=STRANGER).matches(_event(5))


async def test_a_vanished_client_releases_its_subscription() -> None:
    broker = OutboxBroker("postgresql://unused@localhost/unused", app_role=None, queue_size=4)
    sessions: async_sessionmaker[AsyncSession] = async_sessionmaker()
    audience = Audience(REGION, employee_ids=frozenset({ME}))
    source = event_source(broker, sessions, audience, StreamFilter(), None)
    assert await asyncio.wait_for(source.__anext__(), 1) == b"retry: 2000\r\n\r\n"
    assert broker.subscriber_count == 1  # subscribed before it said so
    (subscription,) = broker._subscriptions
    subscription.offer(_event(1, STRANGER))  # not visible: never queued
    subscription.offer(_event(2))
    sent = await asyncio.wait_for(source.__anext__(), 1)
    assert b"id: 2\r\n" in sent
    await source.aclose()  # what the server does when the client goes away
    assert broker.subscriber_count == 0


async def test_audience_of_each_kind_of_caller(world: World, connection: AsyncConnection) -> None:
    from kinerja_api.auth.principal import Principal
    from kinerja_api.auth.tenancy import enter_all_regions
    from kinerja_api.models.org import Role
    from kinerja_api.progress.stream import audience_of
    from tests.progress.helpers import team

    t = await team(world)
    child = await world.agency(t.region, parent=t.agency)
    await enter_all_regions(connection)
    session = AsyncSession(bind=connection, join_transaction_mode="create_savepoint")

    def person(*roles: Role, employee: object = None, agency: object = None) -> Principal:
        return Principal(
            kind="user",
            id=uuid.uuid4(),
            region_id=t.region.id,
            roles=frozenset(roles),
            employee_id=getattr(employee, "id", None),
            agency_id=getattr(agency, "id", None),
        )

    head = await audience_of(session, person(Role.EMPLOYEE, employee=t.head))
    assert head.employee_ids == {t.head.id, t.boss.id, t.staff.id, t.peer.id}
    staff = await audience_of(session, person(Role.EMPLOYEE, employee=t.staff))
    assert (staff.employee_ids, staff.region_wide) == ({t.staff.id}, False)
    agency_admin = await audience_of(session, person(Role.AGENCY_ADMIN, agency=t.agency))
    assert agency_admin.agency_ids == {t.agency.id, child.id}
    assert (await audience_of(session, person(Role.AUDITOR))).region_wide
    nobody = await audience_of(session, person(Role.TRAINING_ADMIN))
    assert not nobody.region_wide
    assert not nobody.employee_ids
    assert not nobody.agency_ids
    account = Principal(
        kind="service_account",
        id=uuid.uuid4(),
        region_id=t.region.id,
        scopes=frozenset({"progress:read"}),
    )
    assert (await audience_of(session, account)).region_wide
    superadmin = Principal(
        kind="user", id=uuid.uuid4(), region_id=None, roles=frozenset({Role.SUPERADMIN})
    )
    assert (await audience_of(session, superadmin)).region_id is None


async def test_events_queued_while_the_stream_was_busy_go_out_together_in_order() -> None:
    broker = OutboxBroker("postgresql://unused@localhost/unused", app_role=None, queue_size=8)
    sessions: async_sessionmaker[AsyncSession] = async_sessionmaker()
    audience = Audience(REGION, employee_ids=frozenset({ME}))
    source = event_source(broker, sessions, audience, StreamFilter(), None)
    await asyncio.wait_for(source.__anext__(), 1)
    (subscription,) = broker._subscriptions
    for event_id in (3, 4, 5):
        subscription.offer(_event(event_id, STRANGER if event_id == 4 else ME))
    sent = await asyncio.wait_for(source.__anext__(), 1)
    assert re.findall(rb"^id: (\d+)\r$", sent, re.MULTILINE) == [b"3", b"5"]
    assert sent.count(b"\r\n\r\n") == 2  # two whole frames
    subscription.offer(_event(6))
    subscription.close()  # fell behind: what is queued is dropped, the stream ends
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(source.__anext__(), 1)
    assert broker.subscriber_count == 0


@dataclass(frozen=True)
class _Counting:
    """A predicate that notes each time it judges an event."""

    name: str
    judged: list[str] = field(compare=False, hash=False)

    def __call__(self, event: StreamEvent) -> bool:
        self.judged.append(self.name)
        return event.employee_id == ME


def test_streams_with_equal_predicates_have_each_event_judged_once() -> None:
    broker = OutboxBroker("postgresql://unused@localhost/unused", app_role=None, queue_size=4)
    judged: list[str] = []
    first = broker.subscribe(_Counting("team", judged))
    second = broker.subscribe(_Counting("team", judged))
    other = broker.subscribe(_Counting("other", judged))
    rows = [
        {**asdict(_event(event_id, employee)), "payload": "{}"}
        for event_id, employee in ((1, ME), (2, STRANGER))
    ]
    broker._fan_out(rows)
    assert sorted(judged) == ["other", "other", "team", "team"]
    for subscription in (first, second, other):
        assert subscription.queue.qsize() == 1
        assert subscription.queue.get_nowait().id == 1  # type: ignore[union-attr]
    for subscription in (first, second, other):
        broker.unsubscribe(subscription)
    broker.unsubscribe(first)  # twice: a no-op
    assert broker.subscriber_count == 0
    assert not broker._audiences
