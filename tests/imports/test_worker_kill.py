"""A real `kinerja worker` process killed with SIGKILL in the middle of a 50,000-row import:
the job it held is handed back to the queue (its heartbeat stops) and a new worker finishes it,
leaving exactly the file's employees: none twice, none missing, every supervisor linked."""

import asyncio
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from kinerja_api.config import Settings
from kinerja_api.db import create_engine
from kinerja_api.main import create_app
from kinerja_api.models.org import Role
from tests.conftest import fresh_database_url
from tests.factories import World
from tests.servers import migrated_database, start_worker

ROWS = 50_000
HEADS = 500
# Small batches, and a heartbeat that goes stale within seconds, so that the kill lands
# mid-import and the next worker takes the job over at once.
WORKER_ENV = {
    "KINERJA_IMPORT_BATCH_ROWS": "1000",
    "KINERJA_JOB_HEARTBEAT_SECONDS": "0.5",
    "KINERJA_JOB_STALLED_SECONDS": "2",
}
DEADLINE_SECONDS = 45.0


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with migrated_database(fresh_database_url("kinerja_imports")) as url:
        yield url


@pytest.fixture
async def owner(database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database, Settings(env="test", database_url=database))
    yield engine
    await engine.dispose()


def _nips() -> list[str]:
    """Distinct valid PNS NIPs: a birth date per thousand, a serial within it."""
    first = date(1970, 1, 1)
    return [f"{first + timedelta(days=n // 1000):%Y%m%d}2000011{n % 1000:03d}" for n in range(ROWS)]


def _file(agency_code: str) -> tuple[bytes, list[str]]:
    """Staff first, their supervisors (the heads) at the end of the file."""
    nips = _nips()
    heads = nips[-HEADS:]
    lines = ["nip;name;employment_type;position;agency_code;supervisor_nip"]
    for n, nip in enumerate(nips):
        supervisor = "" if n >= ROWS - HEADS else heads[n % HEADS]
        lines.append(f"{nip};Pegawai {n};pns;Analis;{agency_code};{supervisor}")
    return ("\n".join(lines) + "\n").encode(), nips


async def _import_row(owner: AsyncEngine, import_id: str) -> Any:
    async with owner.connect() as connection:
        return (
            await connection.execute(
                text(
                    "select status, rows_done, rows_total, created, failed from imports"
                    " where id = :id"
                ),
                {"id": import_id},
            )
        ).one()


async def _until(owner: AsyncEngine, import_id: str, done: Any) -> Any:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        row = await _import_row(owner, import_id)
        if done(row):
            return row
        await asyncio.sleep(0.02)
    raise AssertionError(f"import still {await _import_row(owner, import_id)}")


def _stop(worker: "subprocess.Popen[bytes]") -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


async def test_a_worker_killed_mid_import_leaves_it_to_the_next_with_exactly_the_files_rows(
    database: str, owner: AsyncEngine
) -> None:
    settings = Settings(env="test", database_url=database, access_log=False)
    app = create_app(settings)
    async with owner.begin() as connection:
        world = World(connection, app)
        region = await world.region()
        agency = await world.agency(region, code="dinas-besar")
        admin = await world.user(region, Role.REGION_ADMIN)
        headers = world.auth(admin)
    body, nips = _file(agency.code)
    workers = [start_worker(database, WORKER_ENV)]
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            accepted = await http.post(
                "/api/v1/imports",
                params={"kind": "employees"},
                content=body,
                headers={**headers, "Content-Type": "text/csv"},
            )
        assert accepted.status_code == 202, accepted.text
        import_id = accepted.json()["id"]
        halfway = await _until(owner, import_id, lambda row: row.rows_done >= 10_000)
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait()
        killed_at = time.monotonic()
        stopped = await _import_row(owner, import_id)
        assert stopped.status == "running"
        assert halfway.rows_done <= stopped.rows_done < ROWS

        # Once its heartbeat is stale, a new worker hands the job back and runs it to the end.
        await asyncio.sleep(max(0.0, 2.5 - (time.monotonic() - killed_at)))
        workers.append(start_worker(database, WORKER_ENV))
        final = await _until(owner, import_id, lambda row: row.status != "running")
        assert (final.status, final.rows_done, final.created, final.failed) == (
            "succeeded",
            ROWS,
            ROWS,
            0,
        )
        async with owner.connect() as connection:
            recorded = (
                await connection.execute(
                    text(
                        "select e.nip, s.nip as supervisor_nip from employees e"
                        " left join employees s on s.id = e.supervisor_id"
                        " where e.region_id = :region"
                    ),
                    {"region": region.id},
                )
            ).all()
            staged = await connection.scalar(
                text("select count(*) from import_rows where import_id = :id"), {"id": import_id}
            )
        assert len(recorded) == ROWS
        assert sorted(nip for nip, _ in recorded) == sorted(nips)
        heads = set(nips[-HEADS:])
        supervisors = {row.nip: row.supervisor_nip for row in recorded}
        assert all(supervisors[nip] in heads for nip in nips[: ROWS - HEADS])
        assert all(supervisors[nip] is None for nip in heads)
        assert staged == 0
    finally:
        for worker in workers:
            _stop(worker)
