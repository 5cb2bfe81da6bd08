"""The demo package: the people it generates are pinned, and nothing the service runs imports it.

What the demo writes to a database is checked in test_seed.py."""

import ast
import dataclasses
import hashlib
import json
import subprocess
import sys
from pathlib import Path

from kinerja_api.demo.data import REGIONS
from kinerja_api.demo.people import plan_region

SOURCE = Path(__file__).resolve().parents[2] / "src" / "kinerja_api"
# Every region's agencies and employees (keys, NIPs, names, posts, grades, supervisors), pinned:
# a change to the data files or to the order of the random draws shows here first.
PEOPLE_DIGEST = "0036be718405960ede62806b7e61d566efe1b879fed2ac07f25ec9ffebd5a5da"
SEKRETARIS_DAERAH = {
    "bungo": ("196708211995082100", "Novita Hasanah, M.Si."),
    "medan-marelan": ("196912121999031200", "Hasan Ginting, M.Si."),
    "surabaya": ("197110231994062300", "Wulan Rahmawati, M.Si."),
    "gorontalo": ("196602101992092400", "Rini Akuba, M.Si."),
}


def test_the_demo_people_never_change() -> None:
    plans = [plan_region(spec, number) for number, spec in enumerate(REGIONS, start=1)]
    rows = [[dataclasses.astuple(row) for row in (*p.agencies, *p.employees)] for p in plans]
    assert hashlib.sha256(json.dumps(rows).encode()).hexdigest() == PEOPLE_DIGEST
    heads = {p.spec.code: (p.employees[0].nip, p.employees[0].name) for p in plans}
    assert heads == SEKRETARIS_DAERAH


def _imports(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
    return modules


def test_only_the_command_line_imports_the_demo() -> None:
    demo = SOURCE / "demo"
    importers = {
        str(path.relative_to(SOURCE))
        for path in SOURCE.rglob("*.py")
        if demo not in path.parents
        and any(name.startswith("kinerja_api.demo") for name in _imports(path))
    }
    assert importers == {"cli.py"}


def test_the_service_runs_without_the_demo() -> None:
    probe = (
        "import sys\n"
        "from kinerja_api.main import create_app\n"
        "create_app()\n"
        "print(sorted(name for name in sys.modules if name.startswith('kinerja_api.demo')))\n"
    )
    command = [sys.executable, "-c", probe]
    result = subprocess.run(command, capture_output=True, text=True, check=True, timeout=120)  # noqa: S603
    assert result.stdout.strip() == "[]"
