"""Load benchmarks: the service, run as in production, against a bare asyncpg baseline.

`make bench` runs this. It prints figures and never fails on them. It uses the PostgreSQL server
named by KINERJA_DATABASE_URL when set, else an embedded one under .data/bench-pg; migrates a
database `kinerja_bench` there; starts the service and the baseline (bench/baseline_app.py) with
the same uvicorn options; and loads each scenario's targets with wrk, alternating targets round
by round. Server logs and a JSON copy of the results go to bench/results/ (not committed).

Adding a benchmark means adding a `Scenario` to SCENARIOS: a path (and optionally a wrk Lua
script for methods, bodies or varying URLs), which servers to load, and a `prepare` hook that
seeds data or obtains a token and returns the headers / script environment the requests need.

    .venv/bin/python bench/run.py [--rounds 3] [--duration 10] [--connections 50]
                                  [--threads 2] [--workers 2] [--pool-size 20]
                                  [--scenario NAME ...]
"""

import argparse
import asyncio
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "bench"
RESULTS_DIR = BENCH_DIR / "results"
VENV_BIN = Path(sys.executable).parent
DATABASE_NAME = "kinerja_bench"
READY_TIMEOUT_SECONDS = 60.0

# --- what is measured -----------------------------------------------------------------------


@dataclass(frozen=True)
class ServerSpec:
    """A server process to load: a uvicorn application started with the shared options."""

    name: str
    app: str
    factory: bool = False
    app_dir: Path | None = None
    ready_path: str = "/health/ready"
    env: Callable[["BenchContext"], Mapping[str, str]] = lambda _context: {}


@dataclass(frozen=True)
class Prepared:
    """What a scenario's requests need, produced by its `prepare` hook: extra request headers,
    and environment variables for its wrk Lua script (read there with os.getenv)."""

    headers: Mapping[str, str] = field(default_factory=dict)
    script_env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    """One benchmark: wrk loads `path` (or what `script` requests) on each of `targets`."""

    name: str
    path: str
    description: str
    targets: tuple[str, ...] = ("service", "baseline")
    # Requests/s of each target is also given as a ratio to this target's, when both ran.
    ratio_to: str | None = "baseline"
    # A wrk Lua script under bench/, for methods, bodies and per-request variation.
    script: str | None = None
    # wrk's open connections for this scenario; None: the run's --connections.
    connections: int | None = None
    # Runs once, after the servers are up: seed data, obtain tokens; returns what requests need.
    prepare: Callable[["BenchContext"], Prepared] | None = None
    # A scenario that wrk cannot measure (e.g. streams) measures itself instead: it gets the
    # running servers and returns named figures, printed as they are.
    custom: Callable[["BenchContext"], Mapping[str, float]] | None = None
    # Runs once after a wrk scenario's rounds: named figures of what the load left behind
    # (e.g. invariants it must not have broken), printed under the scenario's table.
    verify: Callable[["BenchContext"], Mapping[str, float]] | None = None


def _pool_env(context: "BenchContext") -> Mapping[str, str]:
    # Both servers keep the same fixed pool per worker and open no connection on demand: an
    # overflow connection opened under load and closed on release would measure connection
    # set-up, not request handling. Requests beyond the pool wait for a connection.
    return {"KINERJA_DB_POOL_SIZE": str(context.pool_size), "KINERJA_DB_MAX_OVERFLOW": "0"}


def _service_env(context: "BenchContext") -> Mapping[str, str]:
    return {
        **_pool_env(context),
        "KINERJA_ENV": "production",
        "KINERJA_DATABASE_URL": context.database_url,
        "KINERJA_JWT_KEYS": json.dumps({"bench-1": secrets.token_urlsafe(48)}),
        "KINERJA_JWT_ACTIVE_KID": "bench-1",
        "KINERJA_CURSOR_SECRET": secrets.token_urlsafe(48),
        "KINERJA_WEBHOOK_SECRET_KEY": secrets.token_urlsafe(48),
        "KINERJA_ACCESS_LOG": "false",
        # Several workers need Prometheus' multiprocess mode, as in the container image.
        "PROMETHEUS_MULTIPROC_DIR": str(context.prometheus_dir),
    }


def _baseline_env(context: "BenchContext") -> Mapping[str, str]:
    return {**_pool_env(context), "KINERJA_DATABASE_URL": context.database_url}


SERVERS: dict[str, ServerSpec] = {
    "service": ServerSpec("service", "kinerja_api.main:create_app", factory=True, env=_service_env),
    "baseline": ServerSpec("baseline", "baseline_app:app", app_dir=BENCH_DIR, env=_baseline_env),
}


def _prepare_progress_create(context: "BenchContext") -> Prepared:
    from stream_bench import login, seed_team

    team = seed_team(context.database_url)
    token = login(context.base_urls["service"], team.staff_email, team.password)
    return Prepared(
        headers={
            "Authorization": f"Bearer {token}",
            # The baseline has no authentication: the reporter is named by these headers.
            "X-Bench-Region": team.region_id,
            "X-Bench-Actor": team.staff_user_id,
        },
        script_env={
            "BENCH_INDICATOR_ID": team.indicator_id,
            "BENCH_REPORTED_FOR": team.reported_for,
        },
    )


def _stream_latency(context: "BenchContext") -> Mapping[str, float]:
    from stream_bench import seed_team, stream_latency

    team = seed_team(context.database_url)
    return stream_latency(context.base_urls["service"], team, subscribers=500, posts=40)


def _stream_fan_out(context: "BenchContext") -> Mapping[str, float]:
    from stream_bench import seed_team, stream_latency

    team = seed_team(context.database_url)
    return stream_latency(
        context.base_urls["service"], team, subscribers=5000, posts=20, interval=0.5
    )


# Progress reports by four employees at once: all in one region, or one in each of four regions.
REGION_TEAMS = 4


def _region_teams_env(context: "BenchContext", regions: int) -> Prepared:
    from stream_bench import login, seed_teams

    teams = seed_teams(context.database_url, REGION_TEAMS, regions=regions)
    tokens = [login(context.base_urls["service"], t.staff_email, t.password) for t in teams]
    pairs = ";".join(f"{token}|{t.indicator_id}" for token, t in zip(tokens, teams, strict=True))
    return Prepared(script_env={"BENCH_TEAMS": pairs, "BENCH_REPORTED_FOR": teams[0].reported_for})


def _region_writers(context: "BenchContext") -> Mapping[str, float]:
    """Loads the service alternately with four writers of one region and four writers of four
    regions, round by round; writers of different regions should not wait for each other."""
    from waits import Waits, WaitSampler

    args = parse_args(sys.argv[1:])
    scenario = next(s for s in SCENARIOS if s.name == "progress-regions")
    wrk = ensure_wrk()
    variants = {"one_region": 1, "four_regions": REGION_TEAMS}
    prepared = {name: _region_teams_env(context, regions) for name, regions in variants.items()}

    def load(name: str, duration: float) -> WrkResult:
        return run_wrk(
            wrk,
            context.base_urls["service"] + scenario.path,
            threads=args.threads,
            connections=args.connections,
            duration=duration,
            scenario=scenario,
            prepared=prepared[name],
        )

    for name in variants:
        log(f"{scenario.name}: warming up {name} for {args.warmup:g}s")
        load(name, args.warmup)
    rounds: dict[str, list[WrkResult]] = {name: [] for name in variants}
    waited_by: dict[str, list[Waits]] = {name: [] for name in variants}
    dsn = make_url(context.database_url).set(drivername="postgresql")
    for round_number in range(args.rounds):
        order = list(variants) if round_number % 2 == 0 else list(variants)[::-1]
        for name in order:
            with WaitSampler(dsn.render_as_string(hide_password=False)) as waited:
                result = load(name, args.duration)
            rounds[name].append(result)
            waited_by[name].append(waited)
            log(
                f"{scenario.name} round {round_number + 1}/{args.rounds} {name}: "
                f"{result.requests_per_second:,.0f} req/s, p50 {result.p50_ms:.2f} ms, "
                f"non-2xx {result.non_2xx}, CPUs busy {waited.cpu_busy:.0%}, "
                f"busy sessions waiting for a lock {waited.lock_wait_share:.1%}"
                f" (on: {', '.join(f'{lock} {n}' for lock, n in waited.on.most_common(3))})"
            )
    figures: dict[str, float] = {}
    for name, results in rounds.items():
        figures[f"{name}_req_s"] = statistics.median(r.requests_per_second for r in results)
        figures[f"{name}_p50_ms"] = statistics.median(r.p50_ms for r in results)
        figures[f"{name}_non_2xx"] = float(sum(r.non_2xx + r.socket_errors for r in results))
        # Why four regions cannot be much faster than one on a small machine: one region's
        # writers already keep the CPUs busy, and none of them waits for another's lock.
        figures[f"{name}_cpu_busy_pct"] = (
            statistics.median(w.cpu_busy for w in waited_by[name]) * 100
        )
        figures[f"{name}_lock_wait_pct"] = (
            statistics.median(w.lock_wait_share for w in waited_by[name]) * 100
        )
    figures["ratio_four_regions_to_one"] = (
        figures["four_regions_req_s"] / figures["one_region_req_s"]
    )
    return figures


SCENARIOS: list[Scenario] = [
    Scenario(
        "health-ready",
        "/health/ready",
        "one database round trip (select version_num from alembic_version) and a small JSON body",
    ),
    Scenario(
        "progress-create",
        "/api/v1/progress-reports",
        "POST a progress report with a unique Idempotency-Key: access checks, insert, audit, "
        "outbox event and idempotency record in one transaction",
        script="progress_create.lua",
        prepare=_prepare_progress_create,
    ),
    Scenario(
        "stream-latency",
        "/api/v1/progress/stream",
        "500 concurrent SSE subscribers; 40 reports posted one by one; latency from each POST's "
        "response to the event's arrival at each subscriber",
        targets=("service",),
        ratio_to=None,
        custom=_stream_latency,
    ),
    Scenario(
        "stream-5000",
        "/api/v1/progress/stream",
        "5,000 concurrent SSE subscribers spread over the service's two workers; 20 reports "
        "posted half a second apart; latency from each POST's response to the event's arrival "
        "at each subscriber (goal: every event delivered, p99 under 250 ms)",
        targets=("service",),
        ratio_to=None,
        custom=_stream_fan_out,
    ),
    Scenario(
        "progress-regions",
        "/api/v1/progress-reports",
        f"{REGION_TEAMS} employees POST progress reports concurrently, all of one region vs one "
        f"in each of {REGION_TEAMS} regions (medians of the rounds, wrk options as above); the "
        "ratio is four regions' req/s to one region's",
        targets=("service",),
        ratio_to=None,
        script="progress_regions.lua",
        custom=_region_writers,
    ),
]

# --- plans (issue 4) ------------------------------------------------------------------------

# Approval pool: 1,000 employees x 80 periods of submitted plans, split between the targets.
APPROVE_PERIODS = 80


def _password_token(context: "BenchContext", email: str, password: str) -> str:
    form = urllib.parse.urlencode(
        {"grant_type": "password", "username": email, "password": password}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - loopback
        context.base_urls["service"] + "/api/v1/auth/token", data=form, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        token: str = json.load(response)["access_token"]
        return token


def _prepare_plans_list(context: "BenchContext") -> Prepared:
    import plans_data

    log("plans-list: writing 2,000 employees' plans (first run only)")
    data = plans_data.list_data(context.database_url)
    token = _password_token(context, data.admin_email, plans_data.PASSWORD)
    query = urllib.parse.urlencode(
        {
            "agency_id": data.agency_id,
            "period_id": data.period_id,
            "status": "submitted",
            "limit": 50,
        }
    )
    return Prepared(
        # The baseline has no authentication: it reads the caller's region from X-Bench-Region.
        headers={"Authorization": f"Bearer {token}", "X-Bench-Region": str(data.region_id)},
        script_env={"PLANS_LIST_PATH": f"/api/v1/plans?{query}"},
    )


def _prepare_plans_approve(context: "BenchContext") -> Prepared:
    import plans_data

    # The run's own settings size each wrk run's block of ids (warm-up + rounds, per thread).
    args = parse_args(sys.argv[1:])
    log("plans-approve: writing/resetting the pool of submitted plans")
    data = plans_data.approve_data(context.database_url, APPROVE_PERIODS)
    token = _password_token(context, data.approver_email, plans_data.PASSWORD)
    targets = sorted(context.base_urls)
    share = len(data.plan_ids) // len(targets)
    for number, target in enumerate(targets):
        port = urllib.parse.urlsplit(context.base_urls[target]).port
        ids = data.plan_ids[number * share : (number + 1) * share]
        (RESULTS_DIR / f"approve-ids-{port}.txt").write_text("".join(f"{i}\n" for i in ids))
        (RESULTS_DIR / f"approve-offset-{port}").unlink(missing_ok=True)
    block = share // ((args.rounds + 1) * args.threads)
    return Prepared(
        headers={
            "Authorization": f"Bearer {token}",
            # The baseline has no authentication: the approver is named by these headers.
            "X-Bench-Region": str(data.region_id),
            "X-Bench-Approver": str(data.approver_id),
            "X-Bench-Actor": str(data.approver_user_id),
        },
        script_env={"APPROVE_DIR": str(RESULTS_DIR), "APPROVE_BLOCK": str(block)},
    )


_PLANS_LIST = (
    "a region admin's first page (50) of submitted plans of a 2,000-employee agency subtree "
    "in one period (filters: agency_id subtree, period_id, status)"
)

SCENARIOS += [
    Scenario(
        "plans-list",
        "/api/v1/plans",
        _PLANS_LIST,
        script="plans_list.lua",
        prepare=_prepare_plans_list,
    ),
    Scenario(
        "plans-list-10",
        "/api/v1/plans",
        _PLANS_LIST + ", at 10 connections (latency without queueing for the pool)",
        script="plans_list.lua",
        prepare=_prepare_plans_list,
        connections=10,
    ),
    Scenario(
        "plans-approve",
        "/api/v1/plans/{id}/approve",
        "the approver approves a different submitted plan each request (audit, outbox and the "
        "frozen revision in the same transaction)",
        script="plans_approve.lua",
        prepare=_prepare_plans_approve,
    ),
]

# --- evaluations (issue 19) -----------------------------------------------------------------


def _evaluation_results(context: "BenchContext") -> Mapping[str, float]:
    import evaluations_bench
    import evaluations_data

    log("evaluation-results: writing 10,000 employees and 100,000 responses (first run only)")
    data = evaluations_data.results_data(context.database_url)
    token = _password_token(context, data.admin_email, evaluations_data.PASSWORD)
    args = parse_args(sys.argv[1:])
    return evaluations_bench.compare(
        context.base_urls["service"], token, context.database_url, data, args.rounds
    )


# Cycles of 9,999 pending assignments each written per run, shared between the two targets.
SUBMIT_CYCLES = 6


def _prepare_evaluation_submit(context: "BenchContext") -> Prepared:
    import evaluations_data

    args = parse_args(sys.argv[1:])
    log(f"evaluation-submit: writing {SUBMIT_CYCLES} open cycles of pending assignments")
    data = evaluations_data.submit_data(context.database_url, SUBMIT_CYCLES)
    token = _password_token(context, data.rater_email, evaluations_data.PASSWORD)
    targets = sorted(context.base_urls)
    share = len(data.assignment_ids) // len(targets)
    for number, target in enumerate(targets):
        port = urllib.parse.urlsplit(context.base_urls[target]).port
        ids = data.assignment_ids[number * share : (number + 1) * share]
        (RESULTS_DIR / f"submit-ids-{port}.txt").write_text("".join(f"{i}\n" for i in ids))
        (RESULTS_DIR / f"submit-offset-{port}").unlink(missing_ok=True)
    block = share // ((args.rounds + 1) * args.threads)
    return Prepared(
        headers={
            "Authorization": f"Bearer {token}",
            "X-Bench-Rater": str(data.rater_id),
            "X-Bench-Region": str(data.region_id),
        },
        script_env={"SUBMIT_DIR": str(RESULTS_DIR), "SUBMIT_BLOCK": str(block)},
    )


SCENARIOS += [
    Scenario(
        "evaluation-submit",
        "/api/v1/evaluation-assignments/{id}/response",
        "a rater answers a different pending 360° assignment each request (seven core values, "
        "one comment): the rater's assignment with its cycle and zone, the assignment marked "
        "answered with the anonymous response and answers in one statement, audit and outbox; "
        "the baseline runs the same SQL (goal: at least 0.5x its throughput)",
        script="evaluation_submit.lua",
        prepare=_prepare_evaluation_submit,
    ),
    Scenario(
        "evaluation-results",
        "/api/v1/evaluation-cycles/{id}/results",
        "a closed cycle's 360° results for a region of 10,000 employees and 100,000 responses: "
        "every page (200 ratees) through the service, beside the same aggregation as one raw "
        "SQL statement through bare asyncpg; the ratio is the service's time to the raw SQL's "
        "(goal: at most 2)",
        targets=("service",),
        ratio_to=None,
        custom=_evaluation_results,
    ),
]

# --- training (issue 20) --------------------------------------------------------------------

# Each wrk run (warm-up and rounds) of a target gets fresh sessions for the pairs it may send,
# sized for this many requests/s over the run's duration; a faster run wraps (409s).
ENROLL_RATE_CEILING = 2500


def _enroll_port(context: "BenchContext", target: str) -> int | None:
    return urllib.parse.urlsplit(context.base_urls[target]).port


def _prepare_training_enroll(context: "BenchContext") -> Prepared:
    import training_data

    args = parse_args(sys.argv[1:])
    scenario = next(s for s in SCENARIOS if s.name == "training-enroll")
    employees = training_data.UNITS * (training_data.STAFF_PER_UNIT + 1)
    per_group = training_data.GROUP * employees
    seconds = max(args.duration, args.warmup)
    groups_per_run = math.ceil(ENROLL_RATE_CEILING * seconds / per_group)
    groups = groups_per_run * (args.rounds + 1)
    log(
        f"training-enroll: writing {groups * training_data.GROUP} fresh sessions per target "
        f"({training_data.CAPACITY} seats each; the region's 500 employees on the first run)"
    )
    data = training_data.enroll_data(context.database_url, list(scenario.targets), groups)
    token = _password_token(context, data.admin_email, training_data.PASSWORD)
    (RESULTS_DIR / "enroll-employees.txt").write_text("".join(f"{i}\n" for i in data.employee_ids))
    for target, ids in data.session_ids.items():
        port = _enroll_port(context, target)
        (RESULTS_DIR / f"enroll-sessions-{port}.txt").write_text("".join(f"{i}\n" for i in ids))
        (RESULTS_DIR / f"enroll-offset-{port}").unlink(missing_ok=True)
    return Prepared(
        headers={
            "Authorization": f"Bearer {token}",
            "X-Bench-Actor": str(data.admin_id),
            "X-Bench-Region": str(data.region_id),
        },
        script_env={
            "ENROLL_DIR": str(RESULTS_DIR),
            "ENROLL_SPAN": str(groups_per_run * per_group),
            "ENROLL_GROUP": str(training_data.GROUP),
            "ENROLL_THREADS": str(args.threads),
        },
    )


def _verify_training_enroll(context: "BenchContext") -> Mapping[str, float]:
    """Counts, over the sessions each target was loaded with in this run, of what the locking
    must prevent (overbooked or miscounted sessions, a waitlist beside a free seat or numbered
    other than 1..n, two places of one employee), beside the seats and places taken."""
    import training_data

    scenario = next(s for s in SCENARIOS if s.name == "training-enroll")
    figures: dict[str, float] = {}
    for target in scenario.targets:
        path = RESULTS_DIR / f"enroll-sessions-{_enroll_port(context, target)}.txt"
        ids = path.read_text().split()
        found = training_data.check(context.database_url, ids)
        figures |= {f"{target}_{name}": value for name, value in found.items()}
    figures["overbooked_sessions"] = sum(
        figures[f"{target}_overbooked_sessions"] for target in scenario.targets
    )
    return figures


SCENARIOS += [
    Scenario(
        "training-enroll",
        "/api/v1/training-sessions/{id}/enrollments",
        "a training administrator enrolls the region's 500 employees in 10 sessions of 25 seats "
        "at once, each request another (session, employee): the session and the facts the "
        "request is decided on (employee, eligibility by agency subtree and employment type, a "
        "place already held), then under the session's row lock (requests for a session queue "
        "there) the enrollment (a seat or the next waitlist number) and the session's counters "
        "in one statement, audit and outbox; the baseline "
        "runs the same SQL (goal: at least 0.5x its throughput, no session overbooked)",
        script="training_enroll.lua",
        prepare=_prepare_training_enroll,
        verify=_verify_training_enroll,
    ),
]

# --- webhooks (issue 22) --------------------------------------------------------------------


def _webhook_fan_out(context: "BenchContext") -> Mapping[str, float]:
    import webhooks_bench

    log("webhook-fanout: 10,000 events to 20 subscriptions (200,000 deliveries)")
    return webhooks_bench.fan_out(context.database_url, events=10_000, subscriptions=20)


SCENARIOS += [
    Scenario(
        "webhook-fanout",
        "/api/v1/webhook-subscriptions",
        "10,000 events committed to the outbox one per transaction by 8 writers, fanned out to "
        "20 webhook subscriptions of one region by a `kinerja worker` and POSTed, signed, to a "
        "local receiver (one process, one path per subscription): the writers' outbox insert "
        "rate, deliveries per second (first commit to last arrival) and the delay from each "
        "event's commit to each delivery's arrival (p50, p99, max)",
        targets=(),
        ratio_to=None,
        custom=_webhook_fan_out,
    ),
]

# --- imports (issue 21) ---------------------------------------------------------------------


def _import_1m(context: "BenchContext") -> Mapping[str, float]:
    import imports_bench

    log("import-1m: a 1,000,000-row employees file through the API and a worker")
    return imports_bench.import_1m(context.database_url)


SCENARIOS += [
    Scenario(
        "import-1m",
        "/api/v1/imports",
        "a generated 1,000,000-row employees CSV uploaded to a server process and imported by a "
        "`kinerja worker` (checked, then upserted in batches), timed beside a raw COPY of the "
        "same file into a bare table of text columns and beside the same rows inserted into "
        "`employees` (its indexes, constraints and foreign keys) in the same run; with the "
        "ratios (goal: at most 3x the raw COPY) and the peak resident memory of the API and of "
        "the worker (VmHWM, goal: each under 300 MB)",
        targets=(),
        ratio_to=None,
        custom=_import_1m,
    ),
]

# --- plumbing -------------------------------------------------------------------------------


@dataclass
class BenchContext:
    database_url: str
    prometheus_dir: Path
    pool_size: int
    base_urls: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    socket_errors: int


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ensure_wrk() -> str:
    """The wrk binary, installed from Debian's packages when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    if os.geteuid() != 0 and shutil.which("sudo"):
        install.insert(0, "sudo")
    log("wrk is not installed; installing it with apt-get")
    if subprocess.run(install, env=env, check=False).returncode != 0:
        # A fresh machine has no package lists yet.
        subprocess.run([*install[: install.index("install")], "update", "-q"], env=env, check=True)
        subprocess.run(install, env=env, check=True)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk could not be installed")
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def database_server() -> Iterator[str]:
    """A server URL: KINERJA_DATABASE_URL's server, or an embedded one stopped on exit."""
    configured = os.environ.get("KINERJA_DATABASE_URL")
    if configured:
        yield configured
        return
    from kinerja_api.embedded_pg import server_url, start_embedded

    log("starting the embedded PostgreSQL under .data/bench-pg")
    server = start_embedded(ROOT / ".data" / "bench-pg")
    try:
        yield server_url(server)
    finally:
        server.cleanup()


def prepare_database(server_url: str) -> str:
    from kinerja_api.dbadmin import ensure_database, migrate

    url = make_url(server_url).set(database=DATABASE_NAME).render_as_string(hide_password=False)
    asyncio.run(ensure_database(url))
    migrate(url)
    return url


@contextmanager
def running_server(
    spec: ServerSpec, context: BenchContext, workers: int, log_file: TextIO
) -> Iterator[str]:
    """Start `spec` under uvicorn with the shared production options; yields its base URL once
    its ready path answers 200, and stops it (and its workers) on exit."""
    port = free_port()
    command = [str(VENV_BIN / "uvicorn"), spec.app]
    if spec.factory:
        command.append("--factory")
    if spec.app_dir is not None:
        command += ["--app-dir", str(spec.app_dir)]
    command += [
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--loop", "uvloop", "--http", "httptools", "--no-access-log", "--no-proxy-headers",
    ]  # fmt: skip
    env = {**os.environ, **spec.env(context)}
    log(f"starting {spec.name}: {' '.join(command)}")
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(process, base_url + spec.ready_path, spec.name, log_file)
        yield base_url
    finally:
        stop(process, spec.name)


def wait_until_ready(
    process: subprocess.Popen[bytes], url: str, name: str, log_file: TextIO
) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    last_error = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited with {process.returncode}; see {log_file.name}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
                last_error = f"status {response.status}"
        except urllib.error.HTTPError as exc:
            last_error = f"status {exc.code}"
        except OSError as exc:
            last_error = str(exc)
        time.sleep(0.25)
    raise SystemExit(f"{name} was not ready within {READY_TIMEOUT_SECONDS:.0f}s ({last_error})")


def stop(process: subprocess.Popen[bytes], name: str) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # uvicorn's supervisor stops its workers
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        log(f"{name} did not stop in time; killing its process group")
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_PERCENTILE = re.compile(r"^\s*(\d+(?:\.\d+)?)%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_TOTAL = re.compile(r"^\s*(\d+) requests in ", re.MULTILINE)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


def parse_wrk(output: str) -> WrkResult:
    percentiles = {
        float(match[1]): float(match[2]) * _UNITS_MS[match[3]]
        for match in _PERCENTILE.finditer(output)
    }
    rps = _RPS.search(output)
    total = _TOTAL.search(output)
    if rps is None or total is None or 50.0 not in percentiles or 99.0 not in percentiles:
        raise ValueError(f"unexpected wrk output:\n{output}")
    socket_errors = _SOCKET_ERRORS.search(output)
    return WrkResult(
        requests_per_second=float(rps[1]),
        p50_ms=percentiles[50.0],
        p99_ms=percentiles[99.0],
        requests=int(total[1]),
        non_2xx=sum(int(n) for n in _NON_2XX.findall(output)),
        socket_errors=sum(int(n) for n in socket_errors.groups()) if socket_errors else 0,
    )


def run_wrk(
    wrk: str,
    url: str,
    *,
    threads: int,
    connections: int,
    duration: float,
    scenario: Scenario,
    prepared: Prepared,
) -> WrkResult:
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration:g}s", "--latency"]
    for name, value in prepared.headers.items():
        command += ["-H", f"{name}: {value}"]
    if scenario.script:
        command += ["-s", str(BENCH_DIR / scenario.script)]
    command.append(url)
    env = {**os.environ, **prepared.script_env}
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, check=True, timeout=duration + 60
    )
    return parse_wrk(result.stdout)


@dataclass
class Measurement:
    scenario: Scenario
    target: str
    rounds: list[WrkResult] = field(default_factory=list)

    def median(self, attribute: str) -> float:
        return statistics.median(float(getattr(result, attribute)) for result in self.rounds)


def report(
    measurements: Sequence[Measurement],
    args: argparse.Namespace,
    checks: Mapping[str, Mapping[str, float]],
) -> None:
    print()
    print(
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s --latency, "
        f"{args.rounds} rounds, medians; uvicorn --workers {args.workers} --loop uvloop "
        f"--http httptools; {os.cpu_count()} CPU cores shared by wrk, servers and PostgreSQL"
    )
    for scenario in dict.fromkeys(m.scenario for m in measurements):
        rows = [m for m in measurements if m.scenario is scenario]
        print()
        print(f"{scenario.name}: {scenario.path} — {scenario.description}")
        if scenario.connections is not None:
            print(f"  (wrk -c{scenario.connections} for this scenario)")
        print(
            f"  {'target':<10} {'req/s':>10} {'p50 ms':>9} {'p99 ms':>9} "
            f"{'non-2xx':>8} {'sock err':>8}"
        )
        for row in rows:
            non_2xx = sum(result.non_2xx for result in row.rounds)
            socket_errors = sum(result.socket_errors for result in row.rounds)
            print(
                f"  {row.target:<10} {row.median('requests_per_second'):>10,.0f} "
                f"{row.median('p50_ms'):>9.2f} {row.median('p99_ms'):>9.2f} "
                f"{non_2xx:>8} {socket_errors:>8}"
            )
        print("  (non-2xx and socket errors are totals over all rounds)")
        reference = next((row for row in rows if row.target == scenario.ratio_to), None)
        for row in rows:
            if reference is None or row is reference:
                continue
            ratio = row.median("requests_per_second") / reference.median("requests_per_second")
            print(f"  ratio {row.target}/{reference.target} req/s: {ratio:.2f}")
        if scenario.name in checks:
            print("  after the load: " + ", ".join(
                f"{key} {value:,.0f}" for key, value in checks[scenario.name].items()
            ))  # fmt: skip


def save(
    measurements: Sequence[Measurement],
    custom: Mapping[str, Mapping[str, float]],
    args: argparse.Namespace,
    checks: Mapping[str, Mapping[str, float]],
) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"{stamp}.json"
    document: dict[str, Any] = {
        "settings": vars(args),
        "results": [
            {
                "scenario": m.scenario.name,
                "target": m.target,
                "rounds": [vars(result) for result in m.rounds],
            }
            for m in measurements
        ],
        # NaN (nothing measured) is not JSON: it is written as null.
        "custom": {
            name: {key: None if math.isnan(value) else value for key, value in figures.items()}
            for name, figures in custom.items()
        },
        "checks": checks,
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path


def measure(
    scenario: Scenario, context: BenchContext, wrk: str, args: argparse.Namespace
) -> list[Measurement]:
    """Warm each target up, then load them `args.rounds` times, alternating their order."""
    prepared = scenario.prepare(context) if scenario.prepare else Prepared()

    def load(target: str, duration: float) -> WrkResult:
        return run_wrk(
            wrk,
            context.base_urls[target] + scenario.path,
            threads=args.threads,
            connections=scenario.connections or args.connections,
            duration=duration,
            scenario=scenario,
            prepared=prepared,
        )

    for target in scenario.targets:
        log(f"{scenario.name}: warming up {target} for {args.warmup:g}s")
        load(target, args.warmup)
    rows = {target: Measurement(scenario, target) for target in scenario.targets}
    for round_number in range(args.rounds):
        # Alternate the order, so that neither target always runs on a warmer machine.
        order = scenario.targets if round_number % 2 == 0 else scenario.targets[::-1]
        for target in order:
            result = load(target, args.duration)
            rows[target].rounds.append(result)
            log(
                f"{scenario.name} round {round_number + 1}/{args.rounds} {target}: "
                f"{result.requests_per_second:,.0f} req/s, p50 {result.p50_ms:.2f} ms, "
                f"p99 {result.p99_ms:.2f} ms, non-2xx {result.non_2xx}, "
                f"socket errors {result.socket_errors}"
            )
    return list(rows.values())


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per wrk run")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds per target, unmeasured")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers per server")
    parser.add_argument(
        "--pool-size",
        type=int,
        default=20,
        help="database connections each worker of each server keeps, with no overflow; both "
        "servers' workers together must stay under the database's max_connections (100)",
    )
    parser.add_argument(
        "--scenario",
        action="append",
        choices=[scenario.name for scenario in SCENARIOS],
        help="run only this scenario (repeatable); default: all",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    scenarios = [s for s in SCENARIOS if not args.scenario or s.name in args.scenario]
    wrk = ensure_wrk()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    prometheus_dir = RESULTS_DIR / "prometheus-multiproc"

    with ExitStack() as stack:
        server_url = stack.enter_context(database_server())
        database_url = prepare_database(server_url)
        shutil.rmtree(prometheus_dir, ignore_errors=True)
        prometheus_dir.mkdir(parents=True)
        context = BenchContext(
            database_url=database_url,
            prometheus_dir=prometheus_dir,
            pool_size=args.pool_size,
        )

        needed = dict.fromkeys(target for scenario in scenarios for target in scenario.targets)
        for name in needed:
            log_file = stack.enter_context((RESULTS_DIR / f"{name}.log").open("w"))
            spec = SERVERS[name]
            base = stack.enter_context(running_server(spec, context, args.workers, log_file))
            context.base_urls[name] = base

        measurements: list[Measurement] = []
        checks: dict[str, Mapping[str, float]] = {}
        for scenario in scenarios:
            if scenario.custom is None:
                measurements += measure(scenario, context, wrk, args)
                if scenario.verify is not None:
                    checks[scenario.name] = scenario.verify(context)
                    log(f"{scenario.name}: after the load: {checks[scenario.name]}")
        custom = {s.name: s.custom(context) for s in scenarios if s.custom is not None}

    report(measurements, args, checks)
    for name, figures in custom.items():
        scenario = next(s for s in scenarios if s.name == name)
        print(f"\n{name}: {scenario.path} — {scenario.description}")
        print("  " + ", ".join(f"{key} {value:,.2f}" for key, value in figures.items()))
    print(f"\n(raw figures: {save(measurements, custom, args, checks).relative_to(ROOT)})")


if __name__ == "__main__":
    main()
