"""Employees as BKN's SIASN exports them (the "data utama" of each ASN), by NIP: the columns under
SIASN's own names (any case; `NIP BARU` and `nip_baru` alike), its dates day first
(`dd-mm-yyyy`) or ISO. SIASN's unit (`UNOR_ID`) names the employee's agency: the agency of the
region whose code is that id in lower case (a region gives its agencies their SIASN unor ids as
codes). The employment type is read from `JENIS_PEGAWAI_NAMA` (`PNS ...`, `CPNS`: `pns`;
`PPPK ...`: `pppk`), the golongan is checked against the type (`III/a` for PNS, `I`..`XVII` for
PPPK); a cell holding only `-`, as SIASN writes an empty one, is empty. SIASN knows no
supervisors: an import leaves an employee's supervisor as it is, and new employees have none until
one is set. The other columns of SIASN's export are accepted and not read."""

from kinerja_api.core.i18n import Msg
from kinerja_api.imports.kind import Check, Column, Key, Kind, same_region
from kinerja_api.imports.kinds.cells import date_sql
from kinerja_api.imports.kinds.people import (
    agency_found,
    email_check,
    employment_type_fixed,
    nip_check,
    nip_elsewhere,
    record_moves,
)
from kinerja_api.models.imports import ImportKind, RowProblem

COLUMNS = (
    Column("nip_baru", "NIP (NIP baru, 18 digits): the key.", True, 40),
    Column("nama", "Name, without academic titles.", True),
    Column("gelar_depan", "Academic titles before the name (`title_prefix`).", max_length=100),
    Column("gelar_belakang", "Academic titles after the name (`title_suffix`).", max_length=100),
    Column(
        "jenis_pegawai_nama",
        "`PNS ...` or `CPNS`: `pns`; `PPPK ...`: `pppk`. Fixed once the employee is registered.",
        True,
        100,
    ),
    Column("gol_akhir_nama", "Golongan: `III/a` (PNS) or `I` to `XVII` (PPPK).", max_length=20),
    Column(
        "tmt_golongan", "TMT golongan (`grade_since`): dd-mm-yyyy or yyyy-mm-dd.", max_length=30
    ),
    Column("jabatan_nama", "Jabatan (`position`).", True),
    Column(
        "tmt_jabatan", "TMT jabatan (`position_since`): dd-mm-yyyy or yyyy-mm-dd.", max_length=30
    ),
    Column("unor_id", "SIASN's unit id: the code of the employee's agency, any case.", True, 40),
    Column("email", "E-mail address.", max_length=254),
)

# The columns of SIASN's export the import does not read.
IGNORED = frozenset(
    {
        "pns_id",
        "nip_lama",
        "tempat_lahir_id",
        "tempat_lahir_nama",
        "tgl_lhr",
        "agama_id",
        "agama_nama",
        "jenis_kelamin",
        "jenis_kawin_id",
        "jenis_kawin_nama",
        "nik",
        "nomor_hp",
        "email_gov",
        "alamat",
        "npwp_nomor",
        "bpjs",
        "jenis_pegawai_id",
        "kedudukan_hukum_id",
        "kedudukan_hukum_nama",
        "status_cpns_pns",
        "kartu_asn_virtual",
        "nomor_sk_cpns",
        "tgl_sk_cpns",
        "tmt_cpns",
        "nomor_sk_pns",
        "tgl_sk_pns",
        "tmt_pns",
        "gol_awal_id",
        "gol_awal_nama",
        "gol_akhir_id",
        "mk_tahun",
        "mk_bulan",
        "jenis_jabatan_id",
        "jenis_jabatan_nama",
        "jabatan_id",
        "tingkat_pendidikan_id",
        "tingkat_pendidikan_nama",
        "pendidikan_id",
        "pendidikan_nama",
        "tahun_lulus",
        "kpkn_id",
        "kpkn_nama",
        "lokasi_kerja_id",
        "lokasi_kerja_nama",
        "unor_nama",
        "unor_induk_id",
        "unor_induk_nama",
        "instansi_induk_id",
        "instansi_induk_nama",
        "instansi_kerja_id",
        "instansi_kerja_nama",
        "satuan_kerja_induk_id",
        "satuan_kerja_induk_nama",
        "satuan_kerja_kerja_id",
        "satuan_kerja_kerja_nama",
        "is_valid_nik",
        "flag_ikd",
    }
)


def employment_type(row: str) -> str:
    """`pns`, `pppk` or NULL, from SIASN's `JENIS_PEGAWAI_NAMA` of `row`."""
    cell = f"upper({row}.jenis_pegawai_nama)"
    return rf"""(case when {cell} ~ '^(PPPK|P3K)\M' then 'pppk'
                     when {cell} ~ '^C?PNS\M' then 'pns' end)"""


PNS_GOLONGAN = r"^(I|II|III)/[A-D]$|^IV/[A-E]$"
PPPK_GOLONGAN = r"^(I|II|III|IV|V|VI|VII|VIII|IX|X|XI|XII|XIII|XIV|XV|XVI|XVII)$"
EARLIEST_SINCE = "1950-01-01"


def golongan(row: str) -> str:
    """The golongan as the API writes it: `III/a`, `IX`."""
    cell = f"{row}.gol_akhir_nama"
    return f"""(case when {employment_type(row)} = 'pns'
                    then upper(split_part({cell}, '/', 1)) || '/'
                         || lower(split_part({cell}, '/', 2))
                    else upper({cell}) end)"""


def _bad_date(column: str, label: str) -> Check:
    cell = f"r.{column}"
    return Check(
        column,
        RowProblem.INVALID,
        Msg(
            f"{label} bukan tanggal yang valid (dd-mm-yyyy atau yyyy-mm-dd, sejak 1950).",
            f"The {label} is not a valid date (dd-mm-yyyy or yyyy-mm-dd, 1950 or later).",
        ),
        f"{cell} is not null and coalesce({date_sql(cell)} < date '{EARLIEST_SINCE}', true)",
    )


CHECKS = (
    Check(
        "jenis_pegawai_nama",
        RowProblem.INVALID,
        Msg(
            "Jenis pegawai harus PNS (atau CPNS) atau PPPK.",
            "The employment type must be PNS (or CPNS) or PPPK.",
        ),
        f"{employment_type('r')} is null",
    ),
    nip_check("nip_baru", employment_type("r")),
    Check(
        "gol_akhir_nama",
        RowProblem.INVALID,
        Msg(
            "Golongan tidak dikenal: I/a sampai IV/e untuk PNS, I sampai XVII untuk PPPK.",
            "Unknown golongan: I/a to IV/e for PNS, I to XVII for PPPK.",
        ),
        f"""case {employment_type("r")}
                 when 'pns' then upper(r.gol_akhir_nama) !~ '{PNS_GOLONGAN}'
                 when 'pppk' then upper(r.gol_akhir_nama) !~ '{PPPK_GOLONGAN}' end""",
    ),
    _bad_date("tmt_golongan", "TMT golongan"),
    _bad_date("tmt_jabatan", "TMT jabatan"),
    email_check("email"),
)

FOUND = (
    agency_found("unor_id", "lower(r.{code})"),
    employment_type_fixed("nip_baru", "jenis_pegawai_nama", employment_type("r")),
)

UPSERT = rf"""
, proposed as (
    select v.row_number, v.nip_baru as nip, v.nama as name, v.gelar_depan as title_prefix,
           v.gelar_belakang as title_suffix, {employment_type("v")} as employment_type,
           v.jabatan_nama as position, {date_sql("v.tmt_jabatan")} as position_since,
           {golongan("v")} as grade, {date_sql("v.tmt_golongan")} as grade_since,
           v.email, a.id as agency_id
      from valid v
      join agencies a on a.region_id = :region_id and a.code = lower(v.unor_id)
),
classified as (
    select p.*, o.id as old_id, o.agency_id as old_agency_id,
           case when o.id is null then 'created'
                when (o.name, o.title_prefix, o.title_suffix, o.position, o.position_since,
                      o.grade, o.grade_since, o.email, o.agency_id)
                     is distinct from
                     (p.name, p.title_prefix, p.title_suffix, p.position, p.position_since,
                      p.grade, p.grade_since, p.email, p.agency_id)
                then 'updated'
                else 'unchanged'
           end as outcome
      from proposed p left join employees o on o.nip = p.nip and {same_region("o")}
),
written as (
    insert into employees as e
           (region_id, agency_id, nip, employment_type, name, title_prefix, title_suffix,
            position, position_since, grade, grade_since, email)
    select :region_id, c.agency_id, c.nip, c.employment_type, c.name, c.title_prefix,
           c.title_suffix, c.position, c.position_since, c.grade, c.grade_since, c.email
      from classified c
     where :write and c.outcome <> 'unchanged'
    on conflict (nip) do update
       set agency_id = excluded.agency_id, name = excluded.name,
           title_prefix = excluded.title_prefix, title_suffix = excluded.title_suffix,
           position = excluded.position, position_since = excluded.position_since,
           grade = excluded.grade, grade_since = excluded.grade_since, email = excluded.email,
           version = e.version + 1, updated_at = now()
     where e.region_id = :region_id
    returning e.id
),
moved as (
    select c.old_id as id, c.old_agency_id from classified c
     where :write and c.outcome = 'updated' and c.agency_id <> c.old_agency_id
)
select (select count(*) from classified where outcome = 'created') as created,
       (select count(*) from classified where outcome = 'updated') as updated,
       (select count(*) from classified where outcome = 'unchanged') as unchanged,
       '{{}}'::uuid[] as supervisor_moved, '{{}}'::uuid[] as former_supervisors,
       coalesce(array_agg(m.id), '{{}}') as agency_moved,
       coalesce(array_agg(m.old_agency_id), '{{}}') as former_agencies
  from moved m
"""  # noqa: S608

SIASN_EMPLOYEES = Kind(
    name=ImportKind.SIASN_EMPLOYEES,
    columns=COLUMNS,
    checks=CHECKS,
    keys=(Key("nip_baru", "r.nip_baru"),),
    taken_elsewhere=(nip_elsewhere("nip_baru"),),
    found=FOUND,
    upsert=UPSERT,
    after_write=record_moves,
    ignored=IGNORED,
    blanks=("-",),
)
