"""Complaints in SP4N-LAPOR!'s disposition shape: per report its tracking number, title,
content, category, location, dates, LAPOR! status, where it was disposed to (the agency and
service unit that must answer), the history of its statuses and the public follow-ups. The
citizen's contact details are never exported."""

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from kinerja_api.core.schemas import OutputModel
from kinerja_api.exchange.lapor.terms import LaporCategory, LaporStatus

FORMAT = "sp4n-lapor-disposisi"
VERSION = 1


class LaporUnit(OutputModel):
    kode: str
    nama: str


class LaporDisposisi(OutputModel):
    instansi_tujuan: LaporUnit | None
    unit_layanan: LaporUnit | None
    waktu: datetime


class LaporRiwayatStatus(OutputModel):
    status: LaporStatus
    waktu: datetime


class LaporTindakLanjut(OutputModel):
    isi: str
    waktu: datetime


class LaporLaporan(OutputModel):
    nomor_tiket: str = Field(
        description="LAPOR!'s own tracking number for a complaint received through LAPOR! "
        "(imported); otherwise the complaint's tracking code."
    )
    judul: str
    isi: str
    kategori: LaporCategory
    lokasi: str
    tanggal_laporan: datetime
    batas_waktu: datetime
    status: LaporStatus
    disposisi: list[LaporDisposisi]
    riwayat_status: list[LaporRiwayatStatus]
    tindak_lanjut: list[LaporTindakLanjut]


class LaporPeriode(OutputModel):
    dari: date
    sampai: date


class LaporDocument(OutputModel):
    """The complaints received in a period (days in the region's zone) that the caller may
    read, oldest first; times in the region's zone."""

    format: Literal["sp4n-lapor-disposisi"]
    versi: Literal[1]
    instansi: LaporUnit
    periode: LaporPeriode
    laporan: list[LaporLaporan]
