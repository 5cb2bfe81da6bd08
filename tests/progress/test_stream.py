"""The live stream across server processes: two uvicorn processes on their own database (real
HTTP, real commits); a report posted through one reaches subscribers connected to the other."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, get_args

import httpx
import pytest
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncEngine

from kinerja_api.config import Settings
from kinerja_api.core.openapi_schemas import SCHEMAS, domain_name
from kinerja_api.db import create_engine
from kinerja_api.main import create_app
from kinerja_api.models.org import Role
from kinerja_api.openapi_export import contract
from kinerja_api.progress.events import PublicStreamEvent, StaffStreamEvent
from tests.conftest import fresh_database_url
from tests.factories import World
from tests.progress.helpers import URL, Team, report_body, team
from tests.servers import migrated_database, running_servers

STREAM = "/api/v1/progress/stream"
WAIT = 10.0
# Were each stream to keep a connection, this many would outgrow what the pools hold idle.
STREAMS_PER_SERVER = 12


@pytest.fixture(scope="module")
def stream_database() -> Iterator[str]:
    with migrated_database(fresh_database_url("kinerja_stream")) as url:
        yield url


@pytest.fixture(scope="module")
def servers(stream_database: str) -> Iterator[tuple[str, str]]:
    """Two separate server processes on one database."""
    with running_servers(stream_database, env={"KINERJA_STREAM_PING_SECONDS": "1"}) as (
        first,
        second,
    ):
        yield first, second


@pytest.fixture
async def owner(stream_database: str) -> AsyncIterator[AsyncEngine]:
    settings = Settings(env="test", database_url=stream_database)
    engine = create_engine(stream_database, settings)
    yield engine
    await engine.dispose()


@asynccontextmanager
async def committed_world(engine: AsyncEngine, stream_database: str) -> AsyncIterator[World]:
    """A World whose rows are committed, so that the server processes see them."""
    app = create_app(Settings(env="test", database_url=stream_database))
    async with engine.connect() as connection, connection.begin():
        yield World(connection, app)


@dataclass
class Event:
    id: int
    type: str
    data: dict[str, Any]


class Subscriber:
    """An SSE client reading events (and noting heartbeats) in the background."""

    def __init__(self, http: httpx.AsyncClient, url: str, headers: dict[str, str]) -> None:
        self.events: asyncio.Queue[Event] = asyncio.Queue()
        self.pings = 0
        self.status = 0
        self.retry: int | None = None
        self._opened = asyncio.Event()
        self._task = asyncio.create_task(self._read(http, url, headers))

    async def _read(self, http: httpx.AsyncClient, url: str, headers: dict[str, str]) -> None:
        async with http.stream("GET", url, headers=headers, timeout=None) as response:
            self.status = response.status_code
            if response.status_code != 200:
                self._opened.set()
                return
            fields: dict[str, str] = {}
            async for line in response.aiter_lines():
                if line.startswith(":"):
                    self.pings += 1
                elif line:
                    name, _, value = line.partition(":")
                    fields[name] = value.removeprefix(" ")
                else:
                    await self._dispatch(fields)
                    fields = {}

    async def _dispatch(self, fields: dict[str, str]) -> None:
        if "retry" in fields:
            # The server's first line, sent once it has subscribed.
            self.retry = int(fields["retry"])
            self._opened.set()
        if "data" in fields:
            await self.events.put(
                Event(int(fields["id"]), fields["event"], json.loads(fields["data"]))
            )

    async def opened(self) -> None:
        """Returns once the server has subscribed: nothing committed from now on is missed."""
        await asyncio.wait_for(self._opened.wait(), WAIT)

    async def next(self, within: float = WAIT) -> Event:
        return await asyncio.wait_for(self.events.get(), within)

    async def close(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


@asynccontextmanager
async def subscribed(
    base: str, headers: dict[str, str], path: str = STREAM, **params: Any
) -> AsyncIterator[Subscriber]:
    async with httpx.AsyncClient(base_url=base) as http:
        query = httpx.QueryParams(params)
        subscriber = Subscriber(http, f"{path}?{query}" if params else path, headers)
        await subscriber.opened()
        try:
            yield subscriber
        finally:
            await subscriber.close()


async def _post(base: str, world: World, t: Team, value: str = "10", **extra: Any) -> str:
    async with httpx.AsyncClient(base_url=base) as http:
        user = extra.pop("user", None) or t.staff_user
        body = report_body(extra.pop("indicator", t.indicator), value, **extra)
        response = await http.post(URL, json=body, headers=world.auth(user))
        assert response.status_code == 201, response.text
        report_id: str = response.json()["id"]
        return report_id


async def test_a_report_posted_on_one_process_reaches_a_subscriber_on_the_other(
    servers: tuple[str, str], owner: AsyncEngine, stream_database: str
) -> None:
    first, second = servers
    async with committed_world(owner, stream_database) as world:
        t = await team(world)
    async with subscribed(second, world.auth(t.boss_user)) as boss:
        assert (boss.status, boss.retry) == (200, 2000)
        report_id = await _post(first, world, t)
        event = await boss.next()
    assert event.type == "progress.reported"
    assert event.data["entity_id"] == report_id
    assert event.data["data"]["indicator_id"] == str(t.indicator.id)


async def test_subscribers_see_only_what_they_may(
    servers: tuple[str, str], owner: AsyncEngine, stream_database: str
) -> None:
    first, second = servers
    async with committed_world(owner, stream_database) as world:
        t = await team(world)
        other = await team(world)
        peer_plan = await world.plan(t.period, t.peer, status="approved")
        peer_indicator = await world.indicator(await world.target(peer_plan))
        admin = await world.user(t.region, Role.REGION_ADMIN)
        foreign_admin = await world.user(other.region, Role.REGION_ADMIN)
    async with (
        subscribed(second, world.auth(t.peer_user)) as peer,
        subscribed(second, world.auth(t.boss_user)) as boss,
        subscribed(first, world.auth(t.head_user)) as head,
        subscribed(second, world.auth(admin)) as region_admin,
        subscribed(second, world.auth(foreign_admin)) as foreign,
        subscribed(first, world.auth(t.boss_user), employee_id=str(t.peer.id)) as filtered,
        subscribed(second, world.auth(t.boss_user), types="feedback") as comments_only,
    ):
        staff_report = await _post(first, world, t)
        peer_report = await _post(first, world, t, indicator=peer_indicator, user=t.peer_user)
        foreign_report = await _post(second, world, other)
        async with httpx.AsyncClient(base_url=first) as http:
            comment = await http.post(
                f"/api/v1/plans/{t.plan.id}/comments",
                json={"body": "Tetap semangat"},
                headers=world.auth(t.boss_user),
            )
            assert comment.status_code == 201

        async def ids(subscriber: Subscriber, count: int) -> list[str]:
            return [(await subscriber.next()).data["entity_id"] for _ in range(count)]

        everything = [staff_report, peer_report, comment.json()["id"]]
        assert await ids(peer, 1) == [peer_report]
        assert await ids(boss, 3) == everything
        assert await ids(head, 3) == everything
        assert await ids(region_admin, 3) == everything
        assert await ids(foreign, 1) == [foreign_report]
        assert await ids(filtered, 1) == [peer_report]
        assert await ids(comments_only, 1) == [comment.json()["id"]]
        for subscriber in (peer, boss, head, region_admin, foreign, filtered, comments_only):
            with pytest.raises(TimeoutError):
                await subscriber.next(within=0.5)


async def test_resume_replays_exactly_the_missed_events(
    servers: tuple[str, str], owner: AsyncEngine, stream_database: str
) -> None:
    first, second = servers
    async with committed_world(owner, stream_database) as world:
        t = await team(world)
        other = await team(world)
    async with subscribed(second, world.auth(t.boss_user)) as boss:
        await _post(first, world, t, "1")
        last_seen = (await boss.next()).id
    missed = [await _post(first, world, t, "2"), await _post(second, world, t, "3")]
    await _post(first, world, other, "4")  # another region's: never replayed
    headers = {**world.auth(t.boss_user), "Last-Event-ID": str(last_seen)}
    async with subscribed(first, headers) as resumed:
        replayed = [await resumed.next(), await resumed.next()]
        assert [e.data["entity_id"] for e in replayed] == missed
        assert replayed[0].id < replayed[1].id
        live = await _post(second, world, t, "5")
        assert (await resumed.next()).data["entity_id"] == live
        with pytest.raises(TimeoutError):
            await resumed.next(within=0.5)
        await asyncio.sleep(1.5)
        assert resumed.pings >= 1  # heartbeats every second in these servers


async def test_public_stream_carries_verified_public_progress_without_personal_data(
    servers: tuple[str, str], owner: AsyncEngine, stream_database: str
) -> None:
    first, second = servers
    async with committed_world(owner, stream_database) as world:
        t = await team(world)
        public_target = await world.target(t.plan, public=True)
        indicator = await world.indicator(public_target)
    path = f"/api/v1/public/regions/{t.region.code}/progress/stream"
    async with subscribed(second, {}, path=path) as citizen:
        private = await _post(first, world, t)  # a private target: never public
        report_id = await _post(first, world, t, indicator=indicator)
        async with httpx.AsyncClient(base_url=first) as http:
            for rid in (private, report_id):
                verified = await http.post(
                    f"{URL}/{rid}/verify",
                    json={"decision": "accept"},
                    headers={**world.auth(t.boss_user), "If-Match": '"1"'},
                )
                assert verified.status_code == 200
        event = await citizen.next()
        with pytest.raises(TimeoutError):
            await citizen.next(within=0.5)
    assert event.type == "progress.verified"
    assert set(event.data) == {"id", "type", "occurred_at", "data"}
    assert event.data["data"]["indicator_id"] == str(indicator.id)
    flat = json.dumps(event.data)
    for personal in (str(t.staff.id), str(t.boss.id), str(t.plan.id), t.staff.nip, t.staff.name):
        assert personal not in flat
    async with httpx.AsyncClient(base_url=first) as http:
        unknown = await http.get("/api/v1/public/regions/tidak-ada/progress/stream")
        assert unknown.status_code == 404


async def test_delivery_survives_a_lost_listen_connection_and_carries_plan_events(
    servers: tuple[str, str], owner: AsyncEngine, stream_database: str
) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import AsyncSession

    from kinerja_api.auth.tenancy import enter_region
    from kinerja_api.core.events import publish
    from kinerja_api.models.plans import PlanStatus
    from kinerja_api.plans.events import PlanEventData

    first, second = servers
    async with committed_world(owner, stream_database) as world:
        t = await team(world)
    async with subscribed(second, world.auth(t.boss_user)) as boss:
        async with owner.connect() as connection:
            killed = await connection.scalar(
                text(
                    "select count(pg_terminate_backend(pid)) from pg_stat_activity "
                    "where application_name = 'kinerja-api-stream' and datname = current_database()"
                )
            )
            await connection.commit()
        assert killed == 2  # one LISTEN connection per server process
        # Committed while the listeners are down: delivered when they reconnect and catch up.
        report_id = await _post(first, world, t)
        async with owner.connect() as connection:
            await enter_region(connection, t.region.id)
            session = AsyncSession(bind=connection)
            await publish(
                session,
                "plan.approved",
                region_id=t.region.id,
                entity_type="plan",
                entity_id=t.plan.id,
                payload=PlanEventData(
                    plan_id=t.plan.id,
                    period_id=t.period.id,
                    status=PlanStatus.APPROVED,
                    revision=1,
                    approver_id=t.boss.id,
                ),
                employee_id=t.staff.id,
                agency_id=t.agency.id,
            )
            await session.commit()
            await connection.commit()
        received = [await boss.next(), await boss.next()]
    assert [(e.type, e.data["entity_id"]) for e in received] == [
        ("progress.reported", report_id),
        ("plan.approved", str(t.plan.id)),
    ]


async def test_concurrent_retries_through_both_processes_create_one_report(
    servers: tuple[str, str], owner: AsyncEngine, stream_database: str
) -> None:
    from sqlalchemy import func, select

    from kinerja_api.auth.tenancy import enter_all_regions
    from kinerja_api.models.progress import ProgressReport

    async with committed_world(owner, stream_database) as world:
        t = await team(world)
    headers = {**world.auth(t.staff_user), "Idempotency-Key": "flaky-network-7"}
    body = report_body(t.indicator)
    async with httpx.AsyncClient() as http:
        responses = await asyncio.gather(
            *(http.post(base + URL, json=body, headers=headers) for base in servers * 4)
        )
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {201, 409}, [r.text for r in responses]
    created = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(created) == 1
    async with owner.connect() as connection:
        await enter_all_regions(connection)
        count = await connection.scalar(
            select(func.count()).where(ProgressReport.plan_id == t.plan.id)
        )
    assert count == 1


async def test_open_streams_hold_no_database_connection(
    servers: tuple[str, str], owner: AsyncEngine, stream_database: str
) -> None:
    from sqlalchemy import text

    count = text(
        "select count(*) filter (where application_name = 'kinerja-api') as pooled, "
        "count(*) filter (where application_name = 'kinerja-api-stream') as listening "
        "from pg_stat_activity where datname = current_database()"
    )
    async with committed_world(owner, stream_database) as world:
        t = await team(world)
    headers = world.auth(t.boss_user)
    async with httpx.AsyncClient() as http:
        for base in servers:  # every pool has served a request: its idle connections count
            assert (await http.get(base + URL, headers=headers)).status_code == 200
    async with owner.connect() as connection:
        before = (await connection.execute(count)).one()
    async with contextlib.AsyncExitStack() as streams:
        for base in servers * STREAMS_PER_SERVER:
            subscriber = await streams.enter_async_context(subscribed(base, headers))
            assert subscriber.status == 200
        async with owner.connect() as connection:
            during = (await connection.execute(count)).one()
        report_id = await _post(servers[0], world, t)
        assert (await subscriber.next()).data["entity_id"] == report_id
    assert during.listening == before.listening == 2  # one LISTEN connection per process
    assert during.pooled <= before.pooled, (before, during)


def _contract_events(path: str) -> dict[str, type[BaseModel]]:
    """The model the contract names for each event type of the stream at `path`."""
    models = {
        domain_name(model.__name__, {}): model
        for model in (*get_args(StaffStreamEvent), PublicStreamEvent)
    }
    operation = contract()["paths"][path]["get"]
    return {
        entry["event"]: models[entry["data"]["$ref"].removeprefix(SCHEMAS)]
        for entry in operation["x-events"]
    }


def _exactly_the_model(model: BaseModel, data: dict[str, Any]) -> None:
    """Every field on the wire is a field of the model, at every depth, and the reverse."""
    assert set(data) == set(type(model).model_fields), type(model).__name__
    for name in data:
        nested = getattr(model, name)
        if isinstance(nested, BaseModel):
            _exactly_the_model(nested, data[name])


def _validated(event: Event, models: dict[str, type[BaseModel]]) -> None:
    """The frame's `data` validates against the model named for its `event` (whose `type`
    admits only that model's event types), field for field."""
    assert (event.data["type"], event.data["id"]) == (event.type, event.id)
    _exactly_the_model(models[event.type].model_validate(event.data), event.data)


async def test_every_event_type_is_sent_as_the_model_the_contract_names(
    servers: tuple[str, str], owner: AsyncEngine, stream_database: str
) -> None:
    first, second = servers
    async with committed_world(owner, stream_database) as world:
        t = await team(world)
        public_indicator = await world.indicator(await world.target(t.plan, public=True))
        boss_plan = await world.plan(t.period, t.boss)
        await world.indicator(await world.target(boss_plan))
    public_path = "/api/v1/public/regions/{code}/progress/stream"
    staff_events, public_events = _contract_events(STREAM), _contract_events(public_path)
    any_version = "*"

    async def call(method: str, path: str, user: Any, body: Any = None) -> dict[str, Any]:
        headers = {**world.auth(user), "If-Match": any_version}
        async with httpx.AsyncClient(base_url=first) as http:
            response = await http.request(method, path, json=body, headers=headers)
        assert response.status_code in (200, 201), response.text
        answer: dict[str, Any] = response.json()
        return answer

    plan_path = f"/api/v1/plans/{boss_plan.id}"
    public_stream = public_path.format(code=t.region.code)
    async with (
        subscribed(second, world.auth(t.head_user)) as head,
        subscribed(second, {}, path=public_stream) as citizen,
    ):
        await call("POST", "/api/v1/plans", t.peer_user, {"period_id": str(t.period.id)})
        for action, user in (
            ("submit", t.boss_user),
            ("return", t.head_user),
            ("submit", t.boss_user),
            ("approve", t.head_user),
            ("revise", t.boss_user),
        ):
            body = {"note": "Perbaiki."} if action == "return" else None
            await call("POST", f"{plan_path}/{action}", user, body)
        verified = await _post(first, world, t, indicator=public_indicator)
        await call("PATCH", f"{URL}/{verified}", t.staff_user, {"value": "12"})
        await call("POST", f"{URL}/{verified}/verify", t.boss_user, {"decision": "accept"})
        withdrawn = await _post(first, world, t)
        await call("POST", f"{URL}/{withdrawn}/withdraw", t.staff_user)
        await call("POST", f"/api/v1/plans/{t.plan.id}/comments", t.boss_user, {"body": "Bagus"})
        received = [await head.next() for _ in range(12)]
        public = await citizen.next()
    # The evaluations', training's and imports' frames are checked in
    # tests/evaluations/test_streams.py, tests/training/test_streams.py and
    # tests/imports/test_events.py.
    assert {event.type for event in received} == {
        event_type
        for event_type in staff_events
        if not event_type.startswith(("evaluation.", "training.", "import."))
    }
    for event in received:
        _validated(event, staff_events)
    assert set(public_events) == {public.type}
    _validated(public, public_events)
