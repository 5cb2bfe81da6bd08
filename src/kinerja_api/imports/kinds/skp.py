"""What the plans and progress reports kinds share: how a row names an employee's plan (NIP and
the period's year), a target within it and an indicator within the target (their numbers, the
`position` the plans API shows), and the SQL that reads those cells. Every cast is guarded by
the cell's pattern: the statements may read a row before its problems rule it out."""

from collections.abc import Iterable

from kinerja_api.core.i18n import Msg
from kinerja_api.imports.kind import Check, Column, Found, quoted, same_region
from kinerja_api.models.imports import RowProblem
from kinerja_api.plans.api import POSITION_MAX

_YEAR = "^[0-9]{4}$"
_NUMBER = "^[0-9]{1,5}$"
_DATE = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


def year(cell: str) -> str:
    return f"(case when {cell} ~ '{_YEAR}' then {cell}::int end)"


def number(cell: str) -> str:
    """A target's or an indicator's number: its position, 0 to POSITION_MAX."""
    return (
        f"(case when {cell} ~ '{_NUMBER}' and {cell}::int <= {POSITION_MAX} then {cell}::int end)"
    )


def decimal(cell: str, digits: int, places: int) -> str:
    """An exact decimal of at most `digits` digits before the point and `places` after; a comma
    is read as the decimal point (as Indonesian spreadsheets write it)."""
    pattern = f"^[0-9]{{1,{digits}}}([.,][0-9]{{1,{places}}})?$"
    return (
        f"(case when {cell} ~ '{pattern}'"
        f" then replace({cell}, ',', '.')::numeric({digits + places}, {places}) end)"
    )


def day(cell: str) -> str:
    """A date written YYYY-MM-DD, NULL when it is not one (a 30 February)."""
    first = f"make_date(left({cell}, 4)::int, substr({cell}, 6, 2)::int, 1)"
    return (
        f"(case when {cell} ~ '{_DATE}' and substr({cell}, 9, 2)::int"
        f" <= extract(day from {first} + interval '1 month - 1 day') then {cell}::date end)"
    )


def one_of(cell: str, values: Iterable[str]) -> str:
    """`cell` (case-insensitively) is not one of `values` (an enum's, say)."""
    allowed = ", ".join(quoted(str(value)) for value in values)
    return f"lower({cell}) not in ({allowed})"


PLAN_COLUMNS = (
    Column("nip", "The employee's NIP, registered in your region.", True, 40),
    Column("period", "The period's year (e.g. `2026`): a period of your region.", True, 10),
    Column(
        "target_no",
        f"The target's (RHK's) number within the plan, 0 to {POSITION_MAX}: its `position`, "
        "by which the target is found again.",
        True,
        10,
    ),
)
INDICATOR_COLUMN = Column(
    "indicator_no",
    f"The indicator's number within its target, 0 to {POSITION_MAX}: its `position`, by "
    "which the indicator is found again.",
    True,
    10,
)

PLAN_CHECKS = (
    Check(
        "period",
        RowProblem.INVALID,
        Msg("Periode ditulis sebagai tahun, misalnya 2026.", "The period is a year, e.g. 2026."),
        f"r.period !~ '{_YEAR}'",
    ),
    Check(
        "target_no",
        RowProblem.INVALID,
        Msg(
            f"Nomor sasaran harus bilangan bulat 0 sampai {POSITION_MAX}.",
            f"The target_no must be a whole number from 0 to {POSITION_MAX}.",
        ),
        f"{number('r.target_no')} is null",
    ),
    Check(
        "indicator_no",
        RowProblem.INVALID,
        Msg(
            f"Nomor indikator harus bilangan bulat 0 sampai {POSITION_MAX}.",
            f"The indicator_no must be a whole number from 0 to {POSITION_MAX}.",
        ),
        f"{number('r.indicator_no')} is null",
    ),
)

# A row's employee and period, in the caller's region.
EMPLOYEE = f"employees e on e.nip = r.nip and {same_region('e')}"
PERIOD = f"periods pe on pe.region_id = :region_id and pe.year = {year('r.period')}"
PLAN = "plans p on p.region_id = :region_id and p.period_id = pe.id and p.employee_id = e.id"

PLAN_FOUND = (
    Found(
        "nip",
        RowProblem.NOT_FOUND,
        Msg(
            "Tidak ada pegawai dengan NIP ini di wilayah Anda.",
            "No employee of your region has this NIP.",
        ),
        f"""select r.row_number, r.line, r.nip as value from rows r
            where r.malformed is null and r.nip is not null
              and not exists (select 1 from employees e
                               where e.nip = r.nip and {same_region("e")})""",  # noqa: S608
    ),
    Found(
        "period",
        RowProblem.NOT_FOUND,
        Msg(
            "Wilayah Anda tidak memiliki periode tahun ini.",
            "Your region has no period for this year.",
        ),
        f"""select r.row_number, r.line, r.period as value from rows r
            where r.malformed is null and {year("r.period")} is not null
              and not exists (select 1 from periods pe
                               where pe.region_id = :region_id
                                 and pe.year = {year("r.period")})""",  # noqa: S608
    ),
    Found(
        "period",
        RowProblem.CONFLICT,
        Msg(
            "Periode ini sudah ditutup; rencana dan realisasinya tidak dapat diubah.",
            "This period is closed; its plans and progress cannot change.",
        ),
        f"""select r.row_number, r.line, r.period as value from rows r join {PERIOD}
            where r.malformed is null and pe.status <> 'open'""",  # noqa: S608
    ),
)


def row_key(*cells: str) -> str:
    """A key over the plan's cells and `cells` (numbers), NULL when one of them is unreadable."""
    parts = ["r.nip", year("r.period")] + [number(cell) for cell in cells]
    return " || '|' || ".join(f"({part})::text" for part in parts)
