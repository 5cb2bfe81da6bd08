"""Export jobs end to end, on a database of their own with real commits: the API accepts the
export, a real procrastinate worker run writes the file into PostgreSQL, and the file is the
CSV the list answers for the same caller, filters and sort. A job run again starts over; the
rights of whoever asked are those they hold when it runs; files expire."""

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from kinerja_api.config import Settings
from kinerja_api.core import jobs
from kinerja_api.db import Database, create_engine
from kinerja_api.export_lists import EXPORT_LIST_MODULES
from kinerja_api.exports import runner
from kinerja_api.exports.tasks import expire_files
from kinerja_api.main import create_app
from kinerja_api.models.org import Role, User
from kinerja_api.task_modules import TASK_MODULES
from tests.conftest import fresh_database_url
from tests.exports.helpers import CSV
from tests.factories import World
from tests.servers import migrated_database

EXPORTS = "/api/v1/exports"
EMPLOYEES = "/api/v1/employees"


@pytest.fixture(scope="module")
def jobs_database() -> Iterator[str]:
    with migrated_database(fresh_database_url("kinerja_exports")) as url:
        yield url


@pytest.fixture(scope="module")
def jobs_settings(jobs_database: str) -> Settings:
    return Settings(env="test", database_url=jobs_database, access_log=False, log_level="WARNING")


@pytest.fixture
async def owner(jobs_settings: Settings) -> AsyncIterator[AsyncEngine]:
    assert jobs_settings.database_url
    engine = create_engine(jobs_settings.database_url, jobs_settings)
    yield engine
    await engine.dispose()


@pytest.fixture
async def http(jobs_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(jobs_settings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await app.state.db.dispose()


@asynccontextmanager
async def committed_world(settings: Settings, engine: AsyncEngine) -> AsyncIterator[World]:
    async with engine.connect() as connection, connection.begin():
        yield World(connection, create_app(settings))


async def run_jobs(settings: Settings) -> None:
    """A worker, as `kinerja worker` runs it, until no job waits."""
    assert settings.database_url
    await jobs.run_worker(
        settings.database_url, settings, [*TASK_MODULES, *EXPORT_LIST_MODULES], until_idle=True
    )


async def _export(http: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await http.post(EXPORTS, json={"list": "employees", **body}, headers=headers)
    assert response.status_code == 202, response.text
    export: dict[str, Any] = response.json()
    return export


async def _read(http: httpx.AsyncClient, headers: dict[str, str], export: Any) -> Any:
    return (await http.get(f"{EXPORTS}/{export['id']}", headers=headers)).json()


async def test_a_worker_writes_the_csv_the_list_answers(
    http: httpx.AsyncClient,
    owner: AsyncEngine,
    jobs_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with committed_world(jobs_settings, owner) as world:
        region, foreign = await world.region(), await world.region()
        top = await world.agency(region)
        sub = await world.agency(region, parent=top)
        boss = await world.employee(region, top, name="=Kepala Dinas")
        for n in range(7):
            await world.employee(region, sub, supervisor=boss, name=f"Pegawai {n:02d}")
        await world.employee(foreign, await world.agency(foreign))
        admin = world.auth(await world.user(region, Role.REGION_ADMIN))
        agency_admin = world.auth(await world.user(region, Role.AGENCY_ADMIN, agency=sub))
        account = world.auth(await world.service_account(region, "exports:read", "org:read"))
        period = await world.period(region)
        await world.plan(period, boss)

    # small chunks, so that the file is many pieces put back together in order
    monkeypatch.setattr(runner, "CHUNK_BYTES", 300)
    asked = [
        (admin, {"sort": "updated_at"}),
        (agency_admin, {"separator": "semicolon"}),
        (account, {"filters": {"under": str(sub.id), "active": True}}),
        (admin, {"list": "plans"}),
    ]
    exports = [await _export(http, headers, **body) for headers, body in asked]
    await run_jobs(jobs_settings)

    for (headers, body), export in zip(asked, exports, strict=True):
        done = await _read(http, headers, export)
        assert done["status"] == "ready", done
        assert done["file_url"] == f"{EXPORTS}/{export['id']}/file"
        file = await http.get(done["file_url"], headers=headers)
        assert file.status_code == 200
        assert file.headers["content-type"] == "text/csv; charset=utf-8"
        assert file.headers["content-disposition"] == f'attachment; filename="{done["file_name"]}"'
        assert int(file.headers["content-length"]) == done["byte_count"] == len(file.content)
        params: dict[str, Any] = {**body.get("filters", {})}
        if "sort" in body:
            params["sort"] = body["sort"]
        if "separator" in body:
            params["csv_separator"] = body["separator"]
        listed = await http.get(
            f"/api/v1/{body.get('list', 'employees')}", params=params, headers={**headers, **CSV}
        )
        assert file.content == listed.content
        assert done["row_count"] == listed.text.count("\r\n") - 1
    assert (await _read(http, admin, exports[0]))["row_count"] == 8
    assert (await _read(http, agency_admin, exports[1]))["row_count"] == 7
    assert (
        "'=Kepala Dinas"
        in (await http.get(f"{EXPORTS}/{exports[0]['id']}/file", headers=admin)).text
    )


async def test_a_job_run_again_starts_over_or_leaves_a_finished_export_alone(
    http: httpx.AsyncClient, owner: AsyncEngine, jobs_settings: Settings
) -> None:
    async with committed_world(jobs_settings, owner) as world:
        region = await world.region()
        agency = await world.agency(region)
        for _ in range(3):
            await world.employee(region, agency)
        admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    export = await _export(http, admin)
    await run_jobs(jobs_settings)
    path = f"{EXPORTS}/{export['id']}/file"
    first = (await http.get(path, headers=admin)).content

    db = Database(str(jobs_settings.database_url), jobs_settings)
    try:
        # delivered again after it finished: nothing changes
        await runner.run(db, jobs_settings, uuid.UUID(export["id"]), region.id)
        assert (await http.get(path, headers=admin)).content == first
        # a worker died while writing: its status and a stray piece are left behind
        async with owner.begin() as connection:
            await connection.execute(
                text("update exports set status = 'running' where id = :id"), {"id": export["id"]}
            )
            await connection.execute(
                text(
                    "insert into export_chunks (region_id, export_id, seq, data) "
                    "values (:r, :e, 99, 'stray')"
                ),
                {"r": region.id, "e": export["id"]},
            )
        await runner.run(db, jobs_settings, uuid.UUID(export["id"]), region.id)
    finally:
        await db.dispose()
    again = await _read(http, admin, export)
    assert again["status"] == "ready"
    assert (await http.get(path, headers=admin)).content == first


async def test_the_askers_rights_when_the_job_runs_decide(
    http: httpx.AsyncClient, owner: AsyncEngine, jobs_settings: Settings
) -> None:
    async with committed_world(jobs_settings, owner) as world:
        region = await world.region()
        await world.employee(region, await world.agency(region))
        user = await world.user(region, Role.REGION_ADMIN)
        admin = world.auth(user)
    export = await _export(http, admin)
    async with owner.begin() as connection:
        await connection.execute(update(User).where(User.id == user.id).values(active=False))
    await run_jobs(jobs_settings)
    async with owner.begin() as connection:
        await connection.execute(update(User).where(User.id == user.id).values(active=True))
    failed = await _read(http, {**admin, "Accept-Language": "en"}, export)
    assert failed["status"] == "failed"
    assert failed["failure"]["type"].endswith("/forbidden")
    assert "no longer active" in failed["failure"]["detail"]
    refused = await http.get(f"{EXPORTS}/{export['id']}/file", headers=admin)
    assert refused.status_code == 409
    assert refused.json()["export_status"] == "failed"


async def test_files_past_their_retention_expire(
    http: httpx.AsyncClient, owner: AsyncEngine, jobs_settings: Settings
) -> None:
    async with committed_world(jobs_settings, owner) as world:
        region = await world.region()
        await world.employee(region, await world.agency(region))
        admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    old, fresh = await _export(http, admin), await _export(http, admin)
    await run_jobs(jobs_settings)
    async with owner.begin() as connection:
        await connection.execute(
            text("update exports set expires_at = now() - interval '1 minute' where id = :id"),
            {"id": old["id"]},
        )
    db = Database(str(jobs_settings.database_url), jobs_settings)
    try:
        assert await expire_files(db.transaction) == 1
        assert await expire_files(db.transaction) == 0
    finally:
        await db.dispose()
    assert (await _read(http, admin, old))["status"] == "expired"
    assert (await _read(http, admin, fresh))["status"] == "ready"
    gone = await http.get(f"{EXPORTS}/{old['id']}/file", headers=admin)
    assert (gone.status_code, gone.json()["export_status"]) == (409, "expired")
    async with owner.connect() as connection:
        left = await connection.scalar(
            text("select count(*) from export_chunks where export_id = :id"), {"id": old["id"]}
        )
    assert left == 0
    assert (await http.get(f"{EXPORTS}/{fresh['id']}/file", headers=admin)).status_code == 200
