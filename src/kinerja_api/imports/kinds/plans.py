"""SKP plans with their targets (RHK) and indicators (IKI), one row per indicator. Rows group
into one plan per employee (NIP) and period (year), a target per `target_no` within the plan
(the target's cells repeated on each of its indicators' rows) and an indicator per
`indicator_no` within the target. A plan not yet recorded is created as a draft; a recorded one
changes only while its employee could change it through the plans API (`draft` or `returned`,
in an open period): the rows of a submitted or approved plan are refused. Targets and
indicators the file does not name are left as they are, and so are cascade links (intervensi),
which the targets API sets. The SQL is composed of this module's constants (hence the S608
exemptions)."""

from kinerja_api.core.i18n import Msg
from kinerja_api.imports.kind import Check, Column, Found, Key, Kind, quoted
from kinerja_api.imports.kinds.cells import decimal, one_of
from kinerja_api.imports.kinds.skp import (
    EMPLOYEE,
    INDICATOR,
    INDICATOR_COLUMN,
    OUTCOMES,
    PERIOD,
    PLAN,
    PLAN_CHECKS,
    PLAN_COLUMNS,
    PLAN_FOUND,
    TARGET,
    VALID_IN_OPEN_PERIOD,
    number,
    plan_lock,
    row_key,
    several_indicators,
)
from kinerja_api.models.imports import ImportKind, RowProblem
from kinerja_api.models.plans import Aggregation, Aspect, TargetKind
from kinerja_api.plans.api import (
    EDITABLE,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    UNIT_MAX_LENGTH,
    WEIGHT_MAX,
)

_EDITABLE = ", ".join(quoted(status.value) for status in sorted(EDITABLE))
_YES = ("true", "ya", "yes", "1")
_NO = ("false", "tidak", "no", "0")
_PUBLIC = f"coalesce(lower({{cell}}) in ({', '.join(quoted(v) for v in _YES)}), false)"

COLUMNS = (
    *PLAN_COLUMNS,
    Column("target_kind", "`utama` (main) or `tambahan` (additional).", True, 10),
    Column("target_title", "The target's text (Rencana Hasil Kerja).", True, TITLE_MAX_LENGTH),
    Column("target_description", "The target's description.", max_length=TEXT_MAX_LENGTH),
    Column(
        "target_public",
        "`ya`/`true` when the target is shown in the public progress view; empty: not shown.",
        max_length=10,
    ),
    INDICATOR_COLUMN,
    Column("aspect", "`kuantitas`, `kualitas` or `waktu`.", True, 10),
    Column(
        "indicator", "The indicator's text (Indikator Kinerja Individu).", True, TEXT_MAX_LENGTH
    ),
    Column(
        "target_value",
        "The indicator's target value, above 0: up to 14 digits and 4 decimals (`.` or `,`).",
        True,
        30,
    ),
    Column("unit", "The unit of the target value (e.g. `dokumen`).", True, UNIT_MAX_LENGTH),
    Column(
        "aggregation",
        "How reports add up: `sum` (empty), `latest` or `average`.",
        max_length=10,
    ),
    Column(
        "weight",
        f"The indicator's weight, above 0 and at most {WEIGHT_MAX}, 2 decimals; when one "
        f"indicator of a plan has one, all must, adding up to {WEIGHT_MAX}, before the plan "
        "is submitted.",
        max_length=10,
    ),
)

_TARGET_VALUE = decimal("r.target_value", 14, 4)
_WEIGHT = decimal("r.weight", 3, 2)

CHECKS = (
    *PLAN_CHECKS,
    Check(
        "target_kind",
        RowProblem.INVALID,
        Msg(
            "Jenis sasaran harus utama atau tambahan.", "The target_kind must be utama or tambahan."
        ),
        one_of("r.target_kind", TargetKind),
    ),
    Check(
        "target_public",
        RowProblem.INVALID,
        Msg(
            "Kolom target_public berisi ya/tidak (atau true/false).",
            "The target_public cell holds ya/tidak (or true/false).",
        ),
        one_of("r.target_public", _YES + _NO),
    ),
    Check(
        "aspect",
        RowProblem.INVALID,
        Msg(
            "Aspek harus kuantitas, kualitas atau waktu.",
            "The aspect must be kuantitas, kualitas or waktu.",
        ),
        one_of("r.aspect", Aspect),
    ),
    Check(
        "target_value",
        RowProblem.INVALID,
        Msg(
            "Target harus angka di atas 0, paling banyak 14 digit dan 4 desimal.",
            "The target_value must be a number above 0 of at most 14 digits and 4 decimals.",
        ),
        f"r.target_value is not null and coalesce({_TARGET_VALUE} <= 0, true)",
    ),
    Check(
        "aggregation",
        RowProblem.INVALID,
        Msg(
            "Agregasi harus sum, latest atau average.",
            "The aggregation must be sum, latest or average.",
        ),
        one_of("r.aggregation", Aggregation),
    ),
    Check(
        "weight",
        RowProblem.INVALID,
        Msg(
            f"Bobot harus angka di atas 0 dan paling besar {WEIGHT_MAX}, dengan 2 desimal.",
            f"The weight must be a number above 0 and at most {WEIGHT_MAX}, with 2 decimals.",
        ),
        f"r.weight is not null and coalesce({_WEIGHT} <= 0 or {_WEIGHT} > {WEIGHT_MAX}, true)",
    ),
)

_TARGET_CELLS = "(lower(r.target_kind), r.target_title, r.target_description, {public})".format(
    public=_PUBLIC.format(cell="r.target_public")
)

FOUND = (
    *PLAN_FOUND,
    Found(
        None,
        RowProblem.CONFLICT,
        Msg(
            "Rencana pegawai ini pada periode tersebut sudah diajukan atau disetujui dan tidak "
            "dapat diubah (buka revisi bila sudah disetujui).",
            "This employee's plan for the period is submitted or approved and cannot be "
            "changed (open a revision if it was approved).",
        ),
        f"""select r.row_number, r.line, p.status as value
              from rows r join {EMPLOYEE} join {PERIOD} join {PLAN}
             where r.malformed is null and p.status not in ({_EDITABLE})""",  # noqa: S608
    ),
    Found(
        "target_no",
        RowProblem.CONFLICT,
        Msg(
            "Rencana ini memiliki lebih dari satu sasaran dengan nomor ini; ubah lewat API.",
            "The plan has more than one target at this number; change them through the API.",
        ),
        f"""select r.row_number, r.line, r.target_no as value
              from rows r join {EMPLOYEE} join {PERIOD} join {PLAN} join {TARGET}
             where r.malformed is null
             group by r.row_number, r.line, r.target_no having count(*) > 1""",  # noqa: S608
    ),
    several_indicators(
        Msg(
            "Sasaran ini memiliki lebih dari satu indikator dengan nomor ini; ubah lewat API.",
            "The target has more than one indicator at this number; change them through the API.",
        )
    ),
    Found(
        "target_title",
        RowProblem.CONFLICT,
        Msg(
            "Baris-baris sasaran yang sama (NIP, periode, target_no) berbeda isi kolom "
            "sasarannya (target_kind, target_title, target_description, target_public).",
            "Rows of one target (nip, period, target_no) differ in its cells (target_kind, "
            "target_title, target_description, target_public).",
        ),
        f"""select d.row_number, d.line, d.value from (
                select r.row_number, r.line, r.target_title as value,
                       min({_TARGET_CELLS}::text) over same_target
                         <> max({_TARGET_CELLS}::text) over same_target as differs
                  from rows r
                 where r.malformed is null and {row_key("r.target_no")} is not null
                window same_target as (partition by {row_key("r.target_no")})) as d
             where d.differs""",  # noqa: S608
    ),
    Found(
        "unit",
        RowProblem.CONFLICT,
        Msg(
            "Satuan indikator yang berbagi indikator induk, atau yang dibagi indikator "
            "bawahan, tidak dapat diubah menjadi satuan lain.",
            "The unit of an indicator that shares a parent indicator, or that subordinates' "
            "indicators share, cannot become another unit.",
        ),
        f"""select r.row_number, r.line, r.unit as value
              from rows r join {EMPLOYEE} join {PERIOD} join {PLAN} join {TARGET}
              join {INDICATOR}
             where r.malformed is null and i.unit <> r.unit
               and (exists (select 1 from indicators u
                             where u.region_id = :region_id and u.id = i.parent_indicator_id)
                    or exists (select 1 from indicators s
                                where s.region_id = :region_id
                                  and s.parent_indicator_id = i.id))""",  # noqa: S608
    ),
)

UPSERT = rf"""
, proposed as (
    select v.row_number, e.id as employee_id, e.agency_id, pe.id as period_id,
           {number("v.target_no")} as target_position, lower(v.target_kind) as kind,
           v.target_title as title, v.target_description, {_PUBLIC.format(cell="v.target_public")}
               as public,
           {number("v.indicator_no")} as indicator_position, lower(v.aspect) as aspect,
           v.indicator as description, {decimal("v.target_value", 14, 4)} as target_value,
           v.unit, coalesce(lower(v.aggregation), 'sum') as aggregation,
           {decimal("v.weight", 3, 2)} as weight
      from {VALID_IN_OPEN_PERIOD}
),
placed as (
    -- Only plans their employee could still change now (the rows were checked before the
    -- batch's transaction began).
    select pr.*, p.id as plan_id, t.id as target_id,
           (t.kind, t.title, t.description, t.public)
               is distinct from (pr.kind, pr.title, pr.target_description, pr.public)
               as target_changed,
           i.id as indicator_id,
           (i.aspect, i.description, i.target_value, i.unit, i.aggregation, i.weight)
               is distinct from (pr.aspect, pr.description, pr.target_value, pr.unit,
                                 pr.aggregation, pr.weight) as indicator_changed
      from proposed pr
      left join plans p on p.region_id = :region_id and p.period_id = pr.period_id
                       and p.employee_id = pr.employee_id
      left join lateral (
          select t.* from targets t
           where t.region_id = :region_id and t.plan_id = p.id
             and t.position = pr.target_position
           order by t.created_at, t.id limit 1) t on true
      left join lateral (
          select i.* from indicators i
           where i.region_id = :region_id and i.target_id = t.id
             and i.position = pr.indicator_position
           order by i.created_at, i.id limit 1) i on true
     where p.id is null or p.status in ({_EDITABLE})
),
classified as (
    select pl.*,
           case when pl.indicator_id is null then 'created'
                when pl.target_changed or pl.indicator_changed then 'updated'
                else 'unchanged'
           end as outcome
      from placed pl
),
new_plans as (
    insert into plans (region_id, period_id, employee_id, agency_id)
    select distinct :region_id, c.period_id, c.employee_id, c.agency_id
      from classified c
     where :write and c.plan_id is null
    on conflict (region_id, period_id, employee_id) do nothing
    returning id, period_id, employee_id
),
planned as (
    select c.*, coalesce(c.plan_id, n.id) as plan_ref
      from classified c
      left join new_plans n on n.period_id = c.period_id and n.employee_id = c.employee_id
     where :write and c.outcome <> 'unchanged'
),
new_targets as (
    insert into targets (region_id, plan_id, kind, title, description, public, position)
    select distinct on (p.plan_ref, p.target_position)
           :region_id, p.plan_ref, p.kind, p.title, p.target_description, p.public,
           p.target_position
      from planned p
     where p.target_id is null and p.plan_ref is not null
     order by p.plan_ref, p.target_position, p.row_number
    returning id, plan_id, position
),
changed_targets as (
    update targets t
       set kind = x.kind, title = x.title, description = x.target_description,
           public = x.public, version = t.version + 1, updated_at = now()
      from (select distinct on (p.target_id) p.target_id, p.kind, p.title,
                   p.target_description, p.public
              from planned p
             where p.target_id is not null and p.target_changed
             order by p.target_id, p.row_number) x
     where t.region_id = :region_id and t.id = x.target_id
    returning t.id
),
new_indicators as (
    insert into indicators
           (region_id, plan_id, target_id, aspect, description, target_value, unit,
            aggregation, weight, position)
    select :region_id, p.plan_ref, coalesce(p.target_id, n.id), p.aspect, p.description,
           p.target_value, p.unit, p.aggregation, p.weight, p.indicator_position
      from planned p
      left join new_targets n on n.plan_id = p.plan_ref and n.position = p.target_position
     where p.indicator_id is null and coalesce(p.target_id, n.id) is not null
    returning id
),
changed_indicators as (
    update indicators i
       set aspect = p.aspect, description = p.description, target_value = p.target_value,
           unit = p.unit, aggregation = p.aggregation, weight = p.weight,
           version = i.version + 1, updated_at = now()
      from planned p
     where i.region_id = :region_id and i.id = p.indicator_id and p.indicator_changed
    returning i.id
),
touched as (
    -- As the targets API does: clients syncing plans by `updated_since` fetch them again;
    -- their version (ETag) stays, as none of the plan's own fields changed.
    update plans pl set updated_at = now()
     where pl.region_id = :region_id
       and pl.id in (select p.plan_id from planned p where p.plan_id is not null)
    returning pl.id
)
{OUTCOMES}
"""  # noqa: S608

# The plans the batch writes, as the plans API holds them while it changes one: the plan
# FOR NO KEY UPDATE (a submission waits), its period FOR SHARE (closing it waits).
LOCK = plan_lock("for no key update of p for share of pe")

PLANS = Kind(
    name=ImportKind.PLANS,
    columns=COLUMNS,
    checks=CHECKS,
    keys=(Key("indicator_no", row_key("r.target_no", "r.indicator_no")),),
    found=FOUND,
    upsert=UPSERT,
    lock=LOCK,
)
