"""The real service, as `kinerja serve --seed` starts it, on a fresh database of its own."""

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kinerja_api.dbadmin import drop_database, ensure_database
from tests.conftest import fresh_database_url
from tests.servers import free_port, wait_until_ready

# Migrating and seeding the four demo regions come first.
STARTUP_SECONDS = 180


@pytest.fixture(scope="session")
def service_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    database_url = fresh_database_url("kinerja_browser")
    asyncio.run(ensure_database(database_url))
    port = free_port()
    log = tmp_path_factory.mktemp("service") / "serve.log"
    environment = {**os.environ, "KINERJA_DATABASE_URL": database_url, "KINERJA_ENV": "test"}
    command = [
        str(Path(sys.executable).with_name("kinerja")), "serve", "--seed",
        "--host", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip
    with log.open("wb") as output:
        server = subprocess.Popen(command, env=environment, stdout=output, stderr=output)  # noqa: S603
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(server, url, seconds=STARTUP_SECONDS, log=log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        asyncio.run(drop_database(database_url))
