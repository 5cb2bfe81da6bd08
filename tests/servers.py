"""Helpers for tests that start the service as a separate process and talk to it over HTTP."""

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

from kinerja_api.dbadmin import drop_database, ensure_database, migrate

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_ready(
    process: subprocess.Popen[bytes], base: str, *, seconds: float, log: Path | None = None
) -> None:
    """Until `GET /health/ready` answers 200; fails, with the server's output, if it exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"server exited with {process.returncode}{_output(log)}"
        try:
            if httpx.get(base + "/health/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base} not ready within {seconds} s{_output(log)}")


def _output(log: Path | None) -> str:
    return f":\n{log.read_text()}" if log else ""


@contextmanager
def migrated_database(url: str) -> Iterator[str]:
    """A database of its own at `url`, migrated to head, dropped on exit."""
    asyncio.run(ensure_database(url))
    try:
        migrate(url)
        yield url
    finally:
        asyncio.run(drop_database(url))


def _environment(database_url: str, env: Mapping[str, str] | None) -> dict[str, str]:
    return {
        **os.environ,
        "KINERJA_ENV": "test",
        "KINERJA_DATABASE_URL": database_url,
        "KINERJA_ACCESS_LOG": "false",
        "KINERJA_LOG_LEVEL": "WARNING",
        **(env or {}),
    }


def start_worker(
    database_url: str, env: Mapping[str, str] | None = None
) -> "subprocess.Popen[bytes]":
    """`kinerja worker` as a separate process on `database_url` (already migrated); `env` adds
    settings to the test environment's. The caller stops it (or kills it)."""
    command = [sys.executable, "-m", "kinerja_api.cli", "worker", "--no-migrate"]
    return subprocess.Popen(command, cwd=ROOT, env=_environment(database_url, env))  # noqa: S603


@contextmanager
def running_servers(
    database_url: str, count: int = 2, env: Mapping[str, str] | None = None
) -> Iterator[list[str]]:
    """`count` separate server processes on one database; their base URLs once each is
    ready. `env` adds settings to the test environment's."""
    environment = _environment(database_url, env)
    processes, bases = [], []
    for _ in range(count):
        port = free_port()
        command = [
            str(Path(sys.executable).parent / "uvicorn"), "kinerja_api.main:create_app",
            "--factory", "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
        ]  # fmt: skip
        processes.append(subprocess.Popen(command, cwd=ROOT, env=environment))  # noqa: S603
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for process, base in zip(processes, bases, strict=True):
            wait_until_ready(process, base, seconds=30)
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
