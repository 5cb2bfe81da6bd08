"""Progress benchmarks' data and the stream-latency measurement.

`seed_team` builds, in the bench database, a region with a supervisor and an employee whose
approved plan has one indicator, and returns what requests need. `stream_latency` opens N
concurrent SSE subscribers (as the supervisor, across the service's workers; read over raw sockets
by two client processes, so the readers do not measure themselves), posts reports as
the employee one at a time, and measures for every subscriber the delivery latency from the
moment the POST's response arrived to the moment the event arrived (p50/p99 over all
deliveries). The event is sent at commit, before the response is written, so a delivery can beat
the response: such latencies are negative, and are counted and kept as they are (`min_ms`,
`before_response`), never clamped. Used by bench/run.py (scenario `stream-latency`); also
runnable on its own against a running service:

    .venv/bin/python bench/stream_bench.py --base-url http://127.0.0.1:8000 \
        --database-url postgresql://... [--subscribers 500] [--posts 40]
"""

import argparse
import asyncio
import json
import multiprocessing
import re
import secrets
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import create_async_engine

from kinerja_api.auth.passwords import hash_secret
from kinerja_api.db import async_url
from kinerja_api.models.org import Agency, Employee, Region, User
from kinerja_api.models.plans import Indicator, Period, Plan, Target

PASSWORD = "bench-" + secrets.token_urlsafe(12)
ZONE = "Asia/Jakarta"
_ENTITY = re.compile(rb'"entity_id":"([0-9a-f-]{36})"')


@dataclass(frozen=True)
class SeededTeam:
    indicator_id: str
    staff_email: str
    boss_email: str
    password: str
    # Today in the region's zone when seeded: in the period, and never in the future later on.
    reported_for: str
    # Who reports, for the baseline (which has no authentication): the region and the staff
    # member's user id.
    region_id: str
    staff_user_id: str


async def _seed(database_url: str, region_id: uuid.UUID | None = None) -> SeededTeam:
    engine = create_async_engine(async_url(database_url))
    tag = secrets.token_hex(4)
    today = datetime.now(ZoneInfo(ZONE)).date()
    try:
        async with engine.begin() as connection:

            async def add(model: Any, **values: Any) -> Any:
                return (
                    await connection.execute(insert(model).values(**values).returning(model))
                ).one()

            if region_id is None:
                region_id = (await add(Region, **_region_values(tag))).id
            agency_id = uuid.uuid4()
            agency = await add(
                Agency,
                id=agency_id,
                region_id=region_id,
                code=f"dinas-{tag}",
                name="Dinas Bench",
                kind="dinas",
                path=f"/{agency_id}/",
            )
            people = []
            for serial, supervisor in ((1, None), (2, "boss")):
                people.append(
                    await add(
                        Employee,
                        region_id=region_id,
                        agency_id=agency.id,
                        supervisor_id=people[0].id if supervisor else None,
                        nip=_nip(serial),
                        employment_type="pppk",
                        name=f"Pegawai {serial}",
                        position="Analis",
                    )
                )
            boss, staff = people
            emails, users = {}, {}
            for who, employee in (("boss", boss), ("staff", staff)):
                emails[who] = f"{who}-{tag}@bench.example.go.id"
                users[who] = await add(
                    User,
                    region_id=region_id,
                    email=emails[who],
                    full_name=who,
                    password_hash=hash_secret(PASSWORD),
                    roles=["employee"],
                    employee_id=employee.id,
                )
            period = (
                await connection.execute(
                    select(Period).where(Period.region_id == region_id, Period.year == today.year)
                )
            ).one_or_none() or await add(Period, region_id=region_id, year=today.year)
            plan = await add(
                Plan,
                region_id=region_id,
                period_id=period.id,
                employee_id=staff.id,
                agency_id=agency.id,
                approver_id=boss.id,
                status="approved",
                approved_revision=1,
            )
            target = await add(
                Target, region_id=region_id, plan_id=plan.id, kind="utama", title="T"
            )
            indicator = await add(
                Indicator,
                region_id=region_id,
                plan_id=plan.id,
                target_id=target.id,
                aspect="kuantitas",
                description="Dokumen",
                target_value=Decimal(1_000_000),
                unit="dokumen",
            )
    finally:
        await engine.dispose()
    return SeededTeam(
        str(indicator.id),
        emails["staff"],
        emails["boss"],
        PASSWORD,
        today.isoformat(),
        str(region_id),
        str(users["staff"].id),
    )


def _nip(serial: int) -> str:
    # A random birth date as well as a random number: the bench database keeps the employees of
    # every run, and NIPs are unique.
    year, month, day = (
        1970 + secrets.randbelow(30),
        1 + secrets.randbelow(12),
        1 + secrets.randbelow(28),
    )
    return f"{year}{month:02d}{day:02d}20100{serial}{secrets.randbelow(10**4):04d}"


def _region_values(tag: str) -> dict[str, Any]:
    return {"code": f"bench-{tag}", "name": f"Bench {tag}", "kind": "kota", "timezone": ZONE}


async def _seed_region(database_url: str) -> uuid.UUID:
    engine = create_async_engine(async_url(database_url))
    try:
        async with engine.begin() as connection:
            region_id: uuid.UUID = await connection.scalar(
                insert(Region).values(**_region_values(secrets.token_hex(4))).returning(Region.id)
            )
    finally:
        await engine.dispose()
    return region_id


def seed_team(database_url: str) -> SeededTeam:
    return asyncio.run(_seed(database_url))


def seed_teams(database_url: str, count: int, *, regions: int) -> list[SeededTeam]:
    """`count` teams spread round-robin over `regions` new regions."""

    async def seed() -> list[SeededTeam]:
        region_ids = [await _seed_region(database_url) for _ in range(regions)]
        return [await _seed(database_url, region_ids[n % regions]) for n in range(count)]

    return asyncio.run(seed())


def login(base_url: str, email: str, password: str) -> str:
    response = httpx.post(
        base_url + "/api/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": password},
        timeout=30,
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


def report_body(team: SeededTeam) -> dict[str, Any]:
    return {"indicator_id": team.indicator_id, "value": "1", "reported_for": team.reported_for}


# Subscribers are read by client processes of their own, each an event loop over raw sockets:
# one Python process parsing 5,000 streams through an HTTP library measures itself, not the
# service. Arrivals and posts are stamped with the same system-wide monotonic clock.
CLIENT_PROCESSES = 2
_TAIL = 64  # bytes carried over between reads, so an id split across two reads is still found


async def _subscribe(
    host: str, port: int, token: str, arrivals: dict[str, float], connected: asyncio.Event
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(
        (
            "GET /api/v1/progress/stream HTTP/1.1\r\n"
            f"Host: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
            "Accept: text/event-stream\r\n\r\n"
        ).encode()
    )
    status = await reader.readline()
    if b" 200 " not in status:
        raise RuntimeError(f"stream refused: {status!r}")
    await reader.readuntil(b"\r\n\r\n")
    connected.set()
    carried = b""
    try:
        while chunk := await reader.read(65536):
            arrived = time.monotonic()
            window = carried + chunk
            for match in _ENTITY.finditer(window):
                arrivals.setdefault(match[1].decode(), arrived)
            carried = window[-_TAIL:]
    finally:
        writer.close()


async def _client(
    base_url: str, token: str, count: int, ready: Any, stop: Any
) -> list[dict[str, float]]:
    url = httpx.URL(base_url)
    host, port = url.host, url.port or 80
    arrivals: list[dict[str, float]] = [{} for _ in range(count)]
    tasks = []
    # Connect in waves, as clients would arrive, rather than all in the same millisecond.
    for start in range(0, count, 50):
        wave = range(start, min(start + 50, count))
        events = [asyncio.Event() for _ in wave]
        tasks += [
            asyncio.create_task(_subscribe(host, port, token, arrivals[n], event))
            for n, event in zip(wave, events, strict=True)
        ]
        await asyncio.wait_for(asyncio.gather(*(event.wait() for event in events)), 120)
    ready.set()
    while not stop.is_set():
        await asyncio.sleep(0.05)
        failed = [task for task in tasks if task.done() and task.exception()]
        if failed:
            raise RuntimeError("a subscriber failed") from failed[0].exception()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return arrivals


def _client_process(
    base_url: str, token: str, count: int, ready: Any, stop: Any, results: Any
) -> None:
    import uvloop

    results.put(uvloop.run(_client(base_url, token, count, ready, stop)))


async def _post(base_url: str, team: SeededTeam, posts: int, interval: float) -> dict[str, float]:
    staff = login(base_url, team.staff_email, team.password)
    sent: dict[str, float] = {}
    headers = {"Authorization": f"Bearer {staff}"}
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        for _ in range(posts):
            response = await http.post(
                "/api/v1/progress-reports", json=report_body(team), headers=headers
            )
            answered = time.monotonic()  # before any parsing of the body
            response.raise_for_status()
            sent[response.json()["id"]] = answered
            await asyncio.sleep(interval)
    return sent


def _measure(
    base_url: str, team: SeededTeam, subscribers: int, posts: int, interval: float
) -> dict[str, float]:
    context = multiprocessing.get_context("spawn")
    boss = login(base_url, team.boss_email, team.password)
    stop, results = context.Event(), context.Queue()
    shares = [subscribers // CLIENT_PROCESSES] * CLIENT_PROCESSES
    shares[0] += subscribers - sum(shares)
    readies = [context.Event() for _ in shares]
    processes = [
        context.Process(target=_client_process, args=(base_url, boss, share, ready, stop, results))
        for share, ready in zip(shares, readies, strict=True)
    ]
    for process in processes:
        process.start()
    try:
        for ready in readies:
            if not ready.wait(300):
                raise RuntimeError("the subscribers did not all connect within 300 s")
        time.sleep(1.0)
        sent = asyncio.run(_post(base_url, team, posts, interval))
        time.sleep(2.0)
    finally:
        stop.set()
    clients = [arrivals for _ in processes for arrivals in results.get(timeout=120)]
    for process in processes:
        process.join(30)
    latencies = [
        (client[report] - posted) * 1000
        for client in clients
        for report, posted in sent.items()
        if report in client
    ]
    expected = len(sent) * subscribers
    quantiles = statistics.quantiles(latencies, n=100, method="inclusive") if latencies else []
    return {
        "subscribers": float(subscribers),
        "client_processes": float(len(processes)),
        "posts": float(len(sent)),
        "deliveries": float(len(latencies)),
        "missing": float(expected - len(latencies)),
        "p50_ms": quantiles[49] if quantiles else float("nan"),
        "p99_ms": quantiles[98] if quantiles else float("nan"),
        "min_ms": min(latencies) if latencies else float("nan"),
        "max_ms": max(latencies) if latencies else float("nan"),
        "before_response": float(sum(1 for latency in latencies if latency < 0)),
    }


def stream_latency(
    base_url: str,
    team: SeededTeam,
    *,
    subscribers: int = 500,
    posts: int = 40,
    interval: float = 0.1,
) -> dict[str, float]:
    return _measure(base_url, team, subscribers, posts, interval)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--database-url", required=True, help="owner URL, for seeding")
    parser.add_argument("--subscribers", type=int, default=500)
    parser.add_argument("--posts", type=int, default=40)
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between posts")
    args = parser.parse_args()
    team = seed_team(args.database_url)
    figures = stream_latency(
        args.base_url,
        team,
        subscribers=args.subscribers,
        posts=args.posts,
        interval=args.interval,
    )
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
