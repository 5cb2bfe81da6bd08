"""The `kinerja` command: serve, migrate, seed-demo, create-admin, worker, openapi; and, against
a running server, import and export."""

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
import uvicorn
from rich.console import Console

from kinerja_api.cli_output import (
    ClientIdOption,
    ClientSecretOption,
    ImportKindName,
    ImportModeName,
    SeparatorName,
    ServerOption,
    print_errors,
    print_import,
    progress,
)
from kinerja_api.config import get_settings

if TYPE_CHECKING:
    from kinerja_api.demo.writing import SeedReport
    from kinerja_api.org.users.bootstrap import AdminRole

app = typer.Typer(help="kinerja-api: ASN performance management backend", no_args_is_help=True)
console = Console(stderr=True)
# kinerja_api.org.users.bootstrap.AdminRole, spelled out so that `--help` need not import it.
AdminRoleName = Literal["superadmin", "region_admin"]
TABLE_WIDTH = 100
# How long `serve` lets its worker finish the job it is running before killing it.
WORKER_STOP_SECONDS = 30


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


def _migrate(url: str) -> None:
    from kinerja_api.dbadmin import migrate as run_migrations

    run_migrations(url)


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
    seed: Annotated[
        bool, typer.Option("--seed/--no-seed", help="Add the demo regions and logins if missing")
    ] = False,
    with_worker: Annotated[
        bool,
        typer.Option(
            "--worker/--no-worker", help="Run one job worker beside the API, stopped with it"
        ),
    ] = True,
) -> None:
    """Serve the API. Without KINERJA_DATABASE_URL, an embedded PostgreSQL under ./.data/."""
    if seed:
        _refuse_demo_data_in_production()
    url = _database_url()
    if migrate_first:
        _migrate(url)
    if seed:
        _print_seed_report(asyncio.run(_seed(url)))
    # Workers (uvicorn's and the job worker) inherit the resolved URL through the environment.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    job_worker = _start_worker() if with_worker else None
    console.print(f"[bold]kinerja-api[/bold] on http://{host}:{port}  (docs: /docs)")
    try:
        uvicorn.run(
            "kinerja_api.main:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            reload=reload,
            loop="uvloop",
            http="httptools",
            # The app honours X-Forwarded-For from KINERJA_TRUSTED_PROXIES only.
            proxy_headers=False,
            log_config=None,
            access_log=False,
        )
    finally:
        if job_worker is not None:
            _stop_worker(job_worker)


def _start_worker() -> "subprocess.Popen[bytes]":
    """`kinerja worker` as a child process. In a session of its own, so that a Ctrl+C in the
    terminal reaches only `serve`, which then stops the worker once, after the API."""
    command = [sys.executable, "-m", "kinerja_api.cli", "worker", "--no-migrate"]
    return subprocess.Popen(command, start_new_session=True)  # noqa: S603 - our own command


def _stop_worker(process: "subprocess.Popen[bytes]") -> None:
    """SIGTERM lets the worker finish its running job; one that takes too long is killed."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=WORKER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@app.command()
def worker(
    migrate_first: Annotated[bool, typer.Option("--migrate/--no-migrate")] = True,
) -> None:
    """Run background jobs and the periodic chores until SIGINT or SIGTERM.

    The running job finishes first. As many workers as needed may run, on any machine that
    reaches the database."""
    from kinerja_api.core.jobs import run_worker
    from kinerja_api.core.logging import configure_logging
    from kinerja_api.export_lists import EXPORT_LIST_MODULES
    from kinerja_api.task_modules import TASK_MODULES, WORKER_COMPANIONS

    url = _database_url()
    if migrate_first:
        _migrate(url)
    settings = get_settings()
    configure_logging(settings.log_level)
    # Export jobs find their lists by name: the modules that register them come along.
    asyncio.run(run_worker(url, settings, [*TASK_MODULES, *EXPORT_LIST_MODULES], WORKER_COMPANIONS))


def _refuse_demo_data_in_production() -> None:
    if get_settings().env == "production":
        console.print("[red]refusing to write demo data (published passwords) in production[/red]")
        raise typer.Exit(code=1)


async def _seed(url: str) -> "SeedReport":
    from kinerja_api.db import Database
    from kinerja_api.demo.loader import seed_demo

    db = Database(url, get_settings())
    try:
        async with db.session() as session:
            report = await seed_demo(session)
            await session.commit()
        return report
    finally:
        await db.dispose()


def _print_seed_report(report: "SeedReport") -> None:
    from rich.table import Table

    from kinerja_api.demo.logins import DEMO_PASSWORD, demo_clients, demo_logins

    if report.total:
        created = ", ".join(f"{count} {kind}" for kind, count in sorted(report.created.items()))
        console.print(f"[green]demo data seeded:[/green] {created}")
    else:
        console.print("[green]demo data already present; nothing to add[/green]")
    logins = Table(title=f"Demo logins (password for all: {DEMO_PASSWORD})")
    for column in ("email", "role", "region"):
        logins.add_column(column, no_wrap=True)
    for login in demo_logins():
        logins.add_row(login.email, login.label, login.region or "(all)")
    # Whole e-mail addresses even when stderr is not a terminal (rich then assumes 80 columns).
    tables = console if console.is_terminal else Console(stderr=True, width=TABLE_WIDTH)
    tables.print(logins)
    clients = Table(title="Demo service accounts (client credentials)")
    for column in ("client_id", "client_secret", "scopes"):
        clients.add_column(column, no_wrap=True)
    for client in demo_clients():
        clients.add_row(client.client_id, client.secret, " ".join(client.scopes))
    tables.print(clients)


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]{message}[/red]")
    return typer.Exit(code=1)


@app.command("seed-demo")
def seed_demo(
    migrate_first: Annotated[bool, typer.Option("--migrate/--no-migrate")] = True,
) -> None:
    """Add the four demo regions with agencies, employees, logins and service accounts.

    Idempotent: what already exists is left untouched.
    """
    _refuse_demo_data_in_production()
    url = _database_url()
    if migrate_first:
        _migrate(url)
    _print_seed_report(asyncio.run(_seed(url)))


async def _create_admin(
    url: str, email: str, full_name: str, password: str, role: "AdminRole", region: str | None
) -> None:
    from kinerja_api.db import Database
    from kinerja_api.org.users.bootstrap import create_admin as create

    db = Database(url, get_settings())
    try:
        async with db.session() as session:
            await create(
                session,
                email=email,
                full_name=full_name,
                password=password,
                role=role,
                region_code=region,
            )
            await session.commit()
    finally:
        await db.dispose()


@app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(help="Sign-in e-mail")],
    full_name: Annotated[str, typer.Option(help="Display name")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="At least 12 characters; prompted for when omitted",
        ),
    ],
    role: Annotated[AdminRoleName, typer.Option(help="region_admin needs --region")] = (
        "superadmin"
    ),
    region: Annotated[str | None, typer.Option(help="Region code, for a region_admin")] = None,
    migrate_first: Annotated[bool, typer.Option("--migrate/--no-migrate")] = True,
) -> None:
    """Create a superadmin, or a region_admin of one region."""
    from kinerja_api.org.users.bootstrap import (
        AdminRole,
        BootstrapError,
        check_admin_scope,
        check_email,
        check_password,
    )

    admin_role = AdminRole(role)
    try:
        # Checked before any database work, so that a typo fails fast.
        address = check_email(email)
        check_password(password)
        check_admin_scope(admin_role, region)
        url = _database_url()
        if migrate_first:
            _migrate(url)
        asyncio.run(_create_admin(url, address, full_name, password, admin_role, region))
    except BootstrapError as exc:
        raise _fail(str(exc)) from None
    scope = f"region {region}" if region else "all regions"
    console.print(f"[green]created {admin_role.value} {address} ({scope})[/green]")


if __name__ == "__main__":
    app()


# --- talking to a running server: import, export ------------------------------------------


def _remote_failure(error: Exception) -> typer.Exit:
    from kinerja_api.remote import RemoteError

    if isinstance(error, RemoteError):
        for problem in error.errors[:10]:
            console.print(f"  {problem.get('field', '')}: {problem.get('message', '')}")
    return _fail(str(error))


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    kind: Annotated[ImportKindName, typer.Option(help="What the file's rows are")],
    server: ServerOption,
    client_id: ClientIdOption,
    client_secret: ClientSecretOption,
    mode: Annotated[
        ImportModeName, typer.Option(help="per_row writes the good rows; all_or_nothing none")
    ] = "per_row",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row, write none")] = False,
    errors: Annotated[
        Path | None, typer.Option(help="Write the refused rows to this CSV file")
    ] = None,
) -> None:
    """Import a CSV or NDJSON file of one kind (employees, plans, ...), with a progress bar.

    Uploads the file as a service account, follows the import to its end, then prints the
    counts and the refused rows (a table, or a CSV file with --errors). Exits 1 when the import
    failed or refused a row."""
    from kinerja_api.remote import (
        IMPORT_FINISHED,
        Credentials,
        connect,
        follow,
        import_errors,
        write_errors,
    )
    from kinerja_api.remote import upload as send

    try:
        with (
            connect(server, Credentials(client_id, client_secret)) as http,
            progress(console) as bars,
        ):
            sending = bars.add_task(f"upload {file.name}", total=file.stat().st_size)
            job = send(
                http,
                file,
                kind=kind,
                mode=mode,
                dry_run=dry_run,
                sent=lambda size: bars.advance(sending, size),
            )
            checking = bars.add_task("rows checked and written", total=None)

            def seen(current: dict[str, Any]) -> None:
                total = current["rows_total"] or None
                bars.update(checking, total=total, completed=current["rows_done"])

            job = follow(http, f"/api/v1/imports/{job['id']}", IMPORT_FINISHED, seen=seen)
            bars.stop()
            print_import(console, job)
            if job["counts"]["failed"]:
                if errors is not None:
                    written = write_errors(import_errors(http, job["id"]), errors)
                    console.print(f"{written:,} refused rows written to {errors}")
                else:
                    print_errors(console, import_errors(http, job["id"]))
    except Exception as error:
        raise _remote_failure(error) from error
    if job["status"] != "succeeded" or job["counts"]["failed"]:
        raise typer.Exit(code=1)


@app.command("export")
def export_list(
    list_name: Annotated[str, typer.Argument(metavar="LIST", help="e.g. employees, plans")],
    server: ServerOption,
    client_id: ClientIdOption,
    client_secret: ClientSecretOption,
    output: Annotated[Path, typer.Option("--output", "-o", help="The CSV file to write")],
    filter_: Annotated[
        list[str] | None,
        typer.Option("--filter", help="NAME=VALUE, as the list's query string takes it; repeat"),
    ] = None,
    sort: Annotated[str | None, typer.Option(help="One of the list's sort values")] = None,
    separator: Annotated[SeparatorName, typer.Option(help="; for spreadsheets set so")] = ",",
) -> None:
    """Export a whole list (employees, plans, ...) as a CSV file, with a progress bar.

    Asks for an export job (run by a worker), follows it, then downloads the file."""
    from kinerja_api.remote import (
        EXPORT_FINISHED,
        Credentials,
        connect,
        download,
        follow,
        start_export,
    )

    filters: dict[str, str] = {}
    for given in filter_ or ():
        name, equals, value = given.partition("=")
        if not equals or not name:
            raise _fail(f"--filter takes NAME=VALUE, not {given!r}")
        filters[name] = value
    try:
        with (
            connect(server, Credentials(client_id, client_secret)) as http,
            progress(console) as bars,
        ):
            job = start_export(http, list_name, filters, sort, separator)
            waiting = bars.add_task(f"export {list_name}", total=None)
            job = follow(
                http,
                f"/api/v1/exports/{job['id']}",
                EXPORT_FINISHED,
                seen=lambda _: bars.advance(waiting, 0),
            )
            bars.update(waiting, total=1, completed=1)
            if job["status"] != "ready":
                raise _fail(f"export {job['status']}: {job.get('failure') or ''}")
            receiving = bars.add_task(f"download {output.name}", total=job["byte_count"])
            download(http, job["file_url"], output, lambda size: bars.advance(receiving, size))
    except typer.Exit:
        raise
    except Exception as error:
        raise _remote_failure(error) from error
    console.print(f"{job['row_count']:,} rows written to {output}")


@app.command()
def openapi(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout")
    ] = None,
) -> None:
    """Print or write the OpenAPI contract, as openapi/openapi.json holds it."""
    from kinerja_api.openapi_export import contract, render

    text = render(contract())
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
