"""Progress reports (realisasi), one row per report: the indicator by its plan (NIP, period),
target and indicator numbers (as the plans kind writes them), the day it reports for, the value,
a note and one piece of evidence. A report's key is its indicator and `reported_for`: a report
of that indicator and day (not withdrawn) is updated while it is pending and left alone when
nothing changed, so the same file imported twice writes nothing. Reports land only where the
progress API takes them: indicators of approved plans in an open period, for a day of the
period's year not after today (the region's). New reports are pending, for the supervisor to
verify. The SQL is composed of this module's constants (hence the S608 exemptions)."""

from kinerja_api.core.i18n import Msg
from kinerja_api.imports.kind import Check, Column, Found, Key, Kind, quoted
from kinerja_api.imports.kinds.cells import day, decimal, one_of, year
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
from kinerja_api.models.progress import (
    EVIDENCE_TITLE_MAX_LENGTH,
    EVIDENCE_URL_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    REPORTABLE,
    EvidenceKind,
    ReportStatus,
)

_REPORTABLE = ", ".join(quoted(status.value) for status in sorted(REPORTABLE))
_PENDING = quoted(ReportStatus.PENDING.value)
_WITHDRAWN = quoted(ReportStatus.WITHDRAWN.value)
_URL = r"^https?://[^\s/?#]+[^\s]*$"

COLUMNS = (
    *PLAN_COLUMNS,
    INDICATOR_COLUMN,
    Column(
        "reported_for",
        "The day the value refers to, `YYYY-MM-DD`: in the period's year, not after today. "
        "With the indicator, the report's key: a pending report of that indicator and day is "
        "updated, one already verified is left alone when the row says the same.",
        True,
        10,
    ),
    Column(
        "value",
        "The realised value, 0 or more: up to 14 digits and 4 decimals (`.` or `,`).",
        True,
        30,
    ),
    Column("note", "A note on the report.", max_length=NOTE_MAX_LENGTH),
    Column(
        "evidence_url",
        "A link to the evidence (bukti dukung), `http://` or `https://`.",
        max_length=EVIDENCE_URL_MAX_LENGTH,
    ),
    Column(
        "evidence_title",
        "The evidence's title (required with `evidence_url`).",
        max_length=EVIDENCE_TITLE_MAX_LENGTH,
    ),
    Column(
        "evidence_kind",
        "`document` (empty), `photo`, `video`, `link` or `other`.",
        max_length=10,
    ),
)

_VALUE = decimal("r.value", 14, 4)
_DAY = day("r.reported_for")

CHECKS = (
    *PLAN_CHECKS,
    Check(
        "reported_for",
        RowProblem.INVALID,
        Msg(
            "Tanggal realisasi ditulis YYYY-MM-DD, misalnya 2026-03-31.",
            "The reported_for date is written YYYY-MM-DD, e.g. 2026-03-31.",
        ),
        f"r.reported_for is not null and {_DAY} is null",
    ),
    Check(
        "reported_for",
        RowProblem.INVALID,
        Msg(
            "Tanggal realisasi harus berada dalam tahun periode.",
            "The reported date must lie in the period's year.",
        ),
        f"extract(year from {_DAY}) <> {year('r.period')}",
    ),
    Check(
        "reported_for",
        RowProblem.INVALID,
        Msg(
            "Tanggal realisasi tidak boleh di masa depan.",
            "The reported date cannot be in the future.",
        ),
        f"{_DAY} > :today",
    ),
    Check(
        "value",
        RowProblem.INVALID,
        Msg(
            "Realisasi harus angka 0 atau lebih, paling banyak 14 digit dan 4 desimal.",
            "The value must be a number of 0 or more, at most 14 digits and 4 decimals.",
        ),
        f"r.value is not null and {_VALUE} is null",
    ),
    Check(
        "evidence_url",
        RowProblem.INVALID,
        Msg(
            "Tautan bukti dukung harus diawali http:// atau https://.",
            "The evidence_url must start with http:// or https://.",
        ),
        f"r.evidence_url !~* '{_URL}'",
    ),
    Check(
        "evidence_kind",
        RowProblem.INVALID,
        Msg(
            "Jenis bukti dukung harus document, photo, video, link atau other.",
            "The evidence_kind must be document, photo, video, link or other.",
        ),
        one_of("r.evidence_kind", EvidenceKind),
    ),
    Check(
        "evidence_title",
        RowProblem.MISSING,
        Msg(
            "Bukti dukung memerlukan judul (evidence_title).",
            "The evidence needs a title (evidence_title).",
        ),
        "r.evidence_url is not null and r.evidence_title is null",
        value="r.evidence_url",
    ),
    Check(
        "evidence_url",
        RowProblem.MISSING,
        Msg(
            "Judul atau jenis bukti dukung tanpa tautannya (evidence_url).",
            "An evidence title or kind without its link (evidence_url).",
        ),
        "r.evidence_url is null and (r.evidence_title is not null or r.evidence_kind is not null)",
        value="coalesce(r.evidence_title, r.evidence_kind)",
    ),
)

_EVIDENCE = (
    "case when {row}.evidence_url is null then '[]'::jsonb"
    " else jsonb_build_array(jsonb_build_object('title', {row}.evidence_title,"
    " 'url', {row}.evidence_url, 'kind', coalesce(lower({row}.evidence_kind), 'document')))"
    " end"
)
# The reports recorded under a row's key.
_SAME_DAY = f"""progress_reports o
    on o.region_id = :region_id and o.indicator_id = i.id and o.reported_for = {_DAY}
   and o.status <> {_WITHDRAWN}"""

FOUND = (
    *PLAN_FOUND,
    Found(
        "indicator_no",
        RowProblem.NOT_FOUND,
        Msg(
            "Rencana pegawai ini pada periode tersebut tidak memiliki indikator dengan nomor "
            "sasaran (target_no) dan nomor indikator ini.",
            "The employee's plan for the period has no indicator at this target_no and "
            "indicator_no.",
        ),
        f"""select r.row_number, r.line, r.indicator_no as value
              from rows r join {EMPLOYEE} join {PERIOD}
             where r.malformed is null and not exists (
                   select 1 from plans p join {TARGET} join {INDICATOR}
                    where p.region_id = :region_id and p.period_id = pe.id
                      and p.employee_id = e.id)""",  # noqa: S608
    ),
    several_indicators(
        Msg(
            "Rencana ini memiliki lebih dari satu sasaran atau indikator dengan nomor ini.",
            "The plan has more than one target or indicator at these numbers.",
        )
    ),
    Found(
        None,
        RowProblem.CONFLICT,
        Msg(
            "Realisasi hanya dapat dilaporkan pada SKP yang sudah disetujui.",
            "Progress can only be reported on an approved plan.",
        ),
        f"""select r.row_number, r.line, p.status as value
              from rows r join {EMPLOYEE} join {PERIOD} join {PLAN}
             where r.malformed is null and p.status not in ({_REPORTABLE})""",  # noqa: S608
    ),
    Found(
        "reported_for",
        RowProblem.CONFLICT,
        Msg(
            "Indikator ini memiliki lebih dari satu laporan pada tanggal ini; ubah lewat API.",
            "The indicator has more than one report on this day; change them through the API.",
        ),
        f"""select r.row_number, r.line, r.reported_for as value
              from rows r join {EMPLOYEE} join {PERIOD} join {PLAN} join {TARGET}
              join {INDICATOR} join {_SAME_DAY}
             where r.malformed is null
             group by r.row_number, r.line, r.reported_for having count(*) > 1""",  # noqa: S608
    ),
    Found(
        "reported_for",
        RowProblem.CONFLICT,
        Msg(
            "Laporan indikator ini pada tanggal ini sudah diverifikasi atau ditolak; hanya "
            "laporan yang menunggu yang dapat diubah.",
            "The indicator's report on this day was already verified or rejected; only pending "
            "reports can change.",
        ),
        f"""select r.row_number, r.line, o.status as value
              from rows r join {EMPLOYEE} join {PERIOD} join {PLAN} join {TARGET}
              join {INDICATOR} join {_SAME_DAY}
             where r.malformed is null and o.status <> {_PENDING}
               and (o.value, o.note, o.evidence) is distinct from
                   ({_VALUE}, r.note, {_EVIDENCE.format(row="r")})""",  # noqa: S608
    ),
)

UPSERT = rf"""
, proposed as (
    select v.row_number, p.id as plan_id, t.id as target_id, i.id as indicator_id,
           p.employee_id, p.agency_id, {decimal("v.value", 14, 4)} as value,
           {day("v.reported_for")} as reported_for, v.note,
           {_EVIDENCE.format(row="v")} as evidence
      from {VALID_IN_OPEN_PERIOD}
      join plans p on p.region_id = :region_id and p.period_id = pe.id and p.employee_id = e.id
                  and p.status in ({_REPORTABLE})
      join targets t on t.region_id = :region_id and t.plan_id = p.id
                    and t.position = {number("v.target_no")}
      join indicators i on i.region_id = :region_id and i.target_id = t.id
                       and i.position = {number("v.indicator_no")}
),
classified as (
    select pr.*, o.id as old_id,
           case when o.id is null then 'created'
                when (o.value, o.note, o.evidence) is distinct from
                     (pr.value, pr.note, pr.evidence) then 'updated'
                else 'unchanged'
           end as outcome
      from proposed pr
      left join lateral (
          select o.* from progress_reports o
           where o.region_id = :region_id and o.indicator_id = pr.indicator_id
             and o.reported_for = pr.reported_for and o.status <> {_WITHDRAWN}
           order by o.created_at, o.id limit 1) o on true
     -- A report verified since the rows were checked is left alone.
     where o.id is null or o.status = {_PENDING}
        or (o.value, o.note, o.evidence) is not distinct from (pr.value, pr.note, pr.evidence)
),
created as (
    insert into progress_reports
           (region_id, plan_id, target_id, indicator_id, employee_id, agency_id, value,
            reported_for, year, quarter, note, evidence)
    select :region_id, c.plan_id, c.target_id, c.indicator_id, c.employee_id, c.agency_id,
           c.value, c.reported_for, extract(year from c.reported_for)::int,
           extract(quarter from c.reported_for)::int, c.note, c.evidence
      from classified c
     where :write and c.outcome = 'created'
    returning id
),
changed as (
    update progress_reports o
       set value = c.value, note = c.note, evidence = c.evidence, version = o.version + 1,
           updated_at = now()
      from classified c
     where :write and c.outcome = 'updated' and o.region_id = :region_id and o.id = c.old_id
       and o.status = {_PENDING}
    returning o.id
)
{OUTCOMES}
"""  # noqa: S608

# The plans the batch reports on and their periods, FOR SHARE as the progress API holds them:
# a revision of the plan, or closing its period, waits for the batch.
LOCK = plan_lock("for share of p, pe")

PROGRESS_REPORTS = Kind(
    name=ImportKind.PROGRESS_REPORTS,
    columns=COLUMNS,
    checks=CHECKS,
    keys=(
        Key(
            "reported_for",
            f"{row_key('r.target_no', 'r.indicator_no')} || '|' || ({_DAY})::text",
        ),
    ),
    found=FOUND,
    upsert=UPSERT,
    lock=LOCK,
)
