"""A 1,000,000-row employees file through the API and a worker, beside a raw COPY of the same file.

`import_1m` writes a CSV of `rows` employees (`;`-separated; a hundredth are heads listed first,
the rest their staff) under bench/results/, seeds a region with its agencies and administrator,
then times three things on the same database in the same run:

- a raw COPY of the file into a bare table of text columns (no index, no constraint, no RLS), the
  floor of getting those bytes into PostgreSQL;
- the same rows inserted into `employees` of the region (heads, then staff with supervisors
  resolved; rolled back): the table's indexes, constraints and foreign keys, none of the
  import's checks, the floor of writing those rows where they belong;
- the import: the file uploaded to a `kinerja_api` server process (`POST /api/v1/imports`,
  streamed), and processed by a `kinerja worker` process until the import has succeeded.

Figures: the three times and the import's ratio to each (the issue's goal: within 3x the raw
COPY; the table's own upkeep alone is 25-40x that on this machine), the upload's own
time, and the peak resident memory (VmHWM in /proc/<pid>/status) of the API process and of the
worker (goal: each under 300 MB). Used by bench/run.py (scenario `import-1m`); also runnable on
its own:

    .venv/bin/python bench/imports_bench.py --database-url postgresql://... [--rows 1000000]
"""

import argparse
import asyncio
import os
import secrets
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy import insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from kinerja_api.auth.passwords import hash_secret
from kinerja_api.db import async_url
from kinerja_api.models.org import Agency, Region, User

ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = ROOT / "bench" / "results"
VENV_BIN = Path(sys.executable).parent
AGENCIES = 20
HEADS_EVERY = 100
PASSWORD = secrets.token_urlsafe(16)
DEADLINE_SECONDS = 3600.0
COLUMNS = "nip;name;employment_type;position;agency_code;supervisor_nip;grade"


def _nip(n: int, appointed: str) -> str:
    """A valid PNS NIP per `n`: a birth date per thousand, a serial within it, and the run's
    appointment month (so that a run's NIPs are not those of an earlier run on the database)."""
    born = date(1970, 1, 1) + timedelta(days=n // 1000)
    return f"{born:%Y%m%d}{appointed}1{n % 1000:03d}"


def write_file(path: Path, rows: int) -> None:
    heads = rows // HEADS_EVERY
    appointed = f"{2000 + secrets.randbelow(20)}{1 + secrets.randbelow(12):02d}"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(COLUMNS + "\r\n")
        for n in range(rows):
            agency = f"dinas-{n % AGENCIES}"
            supervisor = "" if n < heads else _nip(n % heads, appointed)
            position = "Kepala Bidang" if n < heads else "Analis"
            nip = _nip(n, appointed)
            out.write(f"{nip};Pegawai Nomor {n};pns;{position};{agency};{supervisor};III/a\r\n")


async def _seed(database_url: str) -> tuple[str, str]:
    """A region with its agencies and an administrator; answers the administrator's e-mail and
    the region's code."""
    engine = create_async_engine(async_url(database_url))
    tag = secrets.token_hex(4)
    email = f"admin-{tag}@import.bench"
    async with engine.begin() as connection:
        region_id = await connection.scalar(
            insert(Region)
            .values(code=f"import-{tag}", name="Impor", kind="kabupaten", timezone="Asia/Jakarta")
            .returning(Region.id)
        )
        rows = []
        for n in range(AGENCIES):
            agency_id = uuid.uuid4()
            rows.append(
                {
                    "id": agency_id,
                    "region_id": region_id,
                    "code": f"dinas-{n}",
                    "name": f"Dinas {n}",
                    "kind": "dinas",
                    "path": f"/{agency_id}/",
                }
            )
        await connection.execute(insert(Agency), rows)
        await connection.execute(
            insert(User).values(
                region_id=region_id,
                email=email,
                full_name="Admin Impor",
                password_hash=hash_secret(PASSWORD),
                roles=["region_admin"],
            )
        )
    await engine.dispose()
    return email, f"import-{tag}"


async def _raw_copy(database_url: str, path: Path) -> float:
    """Seconds to COPY the file into a bare table of text columns (dropped afterwards)."""
    url = make_url(database_url).set(drivername="postgresql").render_as_string(False)
    connection = await asyncpg.connect(url)
    table = f"bench_raw_copy_{secrets.token_hex(4)}"
    try:
        columns = ", ".join(f"{name} text" for name in COLUMNS.split(";"))
        await connection.execute(f"create table {table} ({columns})")
        started = time.perf_counter()
        await connection.copy_to_table(
            table, source=str(path), format="csv", header=True, delimiter=";"
        )
        return time.perf_counter() - started
    finally:
        await connection.execute(f"drop table if exists {table}")
        await connection.close()


_CONSTRAINED_INSERT = """
insert into employees as e
       (region_id, agency_id, supervisor_id, nip, employment_type, name, position, grade)
select $1, a.id, s.id, r.nip, r.employment_type, r.name, r.position, r.grade
  from {table} r
  join agencies a on a.region_id = $1 and a.code = r.agency_code
  left join employees s on s.nip = r.supervisor_nip
 where (r.supervisor_nip is null) = $2
"""


async def _constrained_insert(database_url: str, path: Path, region_code: str) -> float:
    """Seconds to COPY the file into a bare table and write its rows into `employees` of the
    seeded region in two statements (heads, then their staff with supervisors resolved): the
    real table's indexes, constraints and foreign keys, none of the import's checks. Rolled
    back, so that the import then writes the same NIPs."""
    url = make_url(database_url).set(drivername="postgresql").render_as_string(False)
    connection = await asyncpg.connect(url)
    table = f"bench_constrained_{secrets.token_hex(4)}"
    transaction = connection.transaction()
    await transaction.start()
    try:
        region_id = await connection.fetchval("select id from regions where code = $1", region_code)
        columns = ", ".join(f"{name} text" for name in COLUMNS.split(";"))
        await connection.execute(f"create temporary table {table} ({columns})")
        started = time.perf_counter()
        await connection.copy_to_table(
            table, source=str(path), format="csv", header=True, delimiter=";"
        )
        for heads in (True, False):
            await connection.execute(_CONSTRAINED_INSERT.format(table=table), region_id, heads)
        return time.perf_counter() - started
    finally:
        await transaction.rollback()
        await connection.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@contextmanager
def _process(command: list[str], env: Mapping[str, str], log: Path) -> Iterator[int]:
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            yield process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _environment(database_url: str) -> dict[str, str]:
    return {
        "KINERJA_ENV": "development",
        "KINERJA_DATABASE_URL": database_url,
        "KINERJA_ACCESS_LOG": "false",
        "KINERJA_LOG_LEVEL": "WARNING",
    }


def _until_ready(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/health/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{base} not ready")


def _import(base: str, email: str, path: Path) -> tuple[float, float, dict[str, object]]:
    """Seconds to upload the file, seconds until the import succeeded, the import."""
    token = httpx.post(
        base + "/api/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": PASSWORD},
        timeout=30,
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "text/csv"}
    started = time.perf_counter()
    with path.open("rb") as file:
        accepted = httpx.post(
            base + "/api/v1/imports?kind=employees",
            content=file,
            headers=headers,
            timeout=DEADLINE_SECONDS,
        )
    uploaded = time.perf_counter() - started
    if accepted.status_code != 202:
        raise RuntimeError(f"upload answered {accepted.status_code}: {accepted.text}")
    location = base + accepted.headers["Location"]
    while time.perf_counter() - started < DEADLINE_SECONDS:
        found: dict[str, object] = httpx.get(location, headers=headers, timeout=30).json()
        if found["status"] not in ("queued", "running"):
            return uploaded, time.perf_counter() - started, found
        time.sleep(0.5)
    raise RuntimeError("the import did not end in time")


def import_1m(database_url: str, rows: int = 1_000_000) -> Mapping[str, float]:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"import-{rows}.csv"
    write_file(path, rows)
    email, region_code = asyncio.run(_seed(database_url))
    raw_copy = asyncio.run(_raw_copy(database_url, path))
    constrained = asyncio.run(_constrained_insert(database_url, path, region_code))
    port = _free_port()
    api = [
        str(VENV_BIN / "uvicorn"), "kinerja_api.main:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--loop", "uvloop", "--http", "httptools",
        "--no-access-log",
    ]  # fmt: skip
    worker = [sys.executable, "-m", "kinerja_api.cli", "worker", "--no-migrate"]
    env = _environment(database_url)
    with (
        _process(api, env, RESULTS_DIR / "import-api.log") as api_pid,
        _process(worker, env, RESULTS_DIR / "import-worker.log") as worker_pid,
    ):
        base = f"http://127.0.0.1:{port}"
        _until_ready(base)
        uploaded, total, found = _import(base, email, path)
        api_rss, worker_rss = peak_rss_mb(api_pid), peak_rss_mb(worker_pid)
    counts = found["counts"]
    assert isinstance(counts, dict)
    if found["status"] != "succeeded" or counts["created"] != rows:
        raise RuntimeError(f"the import ended {found['status']} with {counts}")
    return {
        "rows": float(rows),
        "file_mb": path.stat().st_size / 1e6,
        "raw_copy_s": raw_copy,
        "upload_s": uploaded,
        "import_s": total,
        "ratio_to_raw_copy": total / raw_copy,
        "constrained_insert_s": constrained,
        "ratio_to_constrained_insert": total / constrained,
        "api_peak_rss_mb": api_rss,
        "worker_peak_rss_mb": worker_rss,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a migrated database")
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    figures = import_1m(args.database_url, args.rows)
    print(", ".join(f"{key} {value:,.2f}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
