"""What the plans and progress reports kinds share: how a row names an employee's plan (NIP and
the period's year), a target within it and an indicator within the target (their numbers, the
`position` the plans API shows, read as `cells.py` reads whole numbers), the joins from a row
to them, the rows both upserts write from and the counts they answer, and the lock of the
plans and periods a batch names. The SQL is composed of this module's constants (hence the
S608 exemptions)."""

from kinerja_api.core.i18n import Msg
from kinerja_api.imports.kind import Check, Column, Found
from kinerja_api.imports.kinds.cells import whole, year
from kinerja_api.imports.kinds.people import employee_found, employee_join
from kinerja_api.models.imports import RowProblem
from kinerja_api.plans.api import POSITION_MAX


def number(cell: str) -> str:
    """A target's or an indicator's number: its position, 0 to POSITION_MAX."""
    return whole(cell, 5, POSITION_MAX)


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
        f"r.period is not null and {year('r.period')} is null",
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
EMPLOYEE = employee_join()
PERIOD = f"periods pe on pe.region_id = :region_id and pe.year = {year('r.period')}"
PLAN = "plans p on p.region_id = :region_id and p.period_id = pe.id and p.employee_id = e.id"
# The plan's recorded target and the target's indicator at the row's numbers (a plan made
# through the API may hold two at one number).
TARGET = (
    "targets t on t.region_id = :region_id and t.plan_id = p.id"
    f" and t.position = {number('r.target_no')}"
)
INDICATOR = (
    "indicators i on i.region_id = :region_id and i.target_id = t.id"
    f" and i.position = {number('r.indicator_no')}"
)
# What the upserts write from: the batch's valid rows (`v`) with their employee and their
# period, while it is open.
VALID_IN_OPEN_PERIOD = f"""valid v
      join {employee_join("v.nip")}
      join periods pe on pe.region_id = :region_id and pe.year = {year("v.period")}
                     and pe.status = 'open'"""
# How many rows of `classified` each outcome has: the upserts' answer.
OUTCOMES = """select count(*) filter (where outcome = 'created') as created,
       count(*) filter (where outcome = 'updated') as updated,
       count(*) filter (where outcome = 'unchanged') as unchanged
  from classified"""

PLAN_FOUND = (
    employee_found("nip"),
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


def several_indicators(message: Msg) -> Found:
    """The row's numbers name more than one recorded indicator (two targets or two indicators
    at one number): which one the row means is unclear, and it is refused."""
    return Found(
        "indicator_no",
        RowProblem.CONFLICT,
        message,
        f"""select r.row_number, r.line, r.indicator_no as value
              from rows r join {EMPLOYEE} join {PERIOD} join {PLAN} join {TARGET}
              join {INDICATOR}
             where r.malformed is null
             group by r.row_number, r.line, r.indicator_no having count(*) > 1""",  # noqa: S608
    )


def plan_lock(locking: str) -> str:
    """The lock of the plans the batch's rows name and of their periods, taken as `locking`
    says (`for share of p, pe`), as the API that changes them takes it."""
    return f"""
select count(*) from (
    select 1 from plans p join periods pe on pe.id = p.period_id
     where p.region_id = :region_id
       and exists (select 1 from valid r join {EMPLOYEE}
                    where e.id = p.employee_id and pe.year = {year("r.period")})
       {locking}
) as locked
"""  # noqa: S608


def row_key(*cells: str) -> str:
    """A key over the plan's cells and `cells` (numbers), NULL when one of them is unreadable."""
    parts = ["r.nip", year("r.period")] + [number(cell) for cell in cells]
    return " || '|' || ".join(f"({part})::text" for part in parts)
