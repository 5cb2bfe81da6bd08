"""Where a hot request's time goes: runs one scenario's requests one after another through the
app in this process (no HTTP server, no wrk), and prints the mean time per request and, with
--profile, cProfile's heaviest functions. Sequential requests measure a request's own cost
(its Python and its round trips) without the queueing of a load test.

    KINERJA_DATABASE_URL=postgresql://... .venv/bin/python bench/profile_requests.py \\
        --scenario plans-list [--requests 300] [--profile] [--statements]

It migrates and seeds a database `kinerja_profile` on KINERJA_DATABASE_URL's server (the same
data as `bench/run.py`'s scenarios).
"""

import argparse
import asyncio
import cProfile
import gc
import logging
import os
import pstats
import sys
import time
import urllib.parse
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import plans_data
import stream_bench
import training_data
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

from kinerja_api.config import Settings
from kinerja_api.dbadmin import ensure_database, migrate
from kinerja_api.main import GC_THRESHOLDS, create_app

Request = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]


async def _token(http: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    form = {"grant_type": "password", "username": email, "password": password}
    response = await http.post("/api/v1/auth/token", data=form)
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def _plans_list(http: httpx.AsyncClient, url: str) -> Request:
    data = await asyncio.to_thread(plans_data.list_data, url)
    headers = await _token(http, data.admin_email, plans_data.PASSWORD)
    query = urllib.parse.urlencode(
        {"agency_id": data.agency_id, "period_id": data.period_id, "status": "submitted"}
    )

    async def request(http: httpx.AsyncClient, _n: int) -> httpx.Response:
        return await http.get(f"/api/v1/plans?{query}&limit=50", headers=headers)

    return request


async def _plans_approve(http: httpx.AsyncClient, url: str) -> Request:
    data = await asyncio.to_thread(plans_data.approve_data, url, 2)
    headers = {**await _token(http, data.approver_email, plans_data.PASSWORD), "If-Match": "*"}

    async def request(http: httpx.AsyncClient, n: int) -> httpx.Response:
        return await http.post(f"/api/v1/plans/{data.plan_ids[n]}/approve", headers=headers)

    return request


async def _progress_create(http: httpx.AsyncClient, url: str) -> Request:
    team = await asyncio.to_thread(stream_bench.seed_team, url)
    headers = await _token(http, team.staff_email, team.password)
    body = stream_bench.report_body(team)
    prefix = uuid.uuid4().hex

    async def request(http: httpx.AsyncClient, n: int) -> httpx.Response:
        keyed = {**headers, "Idempotency-Key": f"{prefix}-{n}"}
        return await http.post("/api/v1/progress-reports", json=body, headers=keyed)

    return request


async def _training_enroll(http: httpx.AsyncClient, url: str) -> Request:
    data = await asyncio.to_thread(training_data.enroll_data, url, ["profile"], 4)
    headers = await _token(http, data.admin_email, training_data.PASSWORD)
    sessions = data.session_ids["profile"]
    people = data.employee_ids

    async def request(http: httpx.AsyncClient, n: int) -> httpx.Response:
        session_id = sessions[n // len(people) % len(sessions)]
        body = {"employee_id": str(people[n % len(people)])}
        url = f"/api/v1/training-sessions/{session_id}/enrollments"
        return await http.post(url, json=body, headers=headers)

    return request


def _time_statements(engine: Engine) -> dict[str, list[float]]:
    """Wall time of each statement sent (from the cursor's execute to its return, so including
    the round trip), by the statement's first words."""
    timings: dict[str, list[float]] = defaultdict(list)

    @event.listens_for(engine, "before_cursor_execute")
    def started(conn: Any, _cursor: Any, _statement: str, *_args: Any) -> None:
        conn.info["statement_started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def finished(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        elapsed = time.perf_counter() - conn.info.pop("statement_started")
        timings[" ".join(statement.split())[:90]].append(elapsed)

    return timings


SCENARIOS = {
    "plans-list": _plans_list,
    "plans-approve": _plans_approve,
    "progress-create": _progress_create,
    "training-enroll": _training_enroll,
}


async def run(args: argparse.Namespace) -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    server = os.environ["KINERJA_DATABASE_URL"]
    url = make_url(server).set(database="kinerja_profile").render_as_string(hide_password=False)
    await ensure_database(url)
    await asyncio.to_thread(migrate, url)
    app = create_app(Settings(env="test", database_url=url, access_log=False))
    timings = _time_statements(app.state.db.engine.sync_engine) if args.statements else None
    # The collector as the server's lifespan sets it (the transport runs no lifespan).
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        request = await SCENARIOS[args.scenario](http, url)
        for n in range(args.warmup):
            (await request(http, n)).raise_for_status()
        if timings is not None:
            timings.clear()
        profiler = cProfile.Profile() if args.profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        for n in range(args.warmup, args.warmup + args.requests):
            (await request(http, n)).raise_for_status()
        if profiler:
            profiler.disable()
        elapsed = time.perf_counter() - started
    await app.state.db.dispose()
    print(
        f"{args.scenario}: {args.requests} requests, {elapsed / args.requests * 1000:.2f} ms each"
    )
    if timings is not None:
        print(
            "statements per request through SQLAlchemy (not those sent straight to the driver):"
            f" {sum(map(len, timings.values())) / args.requests:g}"
        )
        for text, durations in sorted(timings.items(), key=lambda item: -sum(item[1])):
            mean = sum(durations) / len(durations) * 1000
            print(f"  {len(durations) / args.requests:4g} x {mean:6.2f} ms  {text}")
    if profiler:
        by_package(pstats.Stats(profiler), args.requests)
        stats = pstats.Stats(profiler).strip_dirs().sort_stats(args.sort)
        stats.print_stats(args.top)


def by_package(stats: pstats.Stats, requests: int) -> None:
    """Own time per request by package: where the CPU goes, framework or service."""
    totals: dict[str, float] = defaultdict(float)
    for (filename, _line, _name), (_cc, _nc, own, _cum, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        parts = Path(filename).parts
        if "site-packages" in parts:
            package = parts[parts.index("site-packages") + 1]
        elif "kinerja_api" in parts:
            package = "kinerja_api"
        elif filename.startswith("~") or filename.startswith("<"):
            package = "builtins"
        else:
            package = "stdlib"
        totals[package] += own
    print("own time per request by package:")
    for package, seconds in sorted(totals.items(), key=lambda item: -item[1])[:12]:
        print(f"  {seconds / requests * 1000:7.2f} ms  {package}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), required=True)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--statements", action="store_true", help="time each statement (round trip included)"
    )
    parser.add_argument("--sort", default="cumulative", help="pstats sort key")
    parser.add_argument("--top", type=int, default=40)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
