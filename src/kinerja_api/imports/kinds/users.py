"""Sign-in accounts by e-mail address (case-insensitive): their roles, their employee by NIP,
their agency by code. Only roles the importer may grant through the users API are accepted
(never superadmin; a service account grants none, so its rows are all refused). New accounts
cannot sign in until an administrator sets their password (`POST /users/{id}/password`). The
SQL is composed of this module's constants (hence the S608 exemptions)."""

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.core.bulk_tombstones import users_agency_changed
from kinerja_api.core.i18n import Msg
from kinerja_api.imports.kind import (
    Check,
    Column,
    Context,
    Found,
    Key,
    Kind,
    TakenElsewhere,
    same_region,
)
from kinerja_api.imports.kinds.people import (
    agency_found,
    email_check,
    employee_found,
    employee_join,
)
from kinerja_api.models.imports import ImportKind, RowProblem
from kinerja_api.models.org import Role

_KNOWN = ", ".join(f"'{role.value}'" for role in Role)
_GRANTED = ", ".join(role.value for role in Role if role != Role.SUPERADMIN)
# The roles of a cell (separated by commas, semicolons, bars or spaces), as a sorted set.
_ROLES = (
    r"array(select distinct x from unnest(regexp_split_to_array(lower({cell}), '[\s,;|]+'))"
    " as x where x <> '' order by x)"
)
_ROLES_OF_ROW = _ROLES.format(cell="r.roles")

COLUMNS = (
    Column("email", "The e-mail address the person signs in with (the account's key).", True, 254),
    Column("name", "The person's full name.", True),
    Column(
        "roles",
        f"Roles, separated by commas: {_GRANTED}.",
        True,
    ),
    Column("nip", "The NIP of the person's employee record, in your region.", max_length=40),
    Column(
        "agency_code",
        "The code of the agency an `agency_admin` administers (required for that role).",
        max_length=40,
    ),
)

CHECKS = (
    email_check("email"),
    Check(
        "roles",
        RowProblem.INVALID,
        Msg("Peran tidak dikenal.", "Unknown role."),
        f"exists (select 1 from unnest({_ROLES_OF_ROW}) as x where x not in ({_KNOWN}))",  # noqa: S608
    ),
    Check(
        "roles",
        RowProblem.INVALID,
        Msg("Sebutkan setidaknya satu peran.", "Name at least one role."),
        f"cardinality({_ROLES_OF_ROW}) = 0",
    ),
    Check(
        "roles",
        RowProblem.NOT_ALLOWED,
        Msg(
            "Peran superadmin tidak dapat diberikan lewat impor.",
            "The superadmin role cannot be granted by an import.",
        ),
        f"'superadmin' = any({_ROLES_OF_ROW})",
    ),
    Check(
        "roles",
        RowProblem.NOT_ALLOWED,
        Msg(
            "Anda tidak berwenang memberikan salah satu peran ini.",
            "You may not grant one of these roles.",
        ),
        f"exists (select 1 from unnest({_ROLES_OF_ROW}) as x"  # noqa: S608
        f" where x in ({_KNOWN}) and x <> 'superadmin' and not (x = any(:grantable)))",
    ),
    Check(
        "agency_code",
        RowProblem.MISSING,
        Msg(
            "Peran agency_admin memerlukan kode unit kerja.",
            "The agency_admin role needs an agency_code.",
        ),
        f"r.agency_code is null and 'agency_admin' = any({_ROLES_OF_ROW})",
        value="r.roles",
    ),
)

FOUND = (
    employee_found("nip"),
    Found(
        "nip",
        RowProblem.CONFLICT,
        Msg(
            "Pegawai ini sudah memiliki akun pengguna lain.",
            "This employee already has another user account.",
        ),
        f"""select r.row_number, r.line, r.nip as value
             from rows r
             join {employee_join()}
             join users u on u.employee_id = e.id
            where r.malformed is null and lower(u.email) <> lower(r.email)""",  # noqa: S608
    ),
    agency_found("agency_code"),
    Found(
        "roles",
        RowProblem.CONFLICT,
        Msg("Anda tidak dapat mengubah peran Anda sendiri.", "You cannot change your own roles."),
        f"""select r.row_number, r.line, r.roles as value
              from rows r join users u on u.id = :principal_id
                                      and lower(u.email) = lower(r.email)
             where r.malformed is null and r.roles is not null
               and {_ROLES.format(cell="array_to_string(u.roles, ',')")}
                   <> {_ROLES_OF_ROW}""",  # noqa: S608
    ),
    Found(
        "email",
        RowProblem.NOT_ALLOWED,
        Msg(
            "Akun ini memiliki peran yang tidak dapat Anda kelola.",
            "This account holds a role you may not manage.",
        ),
        f"""select r.row_number, r.line, r.email as value
             from rows r
             join users u on lower(u.email) = lower(r.email) and {same_region("u")}
            where r.malformed is null and not (u.roles::text[] <@ :grantable)""",  # noqa: S608
    ),
)

UPSERT = rf"""
, proposed as (
    select lower(v.email) as email_key, v.email, v.name,
           {_ROLES.format(cell="v.roles")}::text[] as roles,
           e.id as employee_id, a.id as agency_id
      from valid v
      left join {employee_join("v.nip")}
      left join agencies a on a.region_id = :region_id and a.code = v.agency_code
),
classified as (
    select p.*, o.id as old_id, o.agency_id as old_agency_id,
           case when o.id is null then 'created'
                when (o.full_name, {_ROLES.format(cell="array_to_string(o.roles, ',')")}::text[],
                      o.employee_id, o.agency_id)
                     is distinct from (p.name, p.roles, p.employee_id, p.agency_id)
                then 'updated'
                else 'unchanged'
           end as outcome
      from proposed p
      left join users o on lower(o.email) = p.email_key and {same_region("o")}
),
written as (
    insert into users as u
           (region_id, email, full_name, password_hash, roles, employee_id, agency_id)
    select :region_id, c.email, c.name, :password_hash, c.roles::varchar(30)[], c.employee_id,
           c.agency_id
      from classified c
     where :write and c.outcome <> 'unchanged'
    on conflict ((lower(email))) do update
       set full_name = excluded.full_name, roles = excluded.roles,
           employee_id = excluded.employee_id, agency_id = excluded.agency_id,
           version = u.version + 1, updated_at = now()
     where u.region_id = :region_id
    returning u.id
),
moved as (
    select c.old_id, c.old_agency_id from classified c
     where :write and c.outcome = 'updated' and c.old_agency_id is not null
       and c.old_agency_id is distinct from c.agency_id
)
select (select count(*) from classified where outcome = 'created') as created,
       (select count(*) from classified where outcome = 'updated') as updated,
       (select count(*) from classified where outcome = 'unchanged') as unchanged,
       coalesce(array_agg(m.old_id), '{{}}') as agency_moved,
       coalesce(array_agg(m.old_agency_id), '{{}}') as former_agencies
  from moved m
"""  # noqa: S608


async def record_moves(session: AsyncSession, context: Context, row: Mapping[Any, Any]) -> None:
    """Tombstones for the accounts that left an agency, as the users API records them."""
    await users_agency_changed(
        session,
        region_id=context.region_id,
        user_ids=row["agency_moved"],
        former_agency_ids=row["former_agencies"],
    )


USERS = Kind(
    name=ImportKind.USERS,
    columns=COLUMNS,
    checks=CHECKS,
    keys=(Key("email", "lower(r.email)"), Key("nip", "r.nip")),
    taken_elsewhere=(
        TakenElsewhere(
            "email",
            "lower(r.email)",
            """select distinct lower(r.email) from rows r
                 join users u on lower(u.email) = lower(r.email)
                where r.malformed is null and u.region_id is distinct from :region_id""",
            Msg(
                "Alamat surel ini dipakai akun di luar wilayah Anda.",
                "This e-mail address belongs to an account outside your region.",
            ),
        ),
    ),
    found=FOUND,
    upsert=UPSERT,
    after_write=record_moves,
)
