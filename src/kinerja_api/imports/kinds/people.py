"""What the kinds check of the people a row names, whatever its file calls the columns (the
`employees` kind's `nip`, SIASN's `nip_baru`, a rater's `rater_nip`): a NIP of 18 digits, the
org's NIP rule for the employment type, a NIP another region holds refused, a NIP naming an
employee of the region (and the join to them), the agency found by its code in the region, an
employee's employment type fixed once registered, the e-mail address's shape; and the
tombstones of the employees a batch moved, as the employees API records them."""

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.core.bulk_tombstones import agencies_changed, supervisors_changed
from kinerja_api.core.i18n import Msg
from kinerja_api.imports.kind import Check, Context, Found, TakenElsewhere, same_region
from kinerja_api.models.imports import RowProblem
from kinerja_api.org.employees.nip import NIP_PROBLEMS, nip_problem_sql

NIP_ELSEWHERE = Msg(
    "NIP ini terdaftar di wilayah lain.", "This NIP is registered in another region."
)
EMPLOYEE_NOT_FOUND = Msg(
    "Pegawai dengan NIP ini tidak terdaftar di wilayah Anda.",
    "No employee of your region has this NIP.",
)
NIP_NOT_DIGITS = Msg("NIP harus terdiri dari 18 angka.", "The NIP must be 18 digits.")
_NIP_DIGITS = "'^[0-9]{18}$'"
AGENCY_NOT_FOUND = Msg(
    "Unit kerja dengan kode ini tidak ada di wilayah Anda.",
    "No agency of your region has this code.",
)


def nip_digits(nip: str, message: Msg = NIP_NOT_DIGITS) -> Check:
    """The cell `nip` holds 18 digits (a NIP of either employment type, unchecked further)."""
    return Check(nip, RowProblem.INVALID, message, f"r.{nip} !~ {_NIP_DIGITS}")


def employee_is(nip: str = "r.nip", alias: str = "e") -> str:
    """`alias` is the employee of the region that the NIP `nip` (SQL) names."""
    return f"{alias}.nip = {nip} and {same_region(alias)}"


def employee_join(nip: str = "r.nip", alias: str = "e") -> str:
    """The join of a row to the employee of the region that its NIP (`nip`, SQL) names."""
    return f"employees {alias} on {employee_is(nip, alias)}"


def employee_found(
    nip: str, *, shaped: bool = False, active: bool = False, message: Msg = EMPLOYEE_NOT_FOUND
) -> Found:
    """The cell `nip` names an employee of the region (an active one, with `active`). With
    `shaped`, only cells of 18 digits are looked up: `nip_digits` refuses the others."""
    looked_up = f"r.{nip} ~ {_NIP_DIGITS}" if shaped else f"r.{nip} is not null"
    wanted = " and e.active" if active else ""
    return Found(
        nip,
        RowProblem.NOT_FOUND,
        message,
        f"""select r.row_number, r.line, r.{nip} as value from rows r
             where r.malformed is null and {looked_up}
               and not exists (select 1 from employees e
                                where {employee_is(f"r.{nip}")}{wanted})""",  # noqa: S608
    )


def nip_check(nip: str, employment_type: str) -> Check:
    """The NIP rule on the cell `nip`, for the employment type `employment_type` (SQL on `r`
    naming `pns` or `pppk`)."""
    return Check(
        nip,
        RowProblem.INVALID,
        Msg("NIP tidak valid.", "The NIP is not valid."),
        nip_problem_sql(f"r.{nip}", employment_type, ":today"),
        variants=tuple(NIP_PROBLEMS.items()),
    )


def email_check(email: str) -> Check:
    return Check(
        email,
        RowProblem.INVALID,
        Msg("Alamat surel tidak valid.", "The e-mail address is not valid."),
        rf"r.{email} !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'",
    )


def nip_elsewhere(nip: str) -> TakenElsewhere:
    """NIPs of the file that another region holds: those rows are refused."""
    return TakenElsewhere(
        nip,
        f"r.{nip}",
        f"""select distinct r.{nip} from rows r join employees e on e.nip = r.{nip}
             where r.malformed is null and e.region_id <> :region_id""",  # noqa: S608
        NIP_ELSEWHERE,
    )


def agency_found(code: str, recorded_code: str = "r.{code}") -> Found:
    """The cell `code` names an agency of the region by its code (`recorded_code`: how the
    cell compares with `agencies.code`)."""
    compared = recorded_code.format(code=code)
    return Found(
        code,
        RowProblem.NOT_FOUND,
        AGENCY_NOT_FOUND,
        f"""select r.row_number, r.line, r.{code} as value from rows r
             where r.malformed is null and r.{code} is not null
               and not exists (select 1 from agencies a
                                where a.region_id = :region_id and a.code = {compared})""",  # noqa: S608
    )


def employment_type_fixed(nip: str, column: str, employment_type: str) -> Found:
    """A registered employee's employment type cannot change: the cell `column`, read as
    `employment_type` (SQL on `r` naming `pns` or `pppk`, NULL when it names neither), must
    name the recorded one."""
    return Found(
        column,
        RowProblem.CONFLICT,
        Msg(
            "Jenis pegawai yang sudah terdaftar tidak dapat diubah.",
            "A registered employee's employment_type cannot be changed.",
        ),
        f"""select r.row_number, r.line, r.{column} as value
             from rows r join {employee_join(f"r.{nip}")}
            where r.malformed is null and {employment_type} is not null
              and e.employment_type <> {employment_type}""",  # noqa: S608
    )


async def record_moves(session: AsyncSession, context: Context, row: Mapping[Any, Any]) -> None:
    """Tombstones for the employees who left a supervisor's chain or an agency, as the
    employees API records them, for all of them at once."""
    await supervisors_changed(
        session,
        region_id=context.region_id,
        employee_ids=row["supervisor_moved"],
        former_supervisor_ids=row["former_supervisors"],
    )
    await agencies_changed(
        session,
        region_id=context.region_id,
        employee_ids=row["agency_moved"],
        former_agency_ids=row["former_agencies"],
    )
