"""NIP (Nomor Induk Pegawai) validation, free of I/O so it can be tested on its own.

A PNS NIP is 18 digits: birth date YYYYMMDD, appointment (TMT CPNS) YYYYMM, sex digit
(1 male, 2 female) and a 3-digit serial. PPPK numbers follow other rules, so for them only the
shape is checked.
"""

import re
from datetime import date

from kinerja_api.core.i18n import Msg
from kinerja_api.models.org import EmploymentType

ADULT_AGE = 18
_SHAPE = re.compile(r"[0-9]{18}")

NOT_18_DIGITS = Msg("NIP harus terdiri dari 18 angka.", "A NIP must be exactly 18 digits.")
BAD_BIRTH_DATE = Msg(
    "Tanggal lahir pada NIP (angka 1-8) bukan tanggal yang valid.",
    "The birth date in the NIP (digits 1-8) is not a valid date.",
)
BAD_APPOINTMENT = Msg(
    "Bulan pengangkatan pada NIP (angka 9-14) bukan bulan yang valid.",
    "The appointment month in the NIP (digits 9-14) is not a valid month.",
)
FUTURE_APPOINTMENT = Msg(
    "Bulan pengangkatan pada NIP berada di masa depan.",
    "The appointment month in the NIP is in the future.",
)
UNDERAGE_APPOINTMENT = Msg(
    "Bulan pengangkatan pada NIP sebelum pegawai berusia 18 tahun.",
    "The appointment month in the NIP is before the employee turned 18.",
)
BAD_SEX_DIGIT = Msg(
    "Angka jenis kelamin pada NIP (angka 15) harus 1 atau 2.",
    "The sex digit in the NIP (digit 15) must be 1 or 2.",
)


def _birth_date(nip: str) -> date | None:
    try:
        return date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        return None


def _pns_error(nip: str, today: date) -> Msg | None:
    birth = _birth_date(nip)
    if birth is None:
        return BAD_BIRTH_DATE
    appointed = (int(nip[8:12]), int(nip[12:14]))
    if not 1 <= appointed[1] <= 12 or appointed[0] < 1:
        return BAD_APPOINTMENT
    if appointed > (today.year, today.month):
        return FUTURE_APPOINTMENT
    # The NIP records the appointment month only, so the month of the 18th birthday counts.
    if appointed < (birth.year + ADULT_AGE, birth.month):
        return UNDERAGE_APPOINTMENT
    if nip[14] not in "12":
        return BAD_SEX_DIGIT
    return None


def nip_error(nip: str, employment_type: EmploymentType, today: date) -> Msg | None:
    """Why `nip` is not a valid number for `employment_type` as of `today`; None if it is."""
    if not _SHAPE.fullmatch(nip):
        return NOT_18_DIGITS
    if employment_type == EmploymentType.PNS:
        return _pns_error(nip, today)
    return None


# The same rule in SQL, for checking many rows in one statement (bulk imports): each problem
# above by a key, and an expression naming the first problem's key (NULL when there is none).
NIP_PROBLEMS: dict[str, Msg] = {
    "not_18_digits": NOT_18_DIGITS,
    "bad_birth_date": BAD_BIRTH_DATE,
    "bad_appointment": BAD_APPOINTMENT,
    "future_appointment": FUTURE_APPOINTMENT,
    "underage_appointment": UNDERAGE_APPOINTMENT,
    "bad_sex_digit": BAD_SEX_DIGIT,
}
_NIP_SQL = """case
    when {nip} is null then null
    when {nip} !~ '^[0-9]{{18}}$' then 'not_18_digits'
    when {employment_type} is distinct from 'pns' then null
    when substr({nip}, 1, 4)::int < 1 or substr({nip}, 5, 2)::int not between 1 and 12
      or substr({nip}, 7, 2)::int < 1
      then 'bad_birth_date'
    -- A separate branch: CASE evaluates it only for a valid year and month, which make_date
    -- needs (OR gives no such order).
    when substr({nip}, 7, 2)::int > extract(day from make_date(substr({nip}, 1, 4)::int,
             substr({nip}, 5, 2)::int, 1) + interval '1 month' - interval '1 day')
      then 'bad_birth_date'
    when substr({nip}, 9, 4)::int < 1 or substr({nip}, 13, 2)::int not between 1 and 12
      then 'bad_appointment'
    when (substr({nip}, 9, 4)::int, substr({nip}, 13, 2)::int)
       > (extract(year from {today})::int, extract(month from {today})::int)
      then 'future_appointment'
    when (substr({nip}, 9, 4)::int, substr({nip}, 13, 2)::int)
       < (substr({nip}, 1, 4)::int + 18, substr({nip}, 5, 2)::int)
      then 'underage_appointment'
    when substr({nip}, 15, 1) not in ('1', '2') then 'bad_sex_digit'
end"""


def nip_problem_sql(nip: str, employment_type: str, today: str) -> str:
    """`nip_error` as an SQL expression over the SQL expressions `nip` and `employment_type`
    (text) and `today` (a date): the key in `NIP_PROBLEMS` of the NIP's problem, or NULL. A
    type other than `pns` has its shape checked only, as `pppk` has."""
    return _NIP_SQL.format(nip=nip, employment_type=employment_type, today=today)
