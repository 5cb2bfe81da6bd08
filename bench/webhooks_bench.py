"""Webhook fan-out: events committed to the outbox, delivered to many subscriptions of a region by
a real `kinerja worker` to a local receiver.

`fan_out` seeds a region with `subscriptions` webhook subscriptions (every `survey.*` event, each
to its own path of one receiver on 127.0.0.1), starts the receiver (bench/webhook_receiver.py)
and a worker, then commits `events` events to the outbox, one per transaction from `writers`
concurrent connections (as requests commit them), and waits until every delivery has arrived.
Figures: the outbox insert rate of the writers, deliveries per second (all deliveries over the
time from the first commit to the last arrival) and the delay from each event's commit to each
of its deliveries (p50, p99, max). The subscriptions are deleted afterwards. Used by
bench/run.py (scenario `webhook-fanout`); also runnable on its own:

    .venv/bin/python bench/webhooks_bench.py --database-url postgresql://... [--events 10000]
"""

import argparse
import asyncio
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import asyncpg
from sqlalchemy import delete, insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from kinerja_api.config import Settings
from kinerja_api.db import async_url
from kinerja_api.models.org import Region
from kinerja_api.models.webhooks import WebhookSubscription
from kinerja_api.webhooks.secret_box import seal
from kinerja_api.webhooks.signing import new_secret

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "bench"
VENV_BIN = Path(sys.executable).parent
SECRET_KEY = secrets.token_urlsafe(48)
DEADLINE_SECONDS = 1800.0
_INSERT = (
    "insert into outbox_events (region_id, type, entity_type, entity_id, payload) "
    "values ($1, 'survey.received', 'survey_response', $2, $3::jsonb) returning id"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - loopback
        body: bytes = response.read()
        return body


@contextmanager
def _process(command: list[str], env: Mapping[str, str], log: Path) -> Iterator[None]:
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def _receiver(log: Path) -> Iterator[str]:
    port = _free_port()
    command = [
        str(VENV_BIN / "uvicorn"), "webhook_receiver:app", "--app-dir", str(BENCH_DIR),
        "--host", "127.0.0.1", "--port", str(port), "--loop", "uvloop", "--http", "httptools",
        "--no-access-log", "--backlog", "4096",
    ]  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    with _process(command, {}, log):
        for _ in range(100):
            try:
                _get(base + "/count")
                break
            except OSError:
                time.sleep(0.1)
        yield base


def _worker(database_url: str, concurrency: int, log: Path) -> AbstractContextManager[None]:
    env = {
        "KINERJA_ENV": "development",
        "KINERJA_DATABASE_URL": database_url,
        "KINERJA_WEBHOOK_SECRET_KEY": SECRET_KEY,
        "KINERJA_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
        "KINERJA_WORKER_CONCURRENCY": str(concurrency),
        "KINERJA_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "kinerja_api.cli", "worker", "--no-migrate"]
    return _process(command, env, log)


async def _seed(database_url: str, base: str, subscriptions: int) -> uuid.UUID:
    engine = create_async_engine(async_url(database_url))
    settings = Settings(env="development", webhook_secret_key=SECRET_KEY)
    tag = secrets.token_hex(4)
    try:
        async with engine.begin() as connection:
            region_id: uuid.UUID = (
                await connection.execute(
                    insert(Region)
                    .values(
                        code=f"hooks-{tag}",
                        name=f"Kabupaten Webhook {tag}",
                        kind="kabupaten",
                        timezone="Asia/Jakarta",
                    )
                    .returning(Region.id)
                )
            ).scalar_one()
            await connection.execute(
                insert(WebhookSubscription),
                [
                    {
                        "region_id": region_id,
                        "url": f"{base}/s{number}",
                        "event_types": ["survey.*"],
                        "secret_ciphertext": seal(settings, new_secret()),
                        "owner_type": "user",
                        "owner_id": uuid.uuid4(),
                    }
                    for number in range(subscriptions)
                ],
            )
        return region_id
    finally:
        await engine.dispose()


async def _cleanup(database_url: str, region_id: uuid.UUID) -> None:
    engine = create_async_engine(async_url(database_url))
    try:
        async with engine.begin() as connection:
            await connection.execute(
                delete(WebhookSubscription).where(WebhookSubscription.region_id == region_id)
            )
    finally:
        await engine.dispose()


async def _write(
    database_url: str, region_id: uuid.UUID, events: int, writers: int
) -> tuple[dict[int, float], float]:
    """Commits `events` events, one per transaction, from `writers` connections; answers each
    event's commit time (monotonic) and the writers' elapsed seconds."""
    dsn = make_url(database_url).set(drivername="postgresql").render_as_string(False)
    connections = [await asyncpg.connect(dsn) for _ in range(writers)]
    committed: dict[int, float] = {}
    remaining = iter(range(events))
    payload = json.dumps({"service_unit_id": str(uuid.uuid4())})

    async def writer(connection: asyncpg.Connection) -> None:
        for _ in remaining:
            event_id = await connection.fetchval(_INSERT, region_id, uuid.uuid4(), payload)
            committed[int(event_id)] = time.monotonic()

    started = time.monotonic()
    try:
        await asyncio.gather(*(writer(connection) for connection in connections))
    finally:
        for connection in connections:
            await connection.close()
    return committed, time.monotonic() - started


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def fan_out(
    database_url: str, events: int = 10_000, subscriptions: int = 20, writers: int = 8
) -> dict[str, float]:
    results = BENCH_DIR / "results"
    results.mkdir(parents=True, exist_ok=True)
    expected = events * subscriptions
    with _receiver(results / "webhook-receiver.log") as base:
        region_id = asyncio.run(_seed(database_url, base, subscriptions))
        try:
            with _worker(database_url, subscriptions + 4, results / "webhook-worker.log"):
                time.sleep(3.0)  # the worker connects and follows the outbox
                committed, writing = asyncio.run(_write(database_url, region_id, events, writers))
                deadline = time.monotonic() + DEADLINE_SECONDS
                while int(_get(base + "/count")) < expected and time.monotonic() < deadline:
                    time.sleep(0.5)
                arrivals: list[list[float]] = json.loads(_get(base + "/arrivals"))
        finally:
            asyncio.run(_cleanup(database_url, region_id))
    delays = [
        (at - committed[int(event)]) * 1000 for event, at in arrivals if int(event) in committed
    ]
    first_commit = min(committed.values())
    last_arrival = max(at for _event, at in arrivals) if arrivals else first_commit
    return {
        "events": float(events),
        "subscriptions": float(subscriptions),
        "outbox_inserts_per_s": events / writing,
        "deliveries": float(len(arrivals)),
        "missing": float(expected - len(delays)),
        "deliveries_per_s": len(arrivals) / (last_arrival - first_commit),
        "delay_p50_ms": statistics.median(delays) if delays else float("nan"),
        "delay_p99_ms": _percentile(delays, 0.99) if delays else float("nan"),
        "delay_max_ms": max(delays) if delays else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--subscriptions", type=int, default=20)
    parser.add_argument("--writers", type=int, default=8)
    args = parser.parse_args()
    figures = fan_out(args.database_url, args.events, args.subscriptions, args.writers)
    print(", ".join(f"{key} {value:,.2f}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
