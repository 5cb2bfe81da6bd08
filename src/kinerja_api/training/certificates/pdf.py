"""A training certificate as PDF bytes, drawn with fpdf2. Pure: no I/O but the bytes it
returns (and, when one is given, reading a TrueType font file).

One A4 landscape page, Indonesian first and English second: SERTIFIKAT / Certificate, the
number, the employee's name and NIP, the program, the dates of the activity (days in the
region's own zone: an activity that ends at 00:30 WITA on 1 January ended on 1 January), the
JP credited, the region and the date of issue. The document's creation date is the issue
instant, so the same certificate renders the same bytes every time.

Text is Unicode-safe under this rule:

- fpdf2 ships no TrueType font, and the PDF core fonts (Helvetica) hold Latin-1 only. By
  default every text passes `latin1_safe`: normalised (NFC), control and format characters
  (bidi overrides, zero-width marks) dropped, whitespace runs made one space; a character outside
  Latin-1 becomes its decomposed base letters when they are Latin-1 (Ş → S, ğ → g, Ő → O), else
  its entry in `_LATIN1_SUBSTITUTES` (Ł → L, Œ → OE, ’ → '), else `?`. A name in another script
  (Arabic, Chinese, ...) thus prints as question marks rather than failing the certificate.
- Given `unicode_font` (the path of a TrueType font, e.g. DejaVuSans.ttf from the system's
  fonts-dejavu package), the text keeps every character (normalised, controls dropped) and is
  drawn with that font; characters the font lacks show as its missing-glyph box. Right-to-left
  text is drawn in logical order (fpdf2 shapes text only with the optional uharfbuzz).

Long texts are cut to `MAX_CHARS` characters (ending in "...") and drawn smaller, down to a
minimum size, then wrapped, so the certificate always stays on one page."""

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MAX_CHARS = 200
ELLIPSIS = "..."
CORE_FONT = "Helvetica"
UNICODE_FAMILY = "certificate"
PAGE_MARGIN = 20.0

_LATIN1_SUBSTITUTES = {
    "Ł": "L",
    "ł": "l",
    "Đ": "D",
    "đ": "d",
    "Ħ": "H",
    "ħ": "h",
    "ı": "i",
    "Œ": "OE",
    "œ": "oe",
    "ſ": "s",
    "‘": "'",
    "’": "'",
    "‚": ",",
    "‛": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "‐": "-",
    "‑": "-",
    "‒": "-",
    "–": "-",
    "—": "-",
    "…": "...",
    "•": "*",
    "€": "EUR",
}


def _clean(text: str) -> str:
    """NFC, controls and format characters dropped, whitespace runs made one space."""
    kept: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        category = unicodedata.category(char)
        if char.isspace() or category in {"Zl", "Zp"}:
            kept.append(" ")
        elif category not in {"Cc", "Cf", "Cs", "Co", "Cn"}:
            kept.append(char)
    return " ".join("".join(kept).split())


def _latin1(char: str) -> bool:
    return ord(char) < 0x100


def _substitute(char: str) -> str:
    if _latin1(char):
        return char
    if char in _LATIN1_SUBSTITUTES:
        return _LATIN1_SUBSTITUTES[char]
    base = "".join(
        part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part)
    )
    if base and all(_latin1(part) for part in base):
        return _clean(base) or "?"
    return "?"


def latin1_safe(text: str) -> str:
    """The text as the core fonts can draw it (the rule in the module's docstring)."""
    return "".join(_substitute(char) for char in _clean(text))


def _shortened(text: str, limit: int = MAX_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS


def _day_id(day: date) -> str:
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def _day_en(day: date) -> str:
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def days_id(first: date, last: date) -> str:
    """`3 Maret 2025`, or `3 Maret 2025 s.d. 5 Maret 2025`."""
    return _day_id(first) if first == last else f"{_day_id(first)} s.d. {_day_id(last)}"


def days_en(first: date, last: date) -> str:
    return _day_en(first) if first == last else f"{_day_en(first)} to {_day_en(last)}"


def jp_id(jp: Decimal) -> str:
    """JP with the Indonesian decimal comma: 20, 2,5."""
    return jp_en(jp).replace(".", ",")


def jp_en(jp: Decimal) -> str:
    normal = Decimal(jp).normalize()
    return f"{normal:f}"


@dataclass(frozen=True, slots=True)
class CertificateContent:
    number: str
    employee_name: str
    nip: str
    program_name: str
    starts_at: datetime
    ends_at: datetime
    jp: Decimal
    region_name: str
    zone: str
    """The region's IANA zone: the activity's days and the issue date are read in it."""
    issued_at: datetime

    def __post_init__(self) -> None:
        for name in ("starts_at", "ends_at", "issued_at"):
            instant: datetime = getattr(self, name)
            if instant.tzinfo is None or instant.utcoffset() is None:
                raise ValueError(f"{name} must be an aware instant")
        if self.ends_at < self.starts_at:
            raise ValueError("ends_at must not come before starts_at")
        ZoneInfo(self.zone)


class _Certificate(FPDF):
    def __init__(self, unicode_font: Path | None) -> None:
        super().__init__(orientation="landscape", unit="mm", format="A4")
        self.set_auto_page_break(auto=False)
        self.set_margins(PAGE_MARGIN, PAGE_MARGIN, PAGE_MARGIN)
        if unicode_font is None:
            self._family = CORE_FONT
            self._bold = "B"
            self._italic = "I"
        else:
            self.add_font(UNICODE_FAMILY, "", unicode_font)
            self._family = UNICODE_FAMILY
            self._bold = ""
            self._italic = ""
        self._unicode = unicode_font is not None

    def safe(self, text: str) -> str:
        return _shortened(_clean(text) if self._unicode else latin1_safe(text))

    def centred(
        self,
        text: str,
        size: float,
        *,
        style: str = "",
        height: float | None = None,
        min_size: float = 9,
        gap: float = 0,
    ) -> None:
        """A centred line, drawn smaller (down to `min_size`) when too wide, then wrapped."""
        safe = self.safe(text)
        font_style = {"B": self._bold, "I": self._italic}.get(style, "")
        width = self.w - self.l_margin - self.r_margin
        self.set_font(self._family, font_style, size)
        while size > min_size and self.get_string_width(safe) > width:
            size -= 1
            self.set_font(self._family, font_style, size)
        self.multi_cell(
            w=width,
            h=height or size * 0.45,
            text=safe,
            align=Align.C,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        if gap:
            self.ln(gap)


def render_certificate(
    content: CertificateContent,
    *,
    unicode_font: Path | None = None,
    compress: bool = True,
) -> bytes:
    """The certificate as a PDF document."""
    zone = ZoneInfo(content.zone)
    first = content.starts_at.astimezone(zone).date()
    last = content.ends_at.astimezone(zone).date()
    issued = content.issued_at.astimezone(zone)

    pdf = _Certificate(unicode_font)
    pdf.set_compression(compress)
    pdf.set_creation_date(issued)
    pdf.set_title(f"Sertifikat {content.number}")
    pdf.set_subject("Sertifikat pengembangan kompetensi / Competency development certificate")
    pdf.set_author(pdf.safe(content.region_name))
    pdf.add_page()
    pdf.set_line_width(0.8)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_line_width(0.3)
    pdf.rect(13, 13, pdf.w - 26, pdf.h - 26)

    pdf.set_y(36)
    pdf.centred(content.region_name, 14, style="B", gap=4)
    pdf.centred("SERTIFIKAT", 30, style="B")
    pdf.centred("Certificate", 16, style="I", gap=2)
    pdf.centred(f"Nomor / Number: {content.number}", 11, gap=6)
    pdf.centred("diberikan kepada / awarded to", 11, style="I", gap=2)
    pdf.centred(content.employee_name, 24, style="B", min_size=12)
    pdf.centred(f"NIP {content.nip}", 12, gap=5)
    pdf.centred("atas keikutsertaannya hingga selesai dalam", 11)
    pdf.centred("for completing", 10, style="I", gap=2)
    pdf.centred(content.program_name, 18, style="B", min_size=11, gap=3)
    pdf.centred(f"pada {days_id(first, last)}, sebanyak {jp_id(content.jp)} JP", 12)
    pdf.centred(
        f"held on {days_en(first, last)}, {jp_en(content.jp)} lesson hours (JP)",
        10,
        style="I",
        gap=8,
    )
    pdf.centred(f"{content.region_name}, {_day_id(issued.date())}", 11)
    pdf.centred(f"Issued on {_day_en(issued.date())}", 10, style="I")
    return bytes(pdf.output())
