"""Agencies by code, under a parent by code (recorded in the region, or a row of the same file).
An import creates agencies and renames them; it does not move one (a move carries its whole
subtree out of some administrators' sight): that is `PATCH /agencies/{id}`."""

from kinerja_api.core.i18n import Msg
from kinerja_api.imports.kind import Check, Column, Found, Key, Kind, Reference
from kinerja_api.models.imports import ImportKind, RowProblem
from kinerja_api.models.org import AgencyKind

_KINDS = ", ".join(f"'{kind.value}'" for kind in AgencyKind)
_CODE = r"'^[a-z0-9][a-z0-9-]{0,39}$'"

COLUMNS = (
    Column("code", "The agency's code: lower-case letters, digits and `-`.", True, 40),
    Column("name", "The agency's name.", True),
    Column("kind", f"One of {', '.join(kind.value for kind in AgencyKind)}.", True, 20),
    Column(
        "parent_code",
        "The parent agency's code: recorded in your region, or a row of the file. Empty: a "
        "root agency.",
        max_length=40,
    ),
)

CHECKS = (
    Check(
        "code",
        RowProblem.INVALID,
        Msg(
            "Kode hanya boleh huruf kecil, angka dan '-' (diawali huruf atau angka).",
            "A code holds lower-case letters, digits and '-' only (a letter or digit first).",
        ),
        f"r.code !~ {_CODE}",
    ),
    Check(
        "parent_code",
        RowProblem.INVALID,
        Msg(
            "Kode induk hanya boleh huruf kecil, angka dan '-'.",
            "A parent code holds lower-case letters, digits and '-' only.",
        ),
        f"r.parent_code !~ {_CODE}",
    ),
    Check(
        "parent_code",
        RowProblem.CYCLE,
        Msg(
            "Unit kerja tidak dapat menjadi induknya sendiri.",
            "An agency cannot be its own parent.",
        ),
        "r.parent_code = r.code",
    ),
    Check(
        "kind",
        RowProblem.INVALID,
        Msg("Jenis unit kerja tidak dikenal.", "Unknown agency kind."),
        f"lower(r.kind) not in ({_KINDS})",
    ),
)

FOUND = (
    Found(
        "parent_code",
        RowProblem.CONFLICT,
        Msg(
            "Induk unit kerja yang sudah ada tidak diubah lewat impor; pindahkan dengan "
            "PATCH /agencies/{id}.",
            "An existing agency's parent is not changed by an import; move it with "
            "PATCH /agencies/{id}.",
        ),
        """select r.row_number, r.line, r.parent_code as value
             from rows r
             join agencies a on a.region_id = :region_id and a.code = r.code
             left join agencies p on p.id = a.parent_id
            where r.malformed is null and r.parent_code is distinct from p.code""",
    ),
)

# New agencies whose parents, followed up within the file, never reach a recorded agency or
# a root: their parent codes loop.
CHAINS = (
    Found(
        "parent_code",
        RowProblem.CYCLE,
        Msg(
            "Rantai induk unit kerja berputar kembali ke unit kerja ini.",
            "The chain of parents leads back to this agency.",
        ),
        """select v.row_number, v.line, v.parent_code as value from valid v
            where v.code not in (
                with recursive placed(code) as (
                    select t.code from valid t
                     where t.parent_code is null or exists (
                           select 1 from agencies p
                            where p.region_id = :region_id and p.code = t.parent_code)
                    union
                    select c.code from valid c join placed on c.parent_code = placed.code
                )
                select code from placed)""",
    ),
)

UPSERT = r"""
, proposed as (
    select v.code, v.name, lower(v.kind) as kind, p.id as parent_id, p.path as parent_path
      from valid v
      left join agencies p on p.region_id = :region_id and p.code = v.parent_code
),
classified as (
    select p.*,
           case when o.id is null then 'created'
                when (o.name, o.kind) is distinct from (p.name, p.kind) then 'updated'
                else 'unchanged'
           end as outcome
      from proposed p
      left join agencies o on o.region_id = :region_id and o.code = p.code
),
fresh as (
    select c.*, gen_random_uuid() as id from classified c
     where :write and c.outcome <> 'unchanged'
),
written as (
    -- A parent not written yet (a later row) is linked by `finish`; until then the new agency
    -- is a root.
    insert into agencies as a (id, region_id, parent_id, code, name, kind, path)
    select f.id, :region_id, f.parent_id, f.code, f.name, f.kind,
           coalesce(f.parent_path, '/') || f.id || '/'
      from fresh f
    on conflict (region_id, code) do update
       set name = excluded.name, kind = excluded.kind, version = a.version + 1,
           updated_at = now()
     where a.region_id = :region_id
    returning a.id
)
select count(*) filter (where outcome = 'created') as created,
       count(*) filter (where outcome = 'updated') as updated,
       count(*) filter (where outcome = 'unchanged') as unchanged
  from classified
"""

# Every agency of the file hung where its row says, paths rebuilt from the recorded parents
# down through the file's own (existing agencies' parents never change here).
FINISH = r"""
, placed as (
    select a.id, a.code, v.parent_code
      from valid v join agencies a on a.region_id = :region_id and a.code = v.code
),
wanted(id, parent_id, path) as (
    select f.id, p.id, coalesce(p.path, '/') || f.id || '/'
      from placed f left join agencies p on p.region_id = :region_id and p.code = f.parent_code
     where not exists (select 1 from placed up where up.code = f.parent_code)
    union all
    select c.id, w.id, w.path || c.id || '/'
      from wanted w join placed up on up.id = w.id join placed c on c.parent_code = up.code
),
hung as (
    update agencies a
       set parent_id = w.parent_id, path = w.path, version = a.version + 1, updated_at = now()
      from wanted w
     where a.id = w.id and a.region_id = :region_id
       and (a.parent_id, a.path) is distinct from (w.parent_id, w.path)
    returning a.id
)
select count(*) as hung from hung
"""

LOCK = "select pg_advisory_xact_lock(hashtextextended('agency-tree|' || :region_id, 0))"

AGENCIES = Kind(
    name=ImportKind.AGENCIES,
    columns=COLUMNS,
    checks=CHECKS,
    keys=(Key("code", "r.code"),),
    found=FOUND,
    references=(
        Reference(
            "parent_code",
            "code",
            "exists (select 1 from agencies p"
            " where p.region_id = :region_id and p.code = r.parent_code)",
            Msg(
                "Unit kerja induk dengan kode ini tidak ada di wilayah Anda dan tidak ada "
                "(tanpa kesalahan) di berkas ini.",
                "No agency of your region has this parent code, nor a row of this file "
                "without problems.",
            ),
        ),
    ),
    chains=CHAINS,
    upsert=UPSERT,
    finish=FINISH,
    lock=LOCK,
)
