"""What `kinerja import` and `kinerja export` take (the server and a service account's
credentials) and show (progress bars, an import's counts and its refused rows as tables)."""

from typing import Annotated, Any, Literal

import typer
from rich.console import Console

ERRORS_SHOWN = 50
# kinerja_api.models.imports.ImportKind, spelled out so that `--help` need not import the models.
ImportKindName = Literal[
    "agencies",
    "employees",
    "users",
    "plans",
    "progress_reports",
    "evaluation_assignments",
    "training_attendance",
    "external_training",
    "siasn_employees",
    "lapor_complaints",
]
ImportModeName = Literal["per_row", "all_or_nothing"]
SeparatorName = Literal[",", ";"]
ServerOption = Annotated[
    str,
    typer.Option(envvar="KINERJA_SERVER", help="The API's base URL [env KINERJA_SERVER]"),
]
ClientIdOption = Annotated[
    str,
    typer.Option(
        envvar="KINERJA_CLIENT_ID",
        prompt="Service account client_id",
        help="A service account's client_id [env KINERJA_CLIENT_ID; prompted for when unset]",
    ),
]
ClientSecretOption = Annotated[
    str,
    typer.Option(
        envvar="KINERJA_CLIENT_SECRET",
        prompt="client_secret",
        hide_input=True,
        help="Its secret [env KINERJA_CLIENT_SECRET; prompted for when unset]",
    ),
]


def progress(console: Console) -> Any:
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def print_import(console: Console, job: dict[str, Any]) -> None:
    from rich.table import Table

    counts = Table(title=f"import {job['id']} ({job['kind']}, {job['mode']}): {job['status']}")
    for name in ("read", "created", "updated", "unchanged", "failed"):
        counts.add_column(name, justify="right")
    counts.add_row(*(f"{job['counts'][name]:,}" for name in ("read", "created", "updated",
                                                              "unchanged", "failed")))  # fmt: skip
    console.print(counts)
    if job.get("failure"):
        console.print(f"[red]{job['failure']}[/red]")


def print_errors(console: Console, errors: Any) -> None:
    from rich.table import Table

    from kinerja_api.remote import ERROR_COLUMNS

    shown = Table(title="refused rows")
    for column in ERROR_COLUMNS:
        shown.add_column(column)
    for number, error in enumerate(errors):
        if number == ERRORS_SHOWN:
            console.print(shown)
            console.print("(more: write them all with --errors FILE.csv)")
            return
        shown.add_row(*(str(error.get(column) or "") for column in ERROR_COLUMNS))
    console.print(shown)
