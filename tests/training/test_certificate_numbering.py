"""Certificate numbers: the canonical form, a round trip through parsing, and everything that
is not a number refused."""

import pytest

from kinerja_api.training.certificates.numbering import (
    MAX_SERIAL,
    CertificateNumber,
    CertificateNumberError,
    format_number,
    next_serial,
    parse_number,
)


def test_the_canonical_form() -> None:
    assert format_number("bungo", 2025, "mwp-01", 123) == "BUNGO/2025/MWP-01/000123"
    assert format_number("kota-surabaya", 2026, "kp", 999_999) == "KOTA-SURABAYA/2026/KP/999999"


def test_parsing_round_trips_and_accepts_either_case() -> None:
    number = CertificateNumber("gorontalo", 2025, "mlkp", 7)
    assert parse_number(str(number)) == number
    assert parse_number(" gorontalo/2025/Mlkp/000007 ") == number
    assert str(parse_number("gorontalo/2025/mlkp/000007\n")) == "GORONTALO/2025/MLKP/000007"


def test_two_regions_never_share_a_number() -> None:
    assert format_number("bungo", 2025, "mwp", 1) != format_number("gorontalo", 2025, "mwp", 1)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "BUNGO/2025/MWP/123",  # serial not six digits
        "BUNGO/2025/MWP/0000123",
        "BUNGO/25/MWP/000123",
        "BUNGO/2025/MWP/000000",  # serial 0
        "BUNGO/1999/MWP/000001",  # year out of range
        "-BUNGO/2025/MWP/000001",
        "BUNGO/2025//000001",
        "BUNGO/2025/MWP/000001/EXTRA",
        "BUNGO 2025 MWP 000001",
        "BÜNGO/2025/MWP/000001",
        "BUNGO/2025/MWP/００００01",  # full-width digits
        "A" * 41 + "/2025/MWP/000001",
    ],
)
def test_what_is_not_a_number_is_refused(text: str) -> None:
    with pytest.raises(CertificateNumberError):
        parse_number(text)


@pytest.mark.parametrize(
    ("region", "year", "program", "serial"),
    [
        ("bungo", 2025, "mwp", 0),
        ("bungo", 2025, "mwp", MAX_SERIAL + 1),
        ("bungo", 1999, "mwp", 1),
        ("bungo", 10_000, "mwp", 1),
        ("", 2025, "mwp", 1),
        ("bungo", 2025, "mwp/x", 1),
        ("bungo", 2025, "a" * 41, 1),
        ("bungo", True, "mwp", 1),
        ("bungo", 2025, "mwp", True),
    ],
)
def test_parts_that_cannot_be_issued_are_refused(
    region: str, year: int, program: str, serial: int
) -> None:
    with pytest.raises(CertificateNumberError):
        CertificateNumber(region, year, program, serial)


def test_next_serial() -> None:
    assert next_serial(None) == 1
    assert next_serial(41) == 42
    assert next_serial(MAX_SERIAL - 1) == MAX_SERIAL
    with pytest.raises(CertificateNumberError, match="all issued"):
        next_serial(MAX_SERIAL)
