"""The replay of missed events on resume (`Last-Event-ID`): who sees what and the caller's
filters, written in SQL for the replay, must agree with the live fan-out's rule in Python."""

import uuid
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.core.broker import StreamEvent
from kinerja_api.models.events import OutboxEvent
from kinerja_api.models.org import Role
from kinerja_api.progress.stream import Audience, StreamFilter, replay
from tests.factories import World
from tests.progress.helpers import URL, report_body, team


async def _report(client: httpx.AsyncClient, world: World, user: Any, indicator: Any) -> str:
    response = await client.post(URL, json=report_body(indicator), headers=world.auth(user))
    assert response.status_code == 201, response.text
    report_id: str = response.json()["id"]
    return report_id


async def _replayed(
    sessions: async_sessionmaker[AsyncSession],
    audience: Audience,
    after: int,
    stream_filter: StreamFilter | None = None,
) -> list[StreamEvent]:
    return [
        event async for event in replay(sessions, audience, stream_filter or StreamFilter(), after)
    ]


def _entities(events: list[StreamEvent]) -> list[tuple[str, str]]:
    return [(event.type, str(event.entity_id)) for event in events]


async def test_replay_shows_each_audience_what_the_live_stream_would(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    t = await team(world)
    other = await team(world)
    neighbours = await world.agency(t.region)  # another agency of the same region
    neighbour = await world.employee(t.region, neighbours)
    neighbour_user = await world.user(t.region, Role.EMPLOYEE, employee=neighbour)
    neighbour_indicator = await world.indicator(
        await world.target(await world.plan(t.period, neighbour, status="approved"))
    )
    peer_indicator = await world.indicator(
        await world.target(await world.plan(t.period, t.peer, status="approved"))
    )
    public_indicator = await world.indicator(await world.target(t.plan, public=True))
    await enter_all_regions(connection)
    after = int(await connection.scalar(select(func.coalesce(func.max(OutboxEvent.id), 0))))

    staff_report = await _report(client, world, t.staff_user, t.indicator)
    peer_report = await _report(client, world, t.peer_user, peer_indicator)
    neighbour_report = await _report(client, world, neighbour_user, neighbour_indicator)
    public_report = await _report(client, world, t.staff_user, public_indicator)
    verified = await client.post(
        f"{URL}/{public_report}/verify",
        json={"decision": "accept"},
        headers={**world.auth(t.boss_user), "If-Match": '"1"'},
    )
    assert verified.status_code == 200, verified.text
    comment = await client.post(
        f"/api/v1/plans/{t.plan.id}/comments",
        json={"body": "Tetap semangat"},
        headers=world.auth(t.boss_user),
    )
    assert comment.status_code == 201, comment.text
    await _report(client, world, other.staff_user, other.indicator)  # another region's

    sessions = world.app.state.db.sessions
    everything = await _replayed(sessions, Audience(None, region_wide=True), after)
    assert len(everything) == 7

    def live(audience: Audience, stream_filter: StreamFilter) -> list[tuple[str, str]]:
        return _entities([e for e in everything if audience.sees(e) and stream_filter.matches(e)])

    staff = Audience(t.region.id, employee_ids=frozenset({t.staff.id}))
    boss = Audience(t.region.id, employee_ids=frozenset({t.boss.id, t.staff.id, t.peer.id}))
    agency_admin = Audience(t.region.id, agency_ids=frozenset({t.agency.id}))
    citizens = Audience(t.region.id, public_only=True)
    region = Audience(t.region.id, region_wide=True)
    cases: list[tuple[Audience, StreamFilter, list[tuple[str, str]]]] = [
        (
            staff,  # not the peer's report, though it is in the same region and agency
            StreamFilter(),
            [
                ("progress.reported", staff_report),
                ("progress.reported", public_report),
                ("progress.verified", public_report),
                ("feedback.commented", comment.json()["id"]),
            ],
        ),
        (boss, StreamFilter(employee_id=t.peer.id), [("progress.reported", peer_report)]),
        (
            boss,
            StreamFilter(frozenset({"progress.verified", "feedback"})),
            [("progress.verified", public_report), ("feedback.commented", comment.json()["id"])],
        ),
        (
            agency_admin,  # the subtree's reports, not the neighbouring agency's
            StreamFilter(frozenset({"progress.reported"})),
            [
                ("progress.reported", staff_report),
                ("progress.reported", peer_report),
                ("progress.reported", public_report),
            ],
        ),
        (region, StreamFilter(agency_id=neighbours.id), [("progress.reported", neighbour_report)]),
        (citizens, StreamFilter(), [("progress.verified", public_report)]),
    ]
    for audience, stream_filter, expected in cases:
        replayed = _entities(await _replayed(sessions, audience, after, stream_filter))
        assert replayed == expected, (audience, stream_filter)
        assert replayed == live(audience, stream_filter), (audience, stream_filter)
    resumed = await _replayed(sessions, staff, everything[0].id)
    assert _entities(resumed) == live(staff, StreamFilter())[1:]
    assert not await _replayed(sessions, Audience(uuid.uuid4(), region_wide=True), after)
