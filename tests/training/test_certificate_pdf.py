"""The certificate PDF: a real PDF whose text says, Indonesian first, who completed what, when
(days in the region's zone), for how many JP, under which number; one page whatever the name;
hostile names never fail it."""

import re
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from kinerja_api.training.certificates.pdf import (
    MAX_CHARS,
    CertificateContent,
    days_en,
    days_id,
    jp_en,
    jp_id,
    latin1_safe,
    render_certificate,
)

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
CONTENT = CertificateContent(
    number="GORONTALO/2025/MWP/000123",
    employee_name="Siti Rahmawati Daud",
    nip="198703152010012004",
    program_name="Manajemen Waktu dan Produktivitas",
    starts_at=datetime(2025, 12, 29, 0, 30, tzinfo=UTC),
    # 31 December 16:30 UTC: 1 January 00:30 WITA, still 31 December 23:30 WIB.
    ends_at=datetime(2025, 12, 31, 16, 30, tzinfo=UTC),
    jp=Decimal("24"),
    region_name="Pemerintah Kota Gorontalo",
    zone="Asia/Makassar",
    issued_at=datetime(2026, 1, 5, 2, tzinfo=UTC),
)
HOSTILE_NAMES = [
    "A" * 10_000,
    "Wijaya " * 2_000,
    "محمد عبد الله",  # Arabic, right to left
    "\u202eevil\u202c name",  # a bidi override
    "王小明",
    "Ngô Bảo Châu",
    "Łukasz Żółć Œdipe",
    "Zalgo Z̷̢̛a̶l̸g̵o̴",
    "emoji 😀👍🏽",
    "nul\x00 bell\x07 newline\nand tab\t",
    "(unbalanced \\ parens ) (",
    "\u200b\u200d\ufeff",
    "",
]


def texts(pdf: bytes) -> list[str]:
    """The literal strings drawn by an uncompressed page (core fonts write them as is)."""
    strings = re.findall(rb"\(((?:[^()\\]|\\.)*)\) Tj", pdf)
    return [re.sub(rb"\\(.)", rb"\1", s).decode("latin-1") for s in strings]


def test_a_pdf_with_its_number_in_indonesian_then_english() -> None:
    pdf = render_certificate(CONTENT, compress=False)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert b"/Count 1" in pdf
    drawn = texts(pdf)
    assert "Nomor / Number: GORONTALO/2025/MWP/000123" in drawn
    assert drawn.index("SERTIFIKAT") < drawn.index("Certificate")
    assert "Siti Rahmawati Daud" in drawn
    assert "NIP 198703152010012004" in drawn
    assert "Manajemen Waktu dan Produktivitas" in drawn
    assert "Pemerintah Kota Gorontalo" in drawn
    assert "pada 29 Desember 2025 s.d. 1 Januari 2026, sebanyak 24 JP" in drawn
    assert "held on 29 December 2025 to 1 January 2026, 24 lesson hours (JP)" in drawn
    assert "Pemerintah Kota Gorontalo, 5 Januari 2026" in drawn


def test_the_days_are_read_in_the_regions_zone() -> None:
    drawn = texts(render_certificate(replace(CONTENT, zone="Asia/Jakarta"), compress=False))
    assert "pada 29 Desember 2025 s.d. 31 Desember 2025, sebanyak 24 JP" in drawn


def test_the_same_certificate_renders_the_same_bytes() -> None:
    assert render_certificate(CONTENT) == render_certificate(CONTENT)
    assert render_certificate(CONTENT) != render_certificate(replace(CONTENT, number="X/2025/Y/1"))


def test_compressed_by_default() -> None:
    pdf = render_certificate(CONTENT)
    assert pdf.startswith(b"%PDF-")
    assert b"/FlateDecode" in pdf
    assert b"SERTIFIKAT" not in pdf


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_never_fail_with_the_core_font(name: str) -> None:
    pdf = render_certificate(replace(CONTENT, employee_name=name), compress=False)
    assert pdf.startswith(b"%PDF-")
    assert b"/Count 1" in pdf
    assert "Nomor / Number: GORONTALO/2025/MWP/000123" in texts(pdf)
    assert all(len(text) <= MAX_CHARS for text in texts(pdf))


@pytest.mark.skipif(not DEJAVU.exists(), reason="the system's DejaVu fonts are not installed")
@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_never_fail_with_a_unicode_font(name: str) -> None:
    pdf = render_certificate(replace(CONTENT, employee_name=name), unicode_font=DEJAVU)
    assert pdf.startswith(b"%PDF-")
    assert b"/Count 1" in pdf
    assert b"/FontFile2" in pdf  # the font is embedded (subset)


def test_hostile_program_and_region_names_never_fail() -> None:
    pdf = render_certificate(
        replace(CONTENT, program_name="ما " * 500, region_name="Kab. 🏝️ " * 100),
        compress=False,
    )
    assert pdf.startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("Siti Rahmawati", "Siti Rahmawati"),
        ("José Müller", "José Müller"),  # Latin-1 is kept as is
        ("Şükrü Ğül", "Sükrü Gül"),  # decomposed to Latin-1 base letters
        ("Ngô Bảo Châu", "Ngô Bao Châu"),
        ("Łukasz Œdipe", "Lukasz OEdipe"),  # the substitutes table
        ("‘quoted’ – “dash” …", "'quoted' - \"dash\" ..."),
        ("王小明", "???"),  # no Latin-1 form
        ("\u202eevil\u200b", "evil"),  # format characters dropped
        ("a\n\tb  c\x00", "a b c"),  # whitespace runs, controls
        ("e\u0301", "é"),  # composed first
    ],
)
def test_latin1_safe(text: str, safe: str) -> None:
    assert latin1_safe(text) == safe
    latin1_safe(text).encode("latin-1")


def test_dates_and_jp_in_both_languages() -> None:
    first, last = datetime(2025, 3, 3).date(), datetime(2025, 3, 5).date()
    assert days_id(first, first) == "3 Maret 2025"
    assert days_id(first, last) == "3 Maret 2025 s.d. 5 Maret 2025"
    assert days_en(first, last) == "3 March 2025 to 5 March 2025"
    assert (jp_id(Decimal("2.50")), jp_en(Decimal("2.50"))) == ("2,5", "2.5")
    assert (jp_id(Decimal("20.00")), jp_en(Decimal(20))) == ("20", "20")


def test_naive_or_reversed_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        replace(CONTENT, ends_at=datetime(2025, 12, 31, 16, 30))
    with pytest.raises(ValueError, match="before"):
        replace(CONTENT, ends_at=datetime(2025, 12, 1, tzinfo=UTC))
