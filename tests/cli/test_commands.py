"""The `kinerja` command's own surface: every command listed with a one-line description, and
`kinerja openapi` writing the contract the repository holds."""

from pathlib import Path
from typing import get_args

from typer.testing import CliRunner

from kinerja_api.cli import app
from kinerja_api.cli_output import ImportKindName
from kinerja_api.models.imports import ImportKind

COMMANDS = (
    "migrate",
    "serve",
    "worker",
    "seed-demo",
    "create-admin",
    "import",
    "export",
    "openapi",
)
CONTRACT = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


def test_help_lists_every_command_with_a_one_line_description() -> None:
    registered = {
        command.name or command.callback.__name__.replace("_", "-")  # type: ignore[union-attr]
        for command in app.registered_commands
    }
    assert registered == set(COMMANDS)
    for command in app.registered_commands:
        summary = (command.callback.__doc__ or "").strip().split("\n\n")[0]  # type: ignore[union-attr]
        assert summary, command.name
        assert summary.endswith("."), command.name
        assert len(" ".join(summary.split())) <= 100, command.name
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    listed = [line.split()[1] for line in result.output.splitlines() if line.startswith("│ ")]
    assert set(COMMANDS) <= set(listed)


def test_openapi_writes_the_contract_the_repository_holds(tmp_path: Path) -> None:
    written = tmp_path / "openapi.json"
    result = CliRunner().invoke(app, ["openapi", "--output", str(written)])
    assert result.exit_code == 0, result.output
    assert written.read_text(encoding="utf-8") == CONTRACT.read_text(encoding="utf-8")
    printed = CliRunner().invoke(app, ["openapi"])
    assert printed.stdout == CONTRACT.read_text(encoding="utf-8")


def test_import_takes_every_kind_the_api_does() -> None:
    assert set(get_args(ImportKindName)) == {kind.value for kind in ImportKind}
