"""Employees by NIP: their agency by code, their supervisor by NIP (recorded in the region, or a
row of the same file, even a later one: supervisors are linked once every row is written)."""

from kinerja_api.core.i18n import Msg
from kinerja_api.imports.kind import Check, Column, Found, Key, Kind, Reference, same_region
from kinerja_api.imports.kinds.people import (
    agency_found,
    email_check,
    employee_is,
    employment_type_fixed,
    nip_check,
    nip_digits,
    nip_elsewhere,
    record_moves,
)
from kinerja_api.models.imports import ImportKind, RowProblem

COLUMNS = (
    Column(
        "nip", "NIP: 18 digits (for `pns`: birth date, appointment month, sex, serial).", True, 40
    ),
    Column("name", "Full name.", True),
    Column("employment_type", "`pns` or `pppk`; fixed once the employee is registered.", True, 10),
    Column("position", "Jabatan.", True),
    Column("agency_code", "The code of the employee's agency, in your region.", True, 40),
    Column(
        "supervisor_nip",
        "The NIP of the direct supervisor: registered in your region, or a row of the file. "
        "Empty: no supervisor.",
        max_length=40,
    ),
    Column("grade", "Pangkat/golongan (PNS) or grade (PPPK).", max_length=20),
    Column("email", "E-mail address.", max_length=254),
)

_RECORDED_SUPERVISOR = (
    f"exists (select 1 from employees s where {employee_is('r.supervisor_nip', 's')})"  # noqa: S608
)

CHECKS = (
    Check(
        "employment_type",
        RowProblem.INVALID,
        Msg("Jenis pegawai harus pns atau pppk.", "The employment_type must be pns or pppk."),
        "lower(r.employment_type) not in ('pns', 'pppk')",
    ),
    nip_check("nip", "lower(r.employment_type)"),
    nip_digits(
        "supervisor_nip",
        Msg("NIP atasan harus terdiri dari 18 angka.", "The supervisor's NIP must be 18 digits."),
    ),
    Check(
        "supervisor_nip",
        RowProblem.CYCLE,
        Msg(
            "Pegawai tidak dapat menjadi atasannya sendiri.",
            "An employee cannot be their own supervisor.",
        ),
        "r.supervisor_nip = r.nip",
    ),
    email_check("email"),
)

FOUND = (
    agency_found("agency_code"),
    employment_type_fixed(
        "nip",
        "employment_type",
        "case when lower(r.employment_type) in ('pns', 'pppk') then lower(r.employment_type) end",
    ),
)

# Supervisor chains as they would be after the import: the file's rows (valid so far) and the
# recorded employees the file leaves alone. A walk starts from each row whose supervisor
# changes and follows the chain up; one that comes back to its start would close a loop.
CHAINS = (
    Found(
        "supervisor_nip",
        RowProblem.CYCLE,
        Msg(
            "Rantai atasan akan berputar kembali ke pegawai ini.",
            "The supervisor chain would lead back to this employee.",
        ),
        f"""with recursive proposed(nip, supervisor_nip) as (
                select v.nip, v.supervisor_nip from valid v
                union all
                select e.nip, s.nip from employees e join employees s on s.id = e.supervisor_id
                 where e.region_id = :region_id
                   and not exists (select 1 from valid v where v.nip = e.nip)
            ),
            walk(start, row_number, line, at) as (
                select v.nip, v.row_number, v.line, v.supervisor_nip from valid v
                 where v.supervisor_nip is not null and not exists (
                       select 1 from employees e join employees s on s.id = e.supervisor_id
                        where e.nip = v.nip and {same_region("e")}
                          and s.nip = v.supervisor_nip)
                union all
                select w.start, w.row_number, w.line, p.supervisor_nip
                  from walk w join proposed p on p.nip = w.at
                 where w.at <> w.start and p.supervisor_nip is not null
            ) cycle at set looped using path
            select w.row_number, w.line, w.start as value from walk w
             where w.at = w.start and not w.looped""",  # noqa: S608
    ),
)

UPSERT = rf"""
, proposed as (
    select v.row_number, v.nip, v.name, lower(v.employment_type) as employment_type, v.position,
           v.grade, v.email, a.id as agency_id, v.supervisor_nip, s.id as supervisor_id
      from valid v
      join agencies a on a.region_id = :region_id and a.code = v.agency_code
      left join employees s on s.nip = v.supervisor_nip and {same_region("s")}
),
classified as (
    select p.*, o.id as old_id, o.agency_id as old_agency_id,
           o.supervisor_id as old_supervisor_id,
           case when o.id is null then 'created'
                when (o.name, o.position, o.grade, o.email, o.agency_id)
                     is distinct from (p.name, p.position, p.grade, p.email, p.agency_id)
                  or (p.supervisor_nip is null and o.supervisor_id is not null)
                  or (p.supervisor_nip is not null
                      and (p.supervisor_id is null or p.supervisor_id <> o.supervisor_id
                           or o.supervisor_id is null))
                then 'updated'
                else 'unchanged'
           end as outcome
      from proposed p left join employees o on o.nip = p.nip and {same_region("o")}
),
written as (
    -- A supervisor not written yet (a later row) is linked by `finish`; until then an
    -- employee keeps the supervisor they had.
    insert into employees as e
           (region_id, agency_id, supervisor_id, nip, employment_type, name, position, grade,
            email)
    select :region_id, c.agency_id,
           case when c.supervisor_nip is not null
                then coalesce(c.supervisor_id, c.old_supervisor_id) end,
           c.nip, c.employment_type, c.name, c.position, c.grade, c.email
      from classified c
     where :write and c.outcome <> 'unchanged'
    on conflict (nip) do update
       set agency_id = excluded.agency_id, supervisor_id = excluded.supervisor_id,
           name = excluded.name, position = excluded.position, grade = excluded.grade,
           email = excluded.email, version = e.version + 1, updated_at = now()
     where e.region_id = :region_id
    returning e.id
),
moved as (
    -- Read from what was proposed (and so written), not by joining `written` back to it.
    select c.old_id as id, c.old_supervisor_id, c.old_agency_id,
           case when c.supervisor_nip is not null
                then coalesce(c.supervisor_id, c.old_supervisor_id) end
               is distinct from c.old_supervisor_id as supervisor_moved,
           c.agency_id <> c.old_agency_id as agency_moved
      from classified c
     where :write and c.outcome = 'updated'
)
select (select count(*) from classified where outcome = 'created') as created,
       (select count(*) from classified where outcome = 'updated') as updated,
       (select count(*) from classified where outcome = 'unchanged') as unchanged,
       coalesce(array_agg(m.id) filter (where m.supervisor_moved), '{{}}') as supervisor_moved,
       coalesce(array_agg(m.old_supervisor_id) filter (where m.supervisor_moved), '{{}}')
           as former_supervisors,
       coalesce(array_agg(m.id) filter (where m.agency_moved), '{{}}') as agency_moved,
       coalesce(array_agg(m.old_agency_id) filter (where m.agency_moved), '{{}}')
           as former_agencies
  from moved m
"""  # noqa: S608

FINISH = rf"""
, wanted as (
    select e.id, e.supervisor_id as old_supervisor_id, s.id as supervisor_id
      from valid v
      join employees e on e.nip = v.nip and {same_region("e")}
      join employees s on s.nip = v.supervisor_nip and {same_region("s")}
     where e.supervisor_id is distinct from s.id
),
linked as (
    update employees e
       set supervisor_id = w.supervisor_id, version = e.version + 1, updated_at = now()
      from wanted w
     where e.id = w.id and {same_region("e")}
    returning e.id, w.old_supervisor_id
)
select coalesce(array_agg(id), '{{}}') as supervisor_moved,
       coalesce(array_agg(old_supervisor_id), '{{}}') as former_supervisors,
       '{{}}'::uuid[] as agency_moved, '{{}}'::uuid[] as former_agencies
  from linked
"""  # noqa: S608

LOCK = "select pg_advisory_xact_lock(hashtextextended('employee-chain|' || :region_id, 0))"


EMPLOYEES = Kind(
    name=ImportKind.EMPLOYEES,
    columns=COLUMNS,
    checks=CHECKS,
    keys=(Key("nip", "r.nip"),),
    taken_elsewhere=(nip_elsewhere("nip"),),
    found=FOUND,
    references=(
        Reference(
            "supervisor_nip",
            "nip",
            _RECORDED_SUPERVISOR,
            Msg(
                "Atasan dengan NIP ini tidak terdaftar di wilayah Anda dan tidak ada (tanpa "
                "kesalahan) di berkas ini.",
                "No employee of your region has this NIP, nor a row of this file without problems.",
            ),
        ),
    ),
    chains=CHAINS,
    upsert=UPSERT,
    finish=FINISH,
    lock=LOCK,
    after_write=record_moves,
    after_finish=record_moves,
)
