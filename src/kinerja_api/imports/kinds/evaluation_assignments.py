"""360° assignments by (cycle, rater NIP, ratee NIP): who rates whom in a launched cycle, each
pair as the cycle's launch would have made it from the supervisor chain as it stands (the
relation must be the chain's, the cycle must take raters of that relation, peers within the
cycle's quota). An assignment already recorded is left as it is; new ones are announced to
their raters as the launch announces them."""

from kinerja_api.core.i18n import Msg
from kinerja_api.evaluations.api import RELATION_GROUPS
from kinerja_api.imports.kind import (
    Check,
    Column,
    Found,
    Key,
    Kind,
    quoted,
)
from kinerja_api.imports.kinds.by_id import ById
from kinerja_api.imports.kinds.people import employee_found, employee_join, nip_digits
from kinerja_api.models.evaluations import CycleStatus, RaterRelation
from kinerja_api.models.imports import ImportKind, RowProblem

_RELATIONS = ", ".join(quoted(relation.value) for relation in RaterRelation)
_LAUNCHED = quoted(CycleStatus.LAUNCHED.value)

CYCLE = ById("cycle_id", "evaluation_cycles", "c", Msg("Siklus evaluasi", "evaluation cycle"))

COLUMNS = (
    Column(
        "cycle_id",
        "The id of a launched evaluation cycle of your region whose close date has not passed.",
        True,
        36,
    ),
    Column("rater_nip", "The NIP of the rater: an active employee of your region.", True, 40),
    Column(
        "ratee_nip",
        "The NIP of the employee rated: active, of your region and of the cycle's agency "
        "subtree. With `cycle_id` and `rater_nip` the row's key: a pair already assigned is "
        "left as it is.",
        True,
        40,
    ),
    Column(
        "relation",
        "`self` (rater and ratee the same), `supervisor` (the ratee's direct supervisor), "
        "`subordinate` (a direct report of the ratee) or `peer` (same agency, same direct "
        "supervisor), as the supervisor chain stands; the cycle must include the group, and "
        "peers stay within its `peers_per_employee`.",
        True,
        12,
    ),
)

CHECKS = (
    CYCLE.check(),
    nip_digits(
        "rater_nip",
        Msg("NIP penilai harus terdiri dari 18 angka.", "The rater's NIP must be 18 digits."),
    ),
    nip_digits(
        "ratee_nip",
        Msg(
            "NIP pegawai yang dinilai harus terdiri dari 18 angka.",
            "The ratee's NIP must be 18 digits.",
        ),
    ),
    Check(
        "relation",
        RowProblem.INVALID,
        Msg(
            "Relasi harus self, supervisor, peer atau subordinate.",
            "The relation must be self, supervisor, peer or subordinate.",
        ),
        f"lower(r.relation) not in ({_RELATIONS})",
    ),
    Check(
        "relation",
        RowProblem.INVALID,
        Msg(
            "Relasi self berarti penilai dan pegawai yang dinilai orang yang sama (dan hanya itu).",
            "The relation is self exactly when the rater and the ratee are the same.",
        ),
        f"lower(r.relation) in ({_RELATIONS})"
        " and (lower(r.relation) = 'self') <> (r.rater_nip = r.ratee_nip)",
    ),
)

# The cycle of a row whose cycle_id is a UUID (other rows have their problem already).
_CYCLE = CYCLE.join
_RATER = f"{employee_join('r.rater_nip', 'er')} and er.active"
_RATEE = f"{employee_join('r.ratee_nip', 'ee')} and ee.active"
_INCLUDED = (
    "case lower(r.relation) "
    + " ".join(f"when {quoted(rel.value)} then c.{group}" for rel, group in RELATION_GROUPS.items())
    + " end"
)
# The relation the supervisor chain gives the pair, as `_ASSIGN` (evaluations.cycles) pairs
# raters with ratees.
_CHAIN_AGREES = """case lower(r.relation)
        when 'self' then er.id = ee.id
        when 'supervisor' then ee.supervisor_id = er.id
        when 'subordinate' then er.supervisor_id = ee.id
        when 'peer' then er.id <> ee.id and er.agency_id = ee.agency_id
                         and er.supervisor_id = ee.supervisor_id
    end"""

FOUND = (
    CYCLE.found(),
    CYCLE.conflict(
        Msg(
            "Penugasan hanya dapat ditambahkan pada siklus yang berjalan (launched) dan belum "
            "melewati tanggal tutupnya.",
            "Assignments are added only to a launched cycle whose close date has not passed.",
        ),
        f"(c.status <> {_LAUNCHED} or c.closes_on < :today)",
    ),
    employee_found(
        "rater_nip",
        shaped=True,
        active=True,
        message=Msg(
            "Penilai dengan NIP ini tidak terdaftar (aktif) di wilayah Anda.",
            "No active employee of your region has this NIP.",
        ),
    ),
    employee_found(
        "ratee_nip",
        shaped=True,
        active=True,
        message=Msg(
            "Pegawai dengan NIP ini tidak terdaftar (aktif) di wilayah Anda.",
            "No active employee of your region has this NIP.",
        ),
    ),
    Found(
        "ratee_nip",
        RowProblem.NOT_FOUND,
        Msg(
            "Pegawai ini di luar cakupan unit kerja siklus ini.",
            "The employee is outside this cycle's agency subtree.",
        ),
        f"""select r.row_number, r.line, r.ratee_nip as value
              from rows r join {_CYCLE} join {_RATEE}
             where r.malformed is null and c.agency_id is not null
               and not exists (
                   select 1 from agencies root, agencies a
                    where root.region_id = :region_id and root.id = c.agency_id
                      and a.region_id = :region_id and a.id = ee.agency_id
                      and starts_with(a.path, root.path))""",  # noqa: S608
    ),
    # Whether the cycle takes the pair is asked of the rows valid so far only: a relation that
    # is not one, a pair named twice, an unknown cycle or employee have said enough.
    Found(
        "relation",
        RowProblem.NOT_ALLOWED,
        Msg(
            "Siklus ini tidak menyertakan penilai dengan relasi ini.",
            "This cycle does not include raters of this relation.",
        ),
        f"""select r.row_number, r.line, r.relation as value from valid r join {_CYCLE}
             where not ({_INCLUDED})""",  # noqa: S608
    ),
    Found(
        "relation",
        RowProblem.CONFLICT,
        Msg(
            "Relasi ini tidak sesuai dengan rantai atasan saat ini (supervisor: atasan langsung "
            "yang dinilai; subordinate: bawahan langsungnya; peer: unit kerja dan atasan "
            "langsung yang sama).",
            "The relation does not match the supervisor chain as it stands (supervisor: the "
            "ratee's direct supervisor; subordinate: a direct report of the ratee; peer: the "
            "same agency and direct supervisor).",
        ),
        f"""select r.row_number, r.line, r.relation as value
              from valid r join {_RATER} join {_RATEE}
             where not coalesce({_CHAIN_AGREES}, false)""",  # noqa: S608
    ),
    Found(
        "relation",
        RowProblem.CONFLICT,
        Msg(
            "Pasangan ini sudah ditugaskan dengan relasi lain dalam siklus ini.",
            "This pair is already assigned in this cycle with another relation.",
        ),
        f"""select r.row_number, r.line, r.relation as value
              from valid r join {_CYCLE} join {_RATER} join {_RATEE}
              join evaluation_assignments x
                on x.region_id = :region_id and x.cycle_id = c.id and x.ratee_id = ee.id
               and x.rater_id = er.id
             where x.relation <> lower(r.relation)""",  # noqa: S608
    ),
    # Run last: among the rows still valid, the new peers of a ratee beyond what the cycle's
    # quota leaves, in the file's order.
    Found(
        "relation",
        RowProblem.CONFLICT,
        Msg(
            "Kuota rekan penilai (peers_per_employee) siklus ini untuk pegawai ini sudah penuh.",
            "The cycle's quota of peer raters (peers_per_employee) for this employee is full.",
        ),
        f"""select p.row_number, p.line, p.relation as value from (
                select r.row_number, r.line, r.relation,
                       row_number() over (partition by c.id, ee.id order by r.row_number)
                           as place,
                       c.peers_per_employee - (
                           select count(*) from evaluation_assignments x
                            where x.region_id = :region_id and x.cycle_id = c.id
                              and x.ratee_id = ee.id and x.relation = 'peer') as room
                  from valid r join {_CYCLE} join {_RATER} join {_RATEE}
                 where lower(r.relation) = 'peer' and not exists (
                       select 1 from evaluation_assignments x
                        where x.region_id = :region_id and x.cycle_id = c.id
                          and x.ratee_id = ee.id and x.rater_id = er.id)
            ) as p
             where p.place > p.room""",  # noqa: S608
    ),
)

UPSERT = rf"""
, proposed as (
    select r.row_number, c.id as cycle_id, c.closes_on, ee.id as ratee_id,
           ee.agency_id, er.id as rater_id, lower(r.relation) as relation,
           exists (select 1 from evaluation_assignments x
                    where x.region_id = :region_id and x.cycle_id = c.id
                      and x.ratee_id = ee.id and x.rater_id = er.id) as recorded
      from valid r join {_CYCLE} join {_RATER} join {_RATEE}
),
added as (
    insert into evaluation_assignments
           (region_id, cycle_id, ratee_id, rater_id, relation, agency_id, due_on)
    select :region_id, p.cycle_id, p.ratee_id, p.rater_id, p.relation, p.agency_id, p.closes_on
      from proposed p
     where :write and not p.recorded
     order by p.row_number
    on conflict (region_id, cycle_id, ratee_id, rater_id) do nothing
    returning cycle_id, rater_id, due_on
),
per_rater as (
    select cycle_id, rater_id, min(due_on) as due_on, count(*) as assignments
      from added group by cycle_id, rater_id
),
announced as (
    -- As the launch announces them: one `evaluation.assigned` per rater and cycle.
    insert into outbox_events (region_id, type, entity_type, entity_id, employee_id, payload)
    select :region_id, 'evaluation.assigned', 'evaluation_cycle', a.cycle_id, a.rater_id,
           jsonb_build_object('cycle_id', a.cycle_id, 'due_on', a.due_on,
                              'assignments', a.assignments)
      from per_rater a
     order by a.cycle_id, a.rater_id
    returning 1
)
select count(*) filter (where not recorded) as created, 0 as updated,
       count(*) filter (where recorded) as unchanged
  from proposed
"""  # noqa: S608

# The lock the cycles API takes on a cycle it adds assignments to (its row).
LOCK = CYCLE.lock()

EVALUATION_ASSIGNMENTS = Kind(
    name=ImportKind.EVALUATION_ASSIGNMENTS,
    columns=COLUMNS,
    checks=CHECKS,
    keys=(
        Key(
            "ratee_nip",
            "lower(r.cycle_id) || '|' || r.rater_nip || '|' || r.ratee_nip",
        ),
    ),
    found=FOUND,
    upsert=UPSERT,
    lock=LOCK,
)
