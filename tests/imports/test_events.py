"""An import tells its progress and its end on the streams of the principal who uploaded it
and of the region's administrators, and nobody else's; it leaves one audit event and one end
event with its counts, never one per row."""

from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import TypeAdapter
from sqlalchemy import func, select

from kinerja_api.auth.principal import Principal
from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.config import Settings
from kinerja_api.core.broker import StreamEvent
from kinerja_api.models.audit import AuditEvent
from kinerja_api.models.events import OutboxEvent
from kinerja_api.models.org import Role
from kinerja_api.progress.events import StaffStreamEvent
from kinerja_api.progress.stream import StreamFilter, audience_of, event_data, replay
from tests.factories import World
from tests.imports.helpers import a_region, employee_row, employees_csv, imported

FRAMES: TypeAdapter[Any] = TypeAdapter(StaffStreamEvent)


def _principal(user_or_account: Any) -> Principal:
    if hasattr(user_or_account, "client_id"):
        return Principal(
            kind="service_account",
            id=user_or_account.id,
            region_id=user_or_account.region_id,
            scopes=frozenset(user_or_account.scopes),
        )
    return Principal(
        kind="user",
        id=user_or_account.id,
        region_id=user_or_account.region_id,
        roles=frozenset(Role(role) for role in user_or_account.roles),
        employee_id=user_or_account.employee_id,
    )


async def _seen(world: World, who: Any, after: int) -> list[StreamEvent]:
    sessions = world.app.state.db.sessions
    async with sessions() as session:
        audience = await audience_of(session, _principal(who))
    return [event async for event in replay(sessions, audience, StreamFilter(), after)]


async def test_progress_and_the_end_reach_the_importer_and_the_region_administrators_only(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home, foreign = await a_region(world), await a_region(world)
    account = await world.service_account(home.region, "imports:write", "progress:read")
    other_account = await world.service_account(home.region, "imports:write", "progress:read")
    auditor = await world.user(home.region, Role.AUDITOR)
    colleague = await world.user(home.region, Role.REGION_ADMIN)
    stranger = await world.user(foreign.region, Role.REGION_ADMIN)
    await enter_all_regions(world.connection)
    after = int(await world.connection.scalar(select(func.coalesce(func.max(OutboxEvent.id), 0))))
    small = settings.model_copy(update={"import_batch_rows": 2})
    rows = [employee_row(home.agency) for _ in range(3)]
    result = await imported(client, app, small, world.auth(account), employees_csv(rows))

    expected = ["import.progress", "import.progress", "import.completed"]
    for who in (account, colleague, home.admin):
        events = await _seen(world, who, after)
        assert [event.type for event in events] == expected, who
    for who in (other_account, auditor, stranger):
        assert [e for e in await _seen(world, who, after) if e.type.startswith("import.")] == []
    events = await _seen(world, account, after)
    assert [event.payload["rows_done"] for event in events] == [2, 3, 3]
    end = events[-1].payload
    assert (end["status"], end["created"], end["failure"]) == ("succeeded", 3, None)
    for event in events:
        frame = FRAMES.validate_python(event_data(event, public=False))
        assert (frame.type, frame.entity_type, frame.entity_id) == (
            event.type,
            "import",
            event.entity_id,
        )
    await enter_all_regions(world.connection)
    audited = (
        await world.connection.execute(
            select(AuditEvent.action, AuditEvent.actor_type, AuditEvent.changes).where(
                AuditEvent.entity_type == "import", AuditEvent.entity_id == result["id"]
            )
        )
    ).all()
    assert [(action, actor) for action, actor, _ in audited] == [
        ("import.completed", "service_account")
    ]
    assert audited[0][2]["after"]["created"] == 3
    per_row = await world.connection.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.entity_type == "employee")
        .where(AuditEvent.region_id == home.region.id)
    )
    assert per_row == 0
