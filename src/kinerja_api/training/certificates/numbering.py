"""Certificate numbers: pure formatting and parsing, no I/O.

A number reads `<REGION-CODE>/<YEAR>/<PROGRAM-CODE>/<SERIAL>`, e.g. `BUNGO/2025/MWP-01/000123`:
the region's code and the program's code (codes as the API stores them, `[a-z0-9][a-z0-9-]*`,
at most 40 characters, written upper-case in the number), the year of completion in the
region's zone, and a six-digit serial from 000001 to 999999.

The serial counts per region and year, whatever the program, so a region's certificates of a
year are numbered 1, 2, 3... in order of issue and the serial alone tells them apart; as region
codes are unique, a number is unique across regions too. The database keeps that true (unique
`(region_id, year, serial)` and `(region_id, number)`); `next_serial` says what follows the
highest serial issued so far.

Parsing accepts either case and returns the canonical form (`str()` of the parsed number), so a
number typed in lower case finds its certificate."""

import re
from dataclasses import dataclass

CODE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9-]{0,39}"
_NUMBER = re.compile(rf"({CODE_PATTERN})/([0-9]{{4}})/({CODE_PATTERN})/([0-9]{{6}})")
_CODE = re.compile(CODE_PATTERN)
SERIAL_DIGITS = 6
MAX_SERIAL = 10**SERIAL_DIGITS - 1
MIN_YEAR, MAX_YEAR = 2000, 9999


class CertificateNumberError(ValueError):
    """Not a certificate number, or not one that can be issued."""


def _code(kind: str, code: str) -> str:
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise CertificateNumberError(
            f"{kind} code must be 1-40 letters, digits or hyphens, starting with a letter or"
            f" digit: {code!r}"
        )
    return code.lower()


@dataclass(frozen=True, slots=True)
class CertificateNumber:
    region_code: str
    """Lower case, as the region's `code`."""
    year: int
    program_code: str
    """Lower case, as the program's `code`."""
    serial: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "region_code", _code("region", self.region_code))
        object.__setattr__(self, "program_code", _code("program", self.program_code))
        if isinstance(self.year, bool) or not isinstance(self.year, int):
            raise CertificateNumberError("year must be an integer")
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise CertificateNumberError(f"year must be within {MIN_YEAR}-{MAX_YEAR}")
        if isinstance(self.serial, bool) or not isinstance(self.serial, int):
            raise CertificateNumberError("serial must be an integer")
        if not 1 <= self.serial <= MAX_SERIAL:
            raise CertificateNumberError(f"serial must be within 1-{MAX_SERIAL}")

    def __str__(self) -> str:
        return (
            f"{self.region_code.upper()}/{self.year:04d}/{self.program_code.upper()}"
            f"/{self.serial:0{SERIAL_DIGITS}d}"
        )


def format_number(region_code: str, year: int, program_code: str, serial: int) -> str:
    return str(CertificateNumber(region_code, year, program_code, serial))


def parse_number(text: str) -> CertificateNumber:
    """The parts of a number; `CertificateNumberError` when it is not one."""
    match = _NUMBER.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise CertificateNumberError(
            "a certificate number reads REGION/YEAR/PROGRAM/SERIAL, e.g. BUNGO/2025/MWP/000123"
        )
    region, year, program, serial = match.groups()
    return CertificateNumber(region, int(year), program, int(serial))


def next_serial(highest_issued: int | None) -> int:
    """The serial after the highest one issued in the region's year (1 for the first)."""
    following = 1 if highest_issued is None else highest_issued + 1
    if following > MAX_SERIAL:
        raise CertificateNumberError(f"the year's {MAX_SERIAL} serials are all issued")
    return following
