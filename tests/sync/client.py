"""A mobile client's local copy of the lists it reads (plans, targets and indicators unless told
otherwise), kept in step the way the README's "Sync" section tells a client to: deletions
first, then the lists by `updated_since`, storing the server's `sync_time`; a full read on the
first round and when the window has passed."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

DELETIONS = "/api/v1/sync/deletions"
LISTS = {"plan": "/api/v1/plans", "target": "/api/v1/targets", "indicator": "/api/v1/indicators"}
# Every list a client may sync, by the `entity_type` its tombstones carry (progress reports
# have none: they go with their employee).
ALL_LISTS = {
    **LISTS,
    "employee": "/api/v1/employees",
    "progress_report": "/api/v1/progress-reports",
    "agency": "/api/v1/agencies",
    "user": "/api/v1/users",
    "service_unit": "/api/v1/service-units",
    "complaint": "/api/v1/complaints",
    "feedback": "/api/v1/feedback",
}
# What goes with a dropped row: {kind: [(child kind, the child's field naming the row)]}.
CHILDREN = {
    "plan": [("target", "plan_id"), ("indicator", "plan_id")],
    "employee": [("progress_report", "employee_id")],
}
# The first round's `since`: far older than any window, so the answer is the 410 that gives the
# sync point to store.
EPOCH = datetime(2000, 1, 1).astimezone().isoformat()
Rows = dict[str, dict[str, dict[str, Any]]]


async def read_all(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], **params: str
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page_params = {**params, "limit": "2", **({"cursor": cursor} if cursor else {})}
        response = await client.get(path, params=page_params, headers=headers)
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return items


async def full_read(
    client: httpx.AsyncClient, headers: dict[str, str], lists: dict[str, str] = LISTS
) -> Rows:
    return {
        kind: {item["id"]: item for item in await read_all(client, path, headers)}
        for kind, path in lists.items()
    }


@dataclass
class LocalCopy:
    headers: dict[str, str]
    lists: dict[str, str] = field(default_factory=lambda: dict(LISTS))
    rows: Rows = field(default_factory=dict)
    sync_time: datetime | None = None
    # What the last round fetched: {kind: ids} from the lists, and the tombstones it applied.
    fetched: dict[str, set[str]] = field(default_factory=dict)
    tombstones: list[dict[str, Any]] = field(default_factory=list)
    full_reads: int = 0

    async def sync(self, client: httpx.AsyncClient) -> None:
        """One round as the README's "Sync" tells it: deletions first, then the lists by
        `updated_since`; with nothing stored, or the window passed (410), a full read."""
        since = EPOCH if self.sync_time is None else self.sync_time.isoformat()
        first = await client.get(DELETIONS, params={"since": since}, headers=self.headers)
        if first.status_code == 410:
            assert first.json()["type"].endswith("/sync-window-expired"), first.text
            await self._full(client, datetime.fromisoformat(first.json()["sync_time"]))
            return
        assert first.status_code == 200, first.text
        sync_time = datetime.fromisoformat(first.json()["sync_time"])
        self.tombstones = await read_all(client, DELETIONS, self.headers, since=since)
        for tombstone in self.tombstones:
            self._drop(tombstone["entity_type"], tombstone["entity_id"])
        self.fetched = {}
        for kind, path in self.lists.items():
            changed = await read_all(client, path, self.headers, updated_since=since)
            self.fetched[kind] = {item["id"] for item in changed}
            self.rows[kind].update((item["id"], item) for item in changed)
        self.sync_time = sync_time

    async def _full(self, client: httpx.AsyncClient, sync_time: datetime) -> None:
        self.rows = await full_read(client, self.headers, self.lists)
        self.fetched = {kind: set(held) for kind, held in self.rows.items()}
        self.tombstones = []
        self.sync_time = sync_time
        self.full_reads += 1

    def _drop(self, kind: str, entity_id: str) -> None:
        if kind not in self.rows:
            return
        self.rows[kind].pop(entity_id, None)
        for child, link in CHILDREN.get(kind, []):
            held = self.rows.get(child, {})
            for child_id in [i for i, row in held.items() if row[link] == entity_id]:
                del held[child_id]

    def age(self, by: timedelta) -> None:
        """The client's side of `age_the_world`: its stored instants move back with the server's."""
        if self.sync_time is not None:
            self.sync_time -= by
        for rows in self.rows.values():
            for row in rows.values():
                if "updated_at" in row:
                    row["updated_at"] = _shifted(row["updated_at"], by)


def _shifted(instant: str, by: timedelta) -> str:
    return (datetime.fromisoformat(instant) - by).isoformat()


def normalized(rows: Rows) -> Rows:
    """Rows as compared: `updated_at` as the instant it is, whatever offset spells it."""
    return {
        kind: {
            i: {**row, "updated_at": datetime.fromisoformat(row["updated_at"])}
            if "updated_at" in row
            else row
            for i, row in held.items()
        }
        for kind, held in rows.items()
    }


AGED = {
    "plans": "updated_at",
    "targets": "updated_at",
    "indicators": "updated_at",
    "employees": "updated_at",
    "progress_reports": "updated_at",
    "agencies": "updated_at",
    "users": "updated_at",
    "service_units": "updated_at",
    "complaints": "updated_at",
    "feedback_responses": "updated_at",
    "sync_tombstones": "occurred_at",
}


async def age_the_world(connection: AsyncConnection, app_role: str, by: timedelta) -> None:
    """Lets time pass inside the test's one transaction, whose `now()` never moves: every
    stored instant a sync compares moves back by `by` (the client moves its own, `LocalCopy.age`),
    so the next changes are later than everything before them, as they would be."""
    await connection.execute(text("SET ROLE NONE"))  # the owner: tombstones are append-only
    try:
        for table, column in AGED.items():
            await connection.execute(
                text(f"UPDATE {table} SET {column} = {column} - make_interval(secs => :s)"),  # noqa: S608 - names from AGED
                {"s": by.total_seconds()},
            )
    finally:
        await connection.execute(text(f'SET ROLE "{app_role}"'))
