import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.models.audit import AuditEvent
from kinerja_api.models.org import Role
from tests.factories import World

EVENTS = "/api/v1/audit-events"
FIELDS = {
    "id",
    "occurred_at",
    "actor_type",
    "actor_id",
    "action",
    "entity_type",
    "entity_id",
    "changes",
    "request_id",
}
T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


async def add_event(
    connection: AsyncConnection,
    region: Any,
    *,
    action: str = "employee.updated",
    entity_id: str = "e-1",
    actor_id: uuid.UUID | None = None,
    occurred_at: datetime = T0,
) -> str:
    await enter_all_regions(connection)
    result = await connection.execute(
        insert(AuditEvent)
        .values(
            region_id=region.id if region is not None else None,
            occurred_at=occurred_at,
            actor_type="user" if actor_id else "system",
            actor_id=actor_id,
            action=action,
            entity_type=action.split(".")[0],
            entity_id=entity_id,
            changes={"after": {"name": "Budi"}},
            request_id="req-1",
        )
        .returning(AuditEvent.id)
    )
    return str(result.scalar_one())


async def listed(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> list[str]:
    response = await client.get(EVENTS, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [str(event["id"]) for event in response.json()["items"]]


async def test_region_admin_reads_the_trail_newest_first_with_filters(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    region, other = await world.region(), await world.region()
    admin = await world.user(region, Role.REGION_ADMIN)
    actor = uuid.uuid4()
    oldest = await add_event(connection, region, occurred_at=T0)
    middle = await add_event(
        connection,
        region,
        action="user.created",
        entity_id="u-1",
        actor_id=actor,
        occurred_at=T0 + timedelta(hours=1),
    )
    newest = await add_event(connection, region, occurred_at=T0 + timedelta(hours=2))
    await add_event(connection, other)
    await add_event(connection, None, action="region.created")
    headers = world.auth(admin)

    response = await client.get(EVENTS, headers=headers)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [str(e["id"]) for e in items] == [newest, middle, oldest]
    assert set(items[1]) == FIELDS
    assert items[1]["actor_id"] == str(actor)
    assert items[1]["changes"] == {"after": {"name": "Budi"}}
    assert items[1]["request_id"] == "req-1"

    assert await listed(client, headers, entity_type="user") == [middle]
    assert await listed(client, headers, entity_type="employee", entity_id="e-1") == [
        newest,
        oldest,
    ]
    assert await listed(client, headers, actor_id=str(actor)) == [middle]
    assert await listed(client, headers, action="user.created") == [middle]
    window = {
        "occurred_from": (T0 + timedelta(hours=1)).isoformat(),
        "occurred_to": (T0 + timedelta(hours=2)).isoformat(),
    }
    assert await listed(client, headers, **window) == [middle]

    first = await client.get(EVENTS, params={"limit": 2}, headers=headers)
    assert [str(e["id"]) for e in first.json()["items"]] == [newest, middle]
    cursor = first.json()["next_cursor"]
    second = await client.get(EVENTS, params={"limit": 2, "cursor": cursor}, headers=headers)
    assert [str(e["id"]) for e in second.json()["items"]] == [oldest]
    assert second.json()["next_cursor"] is None
    wrong = await client.get(
        EVENTS, params={"cursor": cursor, "action": "user.created"}, headers=headers
    )
    assert wrong.status_code == 400


async def test_mutations_appear_in_the_trail_with_their_request_id(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    admin = await world.user(region, Role.REGION_ADMIN)
    headers = world.auth(admin)
    created = await client.post(
        "/api/v1/service-accounts", json={"name": "SIMPEG", "scopes": ["org:read"]}, headers=headers
    )
    assert created.status_code == 201, created.text
    account = created.json()
    response = await client.get(EVENTS, params={"entity_id": account["id"]}, headers=headers)
    (event,) = response.json()["items"]
    assert event["action"] == "service_account.created"
    assert event["actor_type"] == "user"
    assert event["actor_id"] == str(admin.id)
    assert event["request_id"] == created.headers["x-request-id"]
    assert event["changes"]["after"]["secret_hash"] == "[redacted]"
    assert account["client_secret"] not in str(event)


async def test_auditors_and_scoped_service_accounts_read_their_region(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    region, other = await world.region(), await world.region()
    mine = await add_event(connection, region)
    theirs = await add_event(connection, other)
    auditor = await world.user(region, Role.AUDITOR)
    integration = await world.service_account(region, "audit:read")
    for principal in (auditor, integration):
        ids = await listed(client, world.auth(principal), entity_id="e-1")
        assert ids == [mine]
        assert theirs not in ids


async def test_superadmin_reads_every_region_and_may_filter_by_region(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    region, other = await world.region(), await world.region()
    mine = await add_event(connection, region, entity_id="sa-1")
    theirs = await add_event(connection, other, entity_id="sa-1")
    global_event = await add_event(connection, None, entity_id="sa-1", action="region.created")
    headers = world.auth(await world.user(None, Role.SUPERADMIN))
    assert await listed(client, headers, entity_id="sa-1") == [global_event, theirs, mine]
    assert await listed(client, headers, entity_id="sa-1", region_id=str(other.id)) == [theirs]


async def test_audit_filters_are_validated(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    headers = world.auth(await world.user(region, Role.REGION_ADMIN))
    response = await client.get(EVENTS, params={"region_id": str(region.id)}, headers=headers)
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"query.region_id"}
    backwards = await client.get(
        EVENTS,
        params={"occurred_from": T0.isoformat(), "occurred_to": T0.isoformat()},
        headers=headers,
    )
    assert backwards.status_code == 422
    assert {e["field"] for e in backwards.json()["errors"]} == {"query.occurred_to"}
    malformed = await client.get(
        EVENTS,
        params={"actor_id": "nobody", "occurred_from": "yesterday", "entity_type": "x" * 41},
        headers=headers,
    )
    assert malformed.status_code == 422
    assert {e["field"] for e in malformed.json()["errors"]} == {
        "query.actor_id",
        "query.occurred_from",
        "query.entity_type",
    }


async def test_other_roles_and_scopes_are_refused(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    agency = await world.agency(region)
    refused = [
        await world.user(region, Role.AGENCY_ADMIN, agency=agency),
        await world.user(region, Role.EMPLOYEE),
        await world.user(region, Role.TRAINING_ADMIN),
        await world.user(region, Role.COMPLAINT_OFFICER),
        await world.service_account(region, "org:read", "org:write"),
    ]
    for principal in refused:
        response = await client.get(EVENTS, headers=world.auth(principal))
        assert response.status_code == 403, response.text
    assert (await client.get(EVENTS)).status_code == 401


@pytest.mark.parametrize(
    "statement",
    ["update audit_events set action = 'x'", "delete from audit_events"],
)
async def test_the_application_role_cannot_rewrite_the_trail(
    connection: AsyncConnection, world: World, statement: str
) -> None:
    await add_event(connection, await world.region())
    with pytest.raises(ProgrammingError, match="permission denied"):
        async with connection.begin_nested():
            await connection.execute(text(statement))
