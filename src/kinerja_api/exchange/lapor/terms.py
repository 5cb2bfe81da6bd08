"""How the API's complaint terms read in SP4N-LAPOR!'s disposition shape: pure mappings, no
I/O. LAPOR! follows a report through `belum_terverifikasi` (received), `belum_ditindaklanjuti`
(verified, waiting for the agency), `proses` (with the agency) and `selesai`; a complaint the
citizen reopens is back in `proses`."""

from typing import Literal

LaporStatus = Literal["belum_terverifikasi", "belum_ditindaklanjuti", "proses", "selesai"]
LaporCategory = Literal[
    "pelayanan",
    "perilaku_petugas",
    "sarana_prasarana",
    "biaya_pungutan",
    "waktu_tunggu",
    "informasi",
    "lainnya",
]

STATUS: dict[str, LaporStatus] = {
    "submitted": "belum_terverifikasi",
    "triaged": "belum_ditindaklanjuti",
    "assigned": "proses",
    "reopened": "proses",
    "resolved": "selesai",
}
CATEGORY: dict[str, LaporCategory] = {
    "service": "pelayanan",
    "staff_conduct": "perilaku_petugas",
    "facilities": "sarana_prasarana",
    "fees": "biaya_pungutan",
    "waiting_time": "waktu_tunggu",
    "information": "informasi",
    "other": "lainnya",
}
TITLE_CHARS = 100


def title(description: str) -> str:
    """LAPOR! asks every report for a title (judul); a complaint has none, so it is the first
    sentence of the description, cut at a word within `TITLE_CHARS` characters."""
    first = " ".join(description.split())
    for end in (". ", "? ", "! ", "\n"):
        cut = first.find(end)
        if 0 < cut < TITLE_CHARS:
            return first[: cut + 1].strip()
    if len(first) <= TITLE_CHARS:
        return first
    shortened = first[: TITLE_CHARS - 1].rsplit(" ", 1)[0]
    return f"{shortened}…"
