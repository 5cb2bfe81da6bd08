"""The SQL the engine runs for a kind, built once per kind from its declaration: the `rows` and
`valid` relations every fragment reads, and typed parameters."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    Boolean,
    Date,
    DateTime,
    Integer,
    Text,
    TextClause,
    Uuid,
    bindparam,
    text,
)
from sqlalchemy.types import TypeEngine

from kinerja_api.imports.kind import Kind, quoted

PARAMETER_TYPES: dict[str, TypeEngine[Any]] = {
    "region_id": Uuid(),
    "import_id": Uuid(),
    "first": Integer(),
    "last": Integer(),
    "write": Boolean(),
    "today": Date(),
    "now": DateTime(timezone=True),
    "principal_id": Uuid(),
    "grantable": ARRAY(Text()),
    "password_hash": Text(),
    "taken": ARRAY(Text()),
}
_PARAMETER = re.compile(r"(?<![:\w]):([a-z_]+)\b")


def _cell(kind: Kind, position: int) -> str:
    cell = f"s.cells[{position}]"
    if not kind.blanks:
        return cell
    blanks = ", ".join(quoted(blank) for blank in kind.blanks)
    return f"case when {cell} in ({blanks}) then null else {cell} end"


def _rows(kind: Kind) -> str:
    cells = ", ".join(
        f"{_cell(kind, position)} as {name}"
        for position, name in enumerate(kind.column_names, start=1)
    )
    return f"""rows as (
    select s.row_number, s.line, s.malformed, {cells}
      from import_rows s
     where s.region_id = :region_id and s.import_id = :import_id
       and s.row_number between :first and :last
),
valid as (
    select * from rows r
     where r.malformed is null and not exists (
           select 1 from import_errors e
            where e.region_id = :region_id and e.import_id = :import_id
              and e.row_number = r.row_number)
)"""  # noqa: S608


@dataclass(frozen=True)
class Statement:
    clause: TextClause
    names: frozenset[str]

    def parameters(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The values among `values` that the statement takes."""
        return {name: value for name, value in values.items() if name in self.names}


@cache
def statement(kind: Kind, tail: str) -> Statement:
    """`tail` (CTEs each introduced by a comma, then the statement; or just the statement)
    after the kind's `rows` and `valid`, with its parameters typed."""
    sql = f"with recursive {_rows(kind)}\n{tail}"
    types = {**PARAMETER_TYPES, **dict(kind.drawn)}
    names = frozenset(_PARAMETER.findall(sql))
    unknown = sorted(names - types.keys())
    if unknown:
        raise ValueError(f"{kind.name}: unknown parameters {unknown}")
    typed = [bindparam(name, type_=types[name]) for name in sorted(names)]
    return Statement(text(sql).bindparams(*typed), names)
