"""Helpers for tests that start the service as a separate process and talk to it over HTTP."""

import socket
import subprocess
import time
from pathlib import Path

import httpx


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
