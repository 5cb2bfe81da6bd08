"""Complaints received through SP4N-LAPOR!, by LAPOR!'s tracking number (`nomor_tiket`, unique
in the region): the columns under the names the LAPOR! export writes (`tanggal_laporan`,
`kategori`, `judul`, `isi`, `lokasi`, `instansi_tujuan`, `status`), LAPOR!'s categories and
statuses as that export spells them (`waktu_tunggu`, or `Waktu Tunggu` as LAPOR! shows it),
dates day first (`dd-mm-yyyy HH:MM:SS`, region time) or ISO 8601.

A complaint comes in as one submitted here does: a tracking code drawn the same way, its due
date counted in working days from the day LAPOR! received it (the region's zone and holidays,
`complaint_due_working_days`), `source` `lapor`. A file imported again updates what LAPOR!
owns (the date, category, title and content, location, the agency it was disposed to) and moves
the status only forward: what officers did here (a triage, an assignment, a resolution) is
never taken back by an older LAPOR! status, nor an agency set here by an empty `instansi_tujuan`.
Like every import, it leaves one audit and one end event, not one per complaint."""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ARRAY, DateTime, Text, Uuid, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.core.i18n import Msg
from kinerja_api.exchange.api import LAPOR_CATEGORY, LAPOR_STATUS
from kinerja_api.feedback.api import TRACKING_CODE_LENGTH, random_code, region_deadlines
from kinerja_api.imports.kind import Check, Column, Context, Key, Kind, quoted
from kinerja_api.imports.kinds.cells import instant_sql
from kinerja_api.imports.kinds.people import agency_found
from kinerja_api.models.feedback import ComplaintStatus
from kinerja_api.models.imports import ImportKind, RowProblem

MIN_DESCRIPTION = 10
MAX_DESCRIPTION = 4000

COLUMNS = (
    Column("nomor_tiket", "LAPOR!'s tracking number: the key, unique in your region.", True, 40),
    Column(
        "tanggal_laporan",
        "When LAPOR! received it: dd-mm-yyyy [HH:MM[:SS]] in the region's time, or ISO 8601.",
        True,
        40,
    ),
    Column("kategori", "LAPOR!'s category (see the README).", True, 50),
    Column("judul", "The report's title; put before the content unless the content starts so."),
    Column("isi", "The report's content.", True, MAX_DESCRIPTION),
    Column("lokasi", "Where it happened.", True, 500),
    Column(
        "instansi_tujuan",
        "The code of the agency it is disposed to, in your region. Empty: not yet disposed "
        "(or as recorded).",
        max_length=40,
    ),
    Column("status", "LAPOR!'s status (see the README).", True, 40),
)

# LAPOR!'s words for the API's: the LAPOR! export's terms read backwards (`proses` is `assigned`).
CATEGORIES: dict[str, str] = {lapor: api for api, lapor in LAPOR_CATEGORY.items()}
STATUSES: dict[str, str] = {}
for _api, _lapor in LAPOR_STATUS.items():
    STATUSES.setdefault(_lapor, _api)
# How far along a status is: an import moves a complaint's status only forward.
STAGE = {
    ComplaintStatus.SUBMITTED: 0,
    ComplaintStatus.TRIAGED: 1,
    ComplaintStatus.ASSIGNED: 2,
    ComplaintStatus.REOPENED: 2,
    ComplaintStatus.RESOLVED: 3,
}
_KNOWN_CATEGORIES = ", ".join(CATEGORIES)
_KNOWN_STATUSES = ", ".join(STATUSES)
_ZONE = "(select g.timezone from regions g where g.id = :region_id)"


def _term(cell: str) -> str:
    """LAPOR!'s term as its export spells it: `Belum Terverifikasi` is `belum_terverifikasi`."""
    return rf"lower(regexp_replace({cell}, '[\s/-]+', '_', 'g'))"


def _mapped(cell: str, terms: Mapping[str, str]) -> str:
    cases = " ".join(f"when {quoted(word)} then {quoted(api)}" for word, api in terms.items())
    return f"(case {_term(cell)} {cases} end)"


def _stage(status: str) -> str:
    cases = " ".join(f"when {quoted(value.value)} then {stage}" for value, stage in STAGE.items())
    return f"(case {status} {cases} end)"


def received(row: str) -> str:
    return instant_sql(f"{row}.tanggal_laporan", _ZONE)


def description(row: str) -> str:
    """The content, after the title unless the content already starts with it."""
    return f"""(case when {row}.judul is null or starts_with({row}.isi, {row}.judul)
                     then {row}.isi else {row}.judul || E'\\n\\n' || {row}.isi end)"""


CHECKS = (
    Check(
        "nomor_tiket",
        RowProblem.INVALID,
        Msg(
            "Nomor tiket hanya boleh huruf, angka, '.', '/' dan '-' (3 sampai 40 karakter).",
            "A tracking number holds letters, digits, '.', '/' and '-' only (3 to 40 characters).",
        ),
        "r.nomor_tiket !~ '^[0-9A-Za-z][0-9A-Za-z./-]{2,39}$'",
    ),
    Check(
        "tanggal_laporan",
        RowProblem.INVALID,
        Msg(
            # No colon after a space or bracket in an SQL literal: it would read as a parameter.
            "Tanggal laporan tidak valid (dd-mm-yyyy dengan atau tanpa HH:MM:SS, atau ISO 8601) "
            "atau di masa depan.",
            "The report's date is not valid (dd-mm-yyyy with or without HH:MM:SS, or ISO 8601) "
            "or in the future.",
        ),
        f"coalesce({received('r')} > now(), true)",
    ),
    Check(
        "kategori",
        RowProblem.INVALID,
        Msg(
            f"Kategori LAPOR! tidak dikenal; yang dikenal: {_KNOWN_CATEGORIES}.",
            f"Unknown LAPOR! category; known: {_KNOWN_CATEGORIES}.",
        ),
        f"{_mapped('r.kategori', CATEGORIES)} is null",
    ),
    Check(
        "status",
        RowProblem.INVALID,
        Msg(
            f"Status LAPOR! tidak dikenal; yang dikenal: {_KNOWN_STATUSES}.",
            f"Unknown LAPOR! status; known: {_KNOWN_STATUSES}.",
        ),
        f"{_mapped('r.status', STATUSES)} is null",
    ),
    Check(
        "isi",
        RowProblem.INVALID,
        Msg(
            f"Isi laporan paling sedikit {MIN_DESCRIPTION} karakter.",
            f"The report's content holds at least {MIN_DESCRIPTION} characters.",
        ),
        f"length(r.isi) < {MIN_DESCRIPTION}",
    ),
    Check(
        "judul",
        RowProblem.TOO_LONG,
        Msg(
            f"Judul dan isi bersama paling banyak {MAX_DESCRIPTION} karakter.",
            f"The title and the content together hold at most {MAX_DESCRIPTION} characters.",
        ),
        f"r.isi is not null and length({description('r')}) > {MAX_DESCRIPTION}",
        value="left(r.judul, 40) || '…'",
    ),
)

UPSERT = f"""
, proposed as (
    select v.row_number, v.nomor_tiket as reference, {received("v")} as submitted_at,
           {_mapped("v.kategori", CATEGORIES)} as category, {description("v")} as description,
           v.lokasi as location, a.id as agency_id, {_mapped("v.status", STATUSES)} as status
      from valid v
      left join agencies a on a.region_id = :region_id and a.code = lower(v.instansi_tujuan)
),
merged as (
    select p.row_number, p.reference, p.submitted_at, p.category, p.description, p.location,
           coalesce(p.agency_id, o.agency_id) as agency_id,
           case when o.id is null or {_stage("p.status")} > {_stage("o.status")}
                then p.status else o.status end as status,
           o.id as old_id, o.submitted_at as old_submitted_at, o.category as old_category,
           o.description as old_description, o.location as old_location,
           o.agency_id as old_agency_id, o.status as old_status
      from proposed p
      left join complaints o on o.region_id = :region_id and o.external_reference = p.reference
),
classified as (
    select m.*,
           case when m.old_id is null then 'created'
                when (m.old_submitted_at, m.old_category, m.old_description, m.old_location,
                      m.old_agency_id, m.old_status)
                     is distinct from
                     (m.submitted_at, m.category, m.description, m.location, m.agency_id,
                      m.status)
                then 'updated'
                else 'unchanged'
           end as outcome
      from merged m
),
written as (
    -- The due date is counted by `after_write` (the region's calendar); until then, the day
    -- it was received.
    insert into complaints as c
           (region_id, tracking_code, agency_id, category, description, location, status,
            submitted_at, due_at, resolved_at, source, external_reference)
    select :region_id, (:tracking_codes)[k.row_number - :first + 1], k.agency_id, k.category,
           k.description, k.location, k.status, k.submitted_at, k.submitted_at,
           case when k.status = 'resolved' then now() end, 'lapor', k.reference
      from classified k
     where :write and k.outcome <> 'unchanged'
    on conflict (region_id, external_reference) where external_reference is not null do update
       set agency_id = excluded.agency_id, category = excluded.category,
           description = excluded.description, location = excluded.location,
           status = excluded.status, submitted_at = excluded.submitted_at,
           resolved_at = case when excluded.status = 'resolved'
                              then coalesce(c.resolved_at, excluded.resolved_at)
                              else c.resolved_at end,
           version = c.version + 1, updated_at = now()
     where c.region_id = :region_id
    returning c.id, c.external_reference, c.submitted_at
)
select (select count(*) from classified where outcome = 'created') as created,
       (select count(*) from classified where outcome = 'updated') as updated,
       (select count(*) from classified where outcome = 'unchanged') as unchanged,
       coalesce(array_agg(w.id), '{{}}') as due_ids,
       coalesce(array_agg(w.submitted_at), '{{}}') as due_from
  from written w join classified k on k.reference = w.external_reference
 where k.old_id is null or k.old_submitted_at <> k.submitted_at
"""  # noqa: S608

_SET_DUE = text(
    """update complaints c set due_at = d.due_at
         from unnest(:ids, :dues) as d(id, due_at)
        where c.id = d.id and c.region_id = :region_id"""
).bindparams(
    bindparam("ids", type_=ARRAY(Uuid())),
    bindparam("dues", type_=ARRAY(DateTime(timezone=True))),
    bindparam("region_id", type_=Uuid()),
)


async def count_due_dates(session: AsyncSession, context: Context, row: Mapping[Any, Any]) -> None:
    """The due dates of the complaints written (new, or received on another day), counted as
    the complaints service counts them."""
    ids, starts = list(row["due_ids"]), list(row["due_from"])
    if not ids:
        return
    days = context.settings.complaint_due_working_days
    dues = await region_deadlines(session, context.region_id, starts, days)
    await session.execute(_SET_DUE, {"ids": ids, "dues": dues, "region_id": context.region_id})


def draw_tracking_codes(rows: int) -> dict[str, Any]:
    """A tracking code for each row of a batch, drawn as a complaint submitted here gets one."""
    return {"tracking_codes": [random_code(TRACKING_CODE_LENGTH) for _ in range(rows)]}


LAPOR_COMPLAINTS = Kind(
    name=ImportKind.LAPOR_COMPLAINTS,
    columns=COLUMNS,
    checks=CHECKS,
    keys=(Key("nomor_tiket", "r.nomor_tiket"),),
    found=(agency_found("instansi_tujuan", "lower(r.{code})"),),
    upsert=UPSERT,
    after_write=count_due_dates,
    draw=draw_tracking_codes,
    drawn=(("tracking_codes", ARRAY(Text())),),
)
