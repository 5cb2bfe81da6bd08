"""Checking every staged row of an import against its kind's declaration, in set-based
statements: each kind of problem is one `INSERT INTO import_errors ... SELECT` over the staged
rows (the row-by-row checks all in one pass), never a Python loop over rows. The statements
are composed from the kinds' declarations, which are constants (hence the S608 exemptions);
what a client sent only ever travels as data (the staged cells, parameters)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.core.i18n import Msg
from kinerja_api.imports.kind import (
    Check,
    Found,
    Kind,
    Reference,
    TakenElsewhere,
    cell_checks,
    quoted,
)
from kinerja_api.imports.reading import Malformed
from kinerja_api.imports.statements import statement
from kinerja_api.models.imports import RowProblem

_MALFORMED: dict[Malformed, tuple[RowProblem, Msg]] = {
    Malformed.CELL_COUNT: (
        RowProblem.MALFORMED_ROW,
        Msg(
            "Baris memuat lebih banyak sel daripada baris judul.",
            "The row holds more cells than the header row.",
        ),
    ),
    Malformed.INVALID_JSON: (
        RowProblem.MALFORMED_ROW,
        Msg("Baris bukan JSON yang valid.", "The line is not valid JSON."),
    ),
    Malformed.NOT_AN_OBJECT: (
        RowProblem.MALFORMED_ROW,
        Msg("Baris bukan objek JSON.", "The line is not a JSON object."),
    ),
    Malformed.NESTED_VALUE: (
        RowProblem.MALFORMED_ROW,
        Msg(
            "Nilai bertingkat (objek) tidak dapat diimpor.",
            "A nested value (an object) cannot be imported.",
        ),
    ),
    Malformed.UNKNOWN_FIELD: (
        RowProblem.UNKNOWN_FIELD,
        Msg(
            "Objek memuat field yang tidak dikenal untuk jenis impor ini.",
            "The object holds a field this kind of import does not have.",
        ),
    ),
}
_INSERT = """
insert into import_errors
       (region_id, import_id, row_number, line, field, problem, message_id, message_en, value)
"""


@dataclass(frozen=True)
class _Outcome:
    """One way a row can fail the row-by-row checks, by number: when (`when`, an SQL condition
    on `r`), where (`field`), what (`problem`, `message`), and what the error shows."""

    when: str
    field: str | None
    problem: RowProblem
    message: Msg
    value: str


def _outcomes(checks: tuple[Check, ...]) -> tuple[list[_Outcome], str]:
    """The outcomes of `checks` after those of malformed lines, and the lateral subqueries
    that name each check-with-variants' variant once per row."""
    outcomes = [
        _Outcome(f"r.malformed = {quoted(reason.value)}", None, problem, message, "null")
        for reason, (problem, message) in _MALFORMED.items()
    ]
    keyed = ""
    for position, check in enumerate(checks):
        value = check.value or (f"left(r.{check.field}, 200)" if check.field else "null")
        if not check.variants:
            outcomes.append(
                _Outcome(
                    f"r.malformed is null and ({check.bad})",
                    check.field,
                    check.problem,
                    check.message,
                    value,
                )
            )
            continue
        key = f"k{position}"
        keyed += f"\n  cross join lateral (select ({check.bad})::text as key) as {key}"
        outcomes += [
            _Outcome(
                f"r.malformed is null and {key}.key = {quoted(name)}",
                check.field,
                check.problem,
                message,
                value,
            )
            for name, message in check.variants
        ]
    return outcomes, keyed


def checks_sql(checks: tuple[Check, ...]) -> str:
    """Every row-by-row check in one pass over the rows: each row gets the array of the
    outcomes it fails (most rows: none), and only those become errors, their messages joined
    from a list of constants by number."""
    outcomes, keyed = _outcomes(checks)
    failed = ",\n            ".join(
        f"case when {outcome.when} then {number} end"
        for number, outcome in enumerate(outcomes, start=1)
    )
    constants = ",\n        ".join(
        f"({number}, {quoted(outcome.field) if outcome.field else 'null'}::text, "
        f"{quoted(outcome.problem.value)}, {quoted(outcome.message.id)}, "
        f"{quoted(outcome.message.en)})"
        for number, outcome in enumerate(outcomes, start=1)
    )
    values = "\n".join(
        f"            when {number} then {outcome.value}"
        for number, outcome in enumerate(outcomes, start=1)
    )
    return f"""{_INSERT}
select :region_id, :import_id, r.row_number, r.line, c.field, c.problem, c.message_id,
       c.message_en,
       (case f.number
{values}
        end)::text
  from (
    select r.*, array_remove(array[
            {failed}
           ], null) as failed
      from rows r{keyed}
  ) as r
  cross join unnest(r.failed) as f(number)
  join (values
        {constants}
  ) as c(number, field, problem, message_id, message_en) on c.number = f.number"""  # noqa: S608


def _found_sql(found: Found) -> str:
    field = quoted(found.field) if found.field else "null"
    return f"""{_INSERT}
select :region_id, :import_id, x.row_number, x.line, {field}, {quoted(found.problem.value)},
       {quoted(found.message.id)}, {quoted(found.message.en)}, left(x.value, 200)
  from ({found.select}) as x"""  # noqa: S608


def _duplicates(kind: Kind) -> list[Found]:
    return [
        Found(
            key.field,
            RowProblem.DUPLICATE,
            Msg(
                f"Nilai {key.field} ini muncul lebih dari sekali dalam berkas.",
                f"This {key.field} appears more than once in the file.",
            ),
            f"""select d.row_number, d.line, d.value from (
                select r.row_number, r.line, r.{key.field} as value,
                       count(*) over (partition by {key.expression}) as times
                  from rows r
                 where r.malformed is null and {key.expression} is not null) as d
             where d.times > 1""",  # noqa: S608
        )
        for key in kind.keys
    ]


def _taken_sql(taken: TakenElsewhere) -> str:
    return _found_sql(
        Found(
            taken.field,
            RowProblem.OTHER_REGION,
            taken.message,
            f"""select r.row_number, r.line, r.{taken.field} as value from rows r
                 where r.malformed is null and {taken.expression} = any(:taken)""",  # noqa: S608
        )
    )


def _reference_sql(reference: Reference) -> str:
    """Rows without a problem so far whose reference names neither a recorded row nor a row of
    the file without a problem."""
    field = reference.field
    return _found_sql(
        Found(
            field,
            RowProblem.NOT_FOUND,
            reference.message,
            f"""select r.row_number, r.line, r.{field} as value from valid r
                 where r.{field} is not null and not ({reference.recorded})
                   and not exists (select 1 from valid t where t.{reference.target} = r.{field})""",  # noqa: S608
        )
    )


_FAILED = """
select count(distinct e.row_number) from import_errors e
 where e.region_id = :region_id and e.import_id = :import_id
"""


async def taken_elsewhere(
    session: AsyncSession, kind: Kind, values: Mapping[str, Any]
) -> dict[str, list[str]]:
    """For each of the kind's keys unique across regions, the values of the file that another
    region holds. `session` must be on the all-regions path; it only reads."""
    taken: dict[str, list[str]] = {}
    for check in kind.taken_elsewhere:
        query = statement(kind, check.select)
        found = await session.scalars(query.clause, query.parameters(values))
        taken[check.field] = [str(value) for value in found]
    return taken


async def _insert(session: AsyncSession, kind: Kind, sql: str, values: Mapping[str, Any]) -> int:
    query = statement(kind, sql)
    result = await session.execute(query.clause, query.parameters(values))
    return int(result.rowcount)  # type: ignore[attr-defined]


async def _references(session: AsyncSession, kind: Kind, values: Mapping[str, Any]) -> None:
    # Until a pass refuses nothing more: a row naming a row refused in the last pass fails too.
    while True:
        refused = 0
        for reference in kind.references:
            refused += await _insert(session, kind, _reference_sql(reference), values)
        if refused == 0:
            return


async def validate(
    session: AsyncSession,
    kind: Kind,
    values: Mapping[str, Any],
    taken: Mapping[str, list[str]],
) -> int:
    """Records every problem of the import's staged rows (`values` names the import and the
    whole file as `:first`..`:last`); answers how many rows have one. `taken` holds, per key,
    the file's values another region holds (`taken_elsewhere`)."""
    await _insert(session, kind, checks_sql(cell_checks(kind.columns) + kind.checks), values)
    for duplicate in _duplicates(kind):
        await _insert(session, kind, _found_sql(duplicate), values)
    for check in kind.taken_elsewhere:
        if taken.get(check.field):
            await _insert(session, kind, _taken_sql(check), {**values, "taken": taken[check.field]})
    for found in kind.found:
        await _insert(session, kind, _found_sql(found), values)
    await _references(session, kind, values)
    if kind.chains:
        for chain in kind.chains:
            await _insert(session, kind, _found_sql(chain), values)
        await _references(session, kind, values)
    failed = statement(kind, _FAILED)
    return int(await session.scalar(failed.clause, failed.parameters(values)) or 0)
