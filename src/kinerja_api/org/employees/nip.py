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
