"""What an import kind declares: its columns, the problems a row can have (each an SQL
condition, checked for every staged row in one statement), the keys that must be unique in the
file, what must exist in the region, and the upsert that writes a batch. The engine
(`validation.py`, `processing.py`) runs the declarations; a new kind is one module of
`kinds/` declaring a `Kind`.

Every SQL fragment reads the staged rows through two relations the engine provides:
`rows` (every staged row of the import, or of the batch being written, with one text column
per declared column, NULL when empty, beside `row_number`, `line` and `malformed`) and
`valid` (those rows with no problem recorded). Parameters every statement may use:
`:region_id`, `:import_id`, `:first` and `:last` (the batch's row numbers), `:write` (false
in a dry run), `:today` (the region's date), `:now` (the instant the job started or resumed),
`:principal_id`, `:grantable` (the roles the importer may grant) and `:password_hash` (of new
accounts, which no one can sign in with until a password is set); the upsert also those the kind
draws for each batch (`Kind.draw`).
"""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeEngine

from kinerja_api.config import Settings
from kinerja_api.core.i18n import Msg
from kinerja_api.models.imports import ImportKind, RowProblem

DEFAULT_MAX_LENGTH = 200


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    required: bool = False
    max_length: int = DEFAULT_MAX_LENGTH


@dataclass(frozen=True)
class Check:
    """A problem a row shows by itself: `bad` is an SQL condition on `r` (the row's cells by
    column name), true when the row has it; `value` the SQL of what the error shows (the
    field's cell by default). NULL cells never have a problem other than `missing`: write
    conditions that are NULL (or false) for them.

    With `variants`, `bad` is instead an SQL expression naming which of them the row has (a
    key of `variants`, whose message is shown) or NULL: one rule with several messages (the
    NIP's), evaluated once per row."""

    field: str | None
    problem: RowProblem
    message: Msg
    bad: str
    value: str | None = None
    variants: tuple[tuple[str, Msg], ...] = ()


@dataclass(frozen=True)
class Key:
    """A natural key: rows of one file may not share its value (`expression` on `r`, e.g.
    `lower(r.email)`)."""

    field: str
    expression: str


@dataclass(frozen=True)
class Found:
    """Rows with a problem found by looking beyond the row (other rows, recorded data):
    `select` yields `row_number`, `line` and `value` of each row that has it, from `rows r`."""

    field: str | None
    problem: RowProblem
    message: Msg
    select: str


@dataclass(frozen=True)
class TakenElsewhere:
    """A key that is unique across regions (a NIP, an e-mail address): `select` yields the
    distinct values of `expression` among the staged rows that another region holds. It runs
    on the audited all-regions path (the rows of other regions are not visible otherwise) and
    answers only values of the caller's own file; those rows are refused, never written."""

    field: str
    expression: str
    select: str
    message: Msg


@dataclass(frozen=True)
class Reference:
    """A cell naming another row by its key (a supervisor's NIP, a parent's code): it must name
    a recorded row (`recorded`, an SQL condition on `r`) or a row of the file that has no
    problem itself (`target`, the key's column). Checked until no more rows fail, so that a
    row naming a refused row is refused too."""

    field: str
    target: str
    recorded: str
    message: Msg


@dataclass(frozen=True)
class Written:
    """What a batch's upsert did: rows created, updated and left unchanged, and the rest of
    its answer (kind-specific, for `after_write`)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    """The import being processed, for the hooks of a kind."""

    region_id: Any
    import_id: Any
    settings: Settings


AfterWrite = Callable[[AsyncSession, Context, Mapping[Any, Any]], Awaitable[None]]
# Values drawn afresh for each batch (random codes), given its number of rows.
Draw = Callable[[int], Mapping[str, Any]]


async def _nothing_after(
    _session: AsyncSession, _context: Context, _row: Mapping[str, Any]
) -> None:
    return None


@dataclass(frozen=True)
class Kind:
    """An import kind. `upsert` and `finish` are the rest of a `WITH RECURSIVE rows AS (...),
    valid AS (...)` list: further CTEs (each introduced by a comma) and a final statement.
    `upsert` writes the batch's valid rows (none when `:write` is false) and answers one row
    with `created`, `updated` and `unchanged` counted as of before the write, plus whatever
    `after_write` needs. `finish` runs once after the last batch, over the whole file (links
    to rows of later batches), answering one row for `after_finish`."""

    name: ImportKind
    columns: tuple[Column, ...]
    upsert: str
    checks: tuple[Check, ...] = ()
    keys: tuple[Key, ...] = ()
    taken_elsewhere: tuple[TakenElsewhere, ...] = ()
    found: tuple[Found, ...] = ()
    references: tuple[Reference, ...] = ()
    # Problems that only whole chains show (loops), checked after the references.
    chains: tuple[Found, ...] = ()
    finish: str | None = None
    # Run first in every writing transaction: the advisory lock the kind's API takes for the
    # same changes (the agency tree, the supervisor chains).
    lock: str | None = None
    after_write: AfterWrite = _nothing_after
    after_finish: AfterWrite = _nothing_after
    # Columns of the file's header the kind accepts and does not read (the rest of a national
    # export's columns).
    ignored: frozenset[str] = frozenset()
    # Cells that mean "empty" in this kind's files, read as empty ones (SIASN writes `-`):
    # constants of ours, compared to the whole cell.
    blanks: tuple[str, ...] = ()
    # Parameters of the upsert drawn for each batch (`draw`, called with the batch's row count),
    # each named with its SQL type in `drawn`.
    draw: Draw | None = None
    drawn: tuple[tuple[str, TypeEngine[Any]], ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def required(self) -> frozenset[str]:
        return frozenset(column.name for column in self.columns if column.required)


def same_region(alias: str) -> str:
    """The region condition of a row joined by a key unique across regions (a NIP, an e-mail
    address). Written `is not distinct from`, which no index serves, so that the join probes the
    key's unique index: a region's statistics lag behind an import that fills it, and a join
    planned through a region-led index scans the whole region once per row."""
    return f"{alias}.region_id is not distinct from :region_id"


UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


def as_uuid(cell: str) -> str:
    """The SQL of a cell read as a UUID: NULL when it is not one (never a cast error)."""
    return f"(case when {cell} ~ {quoted(UUID_PATTERN)} then {cell}::uuid end)"


def quoted(text: str) -> str:
    """An SQL string literal of our own constant `text` (messages, names): never client data,
    which always travels as a parameter."""
    return "'" + text.replace("'", "''") + "'"


def cell_checks(columns: Sequence[Column]) -> tuple[Check, ...]:
    """The problems every column's cells can have: empty where required, too long, and a
    leading `=`, `+`, `-` or `@`, which a spreadsheet would run as a formula (CSV injection)."""
    checks: list[Check] = []
    for column in columns:
        cell = f"r.{column.name}"
        if column.required:
            checks.append(
                Check(
                    column.name,
                    RowProblem.MISSING,
                    Msg(f"Kolom {column.name} wajib diisi.", f"The {column.name} cell is empty."),
                    f"{cell} is null",
                )
            )
        checks.append(
            Check(
                column.name,
                RowProblem.TOO_LONG,
                Msg(
                    f"Kolom {column.name} paling banyak {column.max_length} karakter.",
                    f"The {column.name} cell holds more than {column.max_length} characters.",
                ),
                f"length({cell}) > {column.max_length}",
                value=f"left({cell}, 40) || '…'",
            )
        )
        checks.append(
            Check(
                column.name,
                RowProblem.FORMULA,
                Msg(
                    f"Kolom {column.name} diawali =, +, - atau @ (rumus lembar kerja).",
                    f"The {column.name} cell starts with =, +, - or @ (a spreadsheet formula).",
                ),
                f"left({cell}, 1) in ('=', '+', '-', '@')",
            )
        )
    return tuple(checks)
