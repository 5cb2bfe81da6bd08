"""The house's layers, read from the imports: one way up, domains side by side.

The shared base (core, models, db, config, auth, org and small leaf modules) imports no domain;
`core` imports only core, models, db and config; a domain imports another domain only through
the public interface declared below; nothing imports the wiring (main, routers, cli, seed...)
except the wiring itself. Every offending import is reported, with its file and line."""

import ast
from collections.abc import Iterator, Set
from dataclasses import dataclass
from pathlib import Path

import kinerja_api

PACKAGE = "kinerja_api"
SOURCE_ROOT = Path(kinerja_api.__file__).resolve().parent.parent

CORE = "core"
CORE_MAY_IMPORT = frozenset({"core", "models", "db", "config"})
# The package itself (`kinerja_api`, for its version) counts as a base leaf, named "".
BASE = frozenset(
    {
        "",
        "core",
        "models",
        "db",
        "config",
        "auth",
        "org",
        "migration_helpers",
        "migrations_info",
        "embedded_pg",
    }
)
DOMAINS = frozenset(
    {
        "plans",
        "progress",
        "feedback",
        "audit",
        "health",
        "sync",
        "evaluations",
        "training",
        "exchange",
        "exports",
        "webhooks",
        "imports",
    }
)
WIRING = frozenset(
    {
        "main",
        "docs",
        "routers",
        "task_modules",
        "export_lists",
        "cli",
        "remote",
        "cli_output",
        "demo",
        "openapi_export",
        "dbadmin",
        "__main__",
    }
)
# (importing domain, imported module): the only ways one domain may reach into another.
INTERFACES = frozenset(
    {
        ("progress", "kinerja_api.plans.api"),
        ("sync", "kinerja_api.plans.api"),
        ("sync", "kinerja_api.feedback.api"),
        ("evaluations", "kinerja_api.plans.api"),
        ("evaluations", "kinerja_api.feedback.api"),
        ("progress", "kinerja_api.evaluations.api"),
        ("progress", "kinerja_api.training.api"),
        ("training", "kinerja_api.evaluations.api"),
        ("exchange", "kinerja_api.plans.api"),
        ("exchange", "kinerja_api.feedback.api"),
        ("webhooks", "kinerja_api.progress.api"),
        ("progress", "kinerja_api.imports.api"),
        ("imports", "kinerja_api.evaluations.api"),
        ("imports", "kinerja_api.training.api"),
        ("imports", "kinerja_api.plans.api"),
        ("imports", "kinerja_api.feedback.api"),
        ("imports", "kinerja_api.exchange.api"),
    }
)
# Imports against the layers tolerated while a move is under way; each must still be used.
KNOWN_EXCEPTIONS: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True, slots=True, order=True)
class Violation:
    path: str
    line: int
    importer: str
    imported: str
    rule: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.importer} -> {self.imported} ({self.rule})"


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported(
    root: Path, path: Path, node: ast.Import | ast.ImportFrom, known: Set[str]
) -> Iterator[str]:
    """The modules an import statement names; `from a import b` names `a.b` when b is a
    module, `a` otherwise. Relative imports are resolved against the importing module."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:
        package = _module_name(root, path).split(".")
        if path.name != "__init__.py":
            package.pop()
        anchor = package[: len(package) - (node.level - 1)]
        base = ".".join([*anchor, base] if base else anchor)
    names = (f"{base}.{alias.name}" for alias in node.names)
    yield from dict.fromkeys(name if name in known else base for name in names)


def _top(module: str) -> str:
    """The top-level part of the package a module belongs to ("" for the package itself)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _within(module: str, target: str) -> bool:
    return module == target or module.startswith(f"{target}.")


def _rule_broken(importer: str, imported: str) -> str | None:
    source, target = _top(importer), _top(imported)
    if source == target:
        return None
    if target in WIRING and source not in WIRING:
        return "nothing imports the wiring"
    if source == CORE and target not in CORE_MAY_IMPORT:
        return "core imports only core, models, db and config"
    if source in BASE and target in DOMAINS:
        return "the base imports no domain"
    if source in DOMAINS and target in DOMAINS:
        allowed = INTERFACES | KNOWN_EXCEPTIONS
        if not any(source == s and _within(imported, t) for s, t in allowed):
            return f"{source} may import {target} only through a declared interface"
    return None


@dataclass(frozen=True, slots=True)
class Edge:
    path: str
    line: int
    importer: str
    imported: str


def _modules(source_root: Path, package: str) -> dict[str, Path]:
    files = sorted((source_root / package).rglob("*.py"))
    return {_module_name(source_root, path): path for path in files}


def edges(source_root: Path, package: str = PACKAGE) -> Iterator[Edge]:
    """Every import of a module of `package` by a module of `package` (found under
    `source_root`), at any depth (imports inside functions count)."""
    modules = _modules(source_root, package)
    for importer, path in modules.items():
        shown = str(path.relative_to(source_root))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for imported in _imported(source_root, path, node, modules.keys()):
                    if _within(imported, package):
                        yield Edge(shown, node.lineno, importer, imported)


def violations(source_root: Path, package: str = PACKAGE) -> list[Violation]:
    """Every import that breaks a layer rule, and every module whose top-level package is in
    no layer."""
    layered = BASE | DOMAINS | WIRING
    found = [
        Violation(str(path.relative_to(source_root)), 1, module, "-", "module in no layer")
        for module, path in _modules(source_root, package).items()
        if _top(module) not in layered
    ]
    for edge in edges(source_root, package):
        rule = _rule_broken(edge.importer, edge.imported)
        if rule is not None:
            found.append(Violation(edge.path, edge.line, edge.importer, edge.imported, rule))
    return sorted(found)


def test_the_house_has_one_way_up() -> None:
    found = violations(SOURCE_ROOT)
    assert not found, "imports against the layers:\n" + "\n".join(map(str, found))


def test_every_known_exception_is_still_needed() -> None:
    used = {
        (source, target)
        for edge in edges(SOURCE_ROOT)
        for source, target in KNOWN_EXCEPTIONS
        if _top(edge.importer) == source and _within(edge.imported, target)
    }
    assert used == KNOWN_EXCEPTIONS, f"no longer imported, remove: {KNOWN_EXCEPTIONS - used}"


def test_layers_do_not_overlap() -> None:
    assert not BASE & DOMAINS
    assert not BASE & WIRING
    assert not DOMAINS & WIRING
    assert CORE_MAY_IMPORT <= BASE


# A small tree with one wrong import of each kind (and some right ones around them).
_TREE = {
    "kinerja_api": "",
    "kinerja_api.core": "",
    "kinerja_api.core.events": "import kinerja_api.core.clock\nfrom kinerja_api.auth import x\n",
    "kinerja_api.core.clock": "from kinerja_api.models import Region\n",
    "kinerja_api.models": "",
    "kinerja_api.auth": "",
    "kinerja_api.org": "",
    "kinerja_api.org.service": "\n\nfrom kinerja_api.audit.router import router, tags\n",
    "kinerja_api.plans": "",
    "kinerja_api.plans.api": "from .service import touch_plan\n",
    "kinerja_api.plans.service": "from kinerja_api.core import events\n",
    "kinerja_api.progress": "",
    "kinerja_api.progress.service": (
        "from kinerja_api.plans import api\n"
        "from kinerja_api.plans.api import touch_plan\n"
        "def f():\n"
        "    from kinerja_api.plans.service import touch_plan\n"
    ),
    "kinerja_api.progress.stream": "from ..feedback import abuse\nfrom .. import main\n",
    "kinerja_api.feedback": "",
    "kinerja_api.feedback.abuse": "",
    "kinerja_api.feedback.service": "from kinerja_api.plans.api import touch_plan\n",
    "kinerja_api.audit": "",
    "kinerja_api.audit.router": "",
    "kinerja_api.main": "from kinerja_api.routers import ROUTERS\nfrom kinerja_api import core\n",
    "kinerja_api.routers": "from kinerja_api.progress import stream\n",
    "kinerja_api.stray": "",
}


def _plant(root: Path, tree: dict[str, str]) -> None:
    """Writes each module of `tree` under `root`, as a package when others live inside it."""
    for module, text in tree.items():
        path = root.joinpath(*module.split("."))
        is_package = any(other.startswith(f"{module}.") for other in tree)
        target = path / "__init__.py" if is_package else path.with_suffix(".py")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def test_every_wrong_import_is_reported(tmp_path: Path) -> None:
    _plant(tmp_path, _TREE)

    found = [(v.path, v.line, v.importer, v.imported) for v in violations(tmp_path)]

    # Once each, by file and line: an import naming several things is one offending edge.
    assert found == sorted(
        [
            ("kinerja_api/core/events.py", 2, "kinerja_api.core.events", "kinerja_api.auth"),
            (
                "kinerja_api/org/service.py",
                3,
                "kinerja_api.org.service",
                "kinerja_api.audit.router",
            ),
            (
                "kinerja_api/progress/service.py",
                4,
                "kinerja_api.progress.service",
                "kinerja_api.plans.service",
            ),
            (
                "kinerja_api/progress/stream.py",
                1,
                "kinerja_api.progress.stream",
                "kinerja_api.feedback.abuse",
            ),
            (
                "kinerja_api/progress/stream.py",
                2,
                "kinerja_api.progress.stream",
                "kinerja_api.main",
            ),
            (
                "kinerja_api/feedback/service.py",
                1,
                "kinerja_api.feedback.service",
                "kinerja_api.plans.api",
            ),
            ("kinerja_api/stray.py", 1, "kinerja_api.stray", "-"),
        ]
    )


def test_a_violation_reads_as_file_line_and_edge(tmp_path: Path) -> None:
    _plant(tmp_path, _TREE)

    shown = [str(v) for v in violations(tmp_path)]

    assert (
        "kinerja_api/core/events.py:2: kinerja_api.core.events -> kinerja_api.auth "
        "(core imports only core, models, db and config)"
    ) in shown
