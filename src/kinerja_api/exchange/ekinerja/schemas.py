"""The SKP document in the shape e-Kinerja BKN takes (PermenPANRB 6/2022): per employee the
plan (status, revision, approval), its rencana hasil kerja (RHK) with the RHK of the superior it
intervenes in, each RHK's indicators by aspect with target, realisasi and capaian per quarter,
and the annual predikat from the rating locked by the agency's calibration. Field names are
e-Kinerja's, in Indonesian; values are the API's own codes, spelled as e-Kinerja spells them."""

from datetime import date
from typing import Literal

from pydantic import Field

from kinerja_api.core.schemas import DecimalString, OutputModel

FORMAT = "e-kinerja-skp"
VERSION = 1
SkpStatus = Literal["konsep", "diajukan", "disetujui", "dikembalikan"]
RhkKind = Literal["utama", "tambahan"]
Aspek = Literal["kuantitas", "kualitas", "waktu"]
Ekspektasi = Literal["diatas_ekspektasi", "sesuai_ekspektasi", "dibawah_ekspektasi"]
PredikatKinerja = Literal["sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang"]
JenisPegawai = Literal["PNS", "PPPK"]
JenisIntervensi = Literal["langsung", "tidak_langsung"]


class EKinerjaUnit(OutputModel):
    kode: str
    nama: str


class EKinerjaPegawai(OutputModel):
    nip: str
    nama: str
    jabatan: str
    golongan: str | None
    jenis_pegawai: JenisPegawai
    unit_kerja: EKinerjaUnit


class EKinerjaPejabatPenilai(OutputModel):
    nip: str
    nama: str
    jabatan: str


class EKinerjaIntervensi(OutputModel):
    """The superior's RHK this one intervenes in (cascaded from)."""

    nip_atasan: str
    rhk_atasan: str
    jenis: JenisIntervensi


class EKinerjaRealisasiTriwulan(OutputModel):
    triwulan: int = Field(ge=1, le=4)
    realisasi: DecimalString | None
    capaian_persen: DecimalString
    capaian_kumulatif_persen: DecimalString


class EKinerjaIndikator(OutputModel):
    aspek: Aspek
    indikator: str
    target: DecimalString
    satuan: str
    realisasi: DecimalString | None
    capaian_persen: DecimalString
    triwulan: list[EKinerjaRealisasiTriwulan]


class EKinerjaRhk(OutputModel):
    urutan: int
    jenis: RhkKind
    rhk: str
    intervensi: EKinerjaIntervensi | None
    capaian_persen: DecimalString
    indikator: list[EKinerjaIndikator]


class EKinerjaCapaianTriwulan(OutputModel):
    triwulan: int = Field(ge=1, le=4)
    capaian_persen: DecimalString
    capaian_kumulatif_persen: DecimalString


class EKinerjaPredikat(OutputModel):
    rating_hasil_kerja: Ekspektasi
    rating_perilaku_kerja: Ekspektasi
    predikat: PredikatKinerja


class EKinerjaSkp(OutputModel):
    pegawai: EKinerjaPegawai
    pejabat_penilai: EKinerjaPejabatPenilai | None
    status: SkpStatus
    revisi: int
    disetujui_pada: date | None = Field(description="The day of approval, in the region's zone.")
    capaian_persen: DecimalString
    capaian_triwulan: list[EKinerjaCapaianTriwulan]
    rencana_hasil_kerja: list[EKinerjaRhk]
    predikat_tahunan: EKinerjaPredikat | None = Field(
        description="Present once the rating is locked by the agency's calibration."
    )


class EKinerjaDocument(OutputModel):
    """The SKP of every employee of an agency subtree in a period that the caller may read,
    by NIP."""

    format: Literal["e-kinerja-skp"]
    versi: Literal[1]
    tahun: int
    instansi: EKinerjaUnit
    unit_kerja: EKinerjaUnit
    skp: list[EKinerjaSkp]
