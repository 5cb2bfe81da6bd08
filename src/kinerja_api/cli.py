"""The `kinerja` command: serve, migrate, seed-demo, create-admin, worker."""

import asyncio
import os
import signal
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from rich.console import Console

from kinerja_api.config import get_settings

app = typer.Typer(help="kinerja-api: ASN performance management backend", no_args_is_help=True)
console = Console(stderr=True)


def _database_url(embedded: Any = None) -> str:
    """The configured database, or the embedded server started for this command."""
    settings = get_settings()
    if settings.database_url:
        return settings.database_url
    from kinerja_api.dbadmin import ensure_database
    from kinerja_api.embedded_pg import server_url, start_embedded

    server = embedded or start_embedded(Path(settings.data_dir) / "pg")
    url = server_url(server, database="kinerja")
    asyncio.run(ensure_database(url))
    os.environ["KINERJA_DATABASE_URL"] = url
    get_settings.cache_clear()
    return url


@app.command()
def migrate(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Upgrade the database schema to `revision` (default: head)."""
    from kinerja_api.dbadmin import migrate as run_migrations

    run_migrations(_database_url(), revision)
    console.print(f"[green]migrated to {revision}[/green]")


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    reload: bool = False,
    migrate_first: Annotated[bool, typer.Option("--migrate/--no-migrate")] = True,
) -> None:
    """Serve the API. Without KINERJA_DATABASE_URL, an embedded PostgreSQL under ./.data/."""
    url = _database_url()
    if migrate_first:
        from kinerja_api.dbadmin import migrate as run_migrations

        run_migrations(url)
    # Workers inherit the resolved URL through the environment.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    console.print(f"[bold]kinerja-api[/bold] on http://{host}:{port}  (docs: /docs)")
    uvicorn.run(
        "kinerja_api.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        loop="uvloop",
        http="httptools",
        proxy_headers=True,
        log_config=None,
        access_log=False,
    )
