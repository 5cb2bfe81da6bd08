"""`kinerja import` and `kinerja export` against a real server and a real worker, as an
integrator runs them: a service account's credentials from the environment, a file uploaded
and followed to its end, the refused rows written as CSV, a list exported as the API serves it."""

import asyncio
import csv
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from kinerja_api.cli import app
from kinerja_api.config import Settings
from kinerja_api.db import create_engine
from kinerja_api.main import create_app
from tests.conftest import fresh_database_url
from tests.factories import World
from tests.factories.org import PASSWORD
from tests.servers import migrated_database, running_servers, start_worker

HEADER = "nip;name;employment_type;position;agency_code;supervisor_nip;grade\n"
GOOD = "199105232015031004;Ahmad Fauzi, S.Kep.;pns;Perawat Ahli Muda;{agency};;III/c\n"
ALSO_GOOD = "199607112019032015;Nurul Hidayah, A.Md.Keb.;pns;Bidan Terampil;{agency};;II/d\n"
FORMULA = '199312062015032009;=HYPERLINK("x");pns;Bidan;{agency};;II/d\n'


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with migrated_database(fresh_database_url("kinerja_cli")) as url:
        yield url


@pytest.fixture(scope="module")
def server(database: str) -> Iterator[str]:
    worker = start_worker(database)
    try:
        with running_servers(database, count=1) as (base,):
            yield base
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


@pytest.fixture
async def owner(database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database, Settings(env="test", database_url=database))
    yield engine
    await engine.dispose()


@asynccontextmanager
async def committed_world(database: str, engine: AsyncEngine) -> AsyncIterator[World]:
    application = create_app(Settings(env="test", database_url=database))
    async with engine.connect() as connection, connection.begin():
        yield World(connection, application)


def _run(args: list[str], env: dict[str, str]) -> "tuple[int, str]":
    result = CliRunner().invoke(app, args, env=env)
    return result.exit_code, result.output


async def test_an_integrator_imports_a_file_and_exports_the_list(
    server: str, database: str, owner: AsyncEngine, tmp_path: Path
) -> None:
    async with committed_world(database, owner) as world:
        region = await world.region()
        agency = await world.agency(region)
        account = await world.service_account(
            region, "imports:write", "exports:read", "org:read", secret=PASSWORD
        )
    env = {
        "KINERJA_SERVER": server,
        "KINERJA_CLIENT_ID": account.client_id,
        "KINERJA_CLIENT_SECRET": PASSWORD,
    }
    upload = tmp_path / "pegawai.csv"
    rows = (GOOD, ALSO_GOOD, FORMULA)
    upload.write_text(HEADER + "".join(r.format(agency=agency.code) for r in rows), "utf-8")
    refused = tmp_path / "ditolak.csv"

    code, output = await asyncio.to_thread(
        _run, ["import", str(upload), "--kind", "employees", "--errors", str(refused)], env
    )
    assert code == 1, output  # one row refused
    assert "succeeded" in output
    with refused.open(encoding="utf-8-sig", newline="") as file:
        (error,) = list(csv.DictReader(file))
    assert (error["row"], error["field"]) == ("3", "name")
    assert error["value"].startswith("'=")  # echoed, but never run by a spreadsheet

    again, output = await asyncio.to_thread(
        _run, ["import", str(upload), "--kind", "employees", "--errors", str(refused)], env
    )
    assert again == 1, output
    assert "unchanged" in output

    exported = tmp_path / "pegawai-ekspor.csv"
    code, output = await asyncio.to_thread(
        _run, ["export", "employees", "--output", str(exported), "--filter", "active=true"], env
    )
    assert code == 0, output
    async with httpx.AsyncClient(base_url=server) as http:
        token = (
            await http.post(
                "/api/v1/auth/token",
                data={"grant_type": "client_credentials"},
                auth=(account.client_id, PASSWORD),
            )
        ).json()["access_token"]
        listed = await http.get(
            "/api/v1/employees",
            params={"active": "true"},
            headers={"Authorization": f"Bearer {token}", "Accept": "text/csv"},
        )
    assert exported.read_bytes() == listed.content
    names = [row["name"] for row in csv.DictReader(exported.read_text("utf-8-sig").splitlines())]
    assert sorted(names) == ["Ahmad Fauzi, S.Kep.", "Nurul Hidayah, A.Md.Keb."]


def test_bad_credentials_are_told_not_traced(server: str) -> None:
    env = {"KINERJA_SERVER": server, "KINERJA_CLIENT_ID": "x", "KINERJA_CLIENT_SECRET": "y"}
    code, output = _run(["export", "employees", "--output", "/dev/null"], env)
    assert code == 1
    assert "401" in output
    assert "Traceback" not in output
