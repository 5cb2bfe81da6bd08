"""JP of activities outside the catalog by (NIP, activity, day it ended), recorded in the JP
ledger as `POST /employees/{id}/jp-entries` records them: source `external`, with the evidence
they are recorded from, in the year of the day they ended (a day of the region's calendar).
The ledger is append-only: an activity already recorded with the same JP and evidence is left
as it is, one recorded with others is refused. Each new entry is told to its employee
(`training.jp_recorded`)."""

from kinerja_api.core.i18n import Msg
from kinerja_api.imports.kind import Check, Column, Found, Key, Kind, quoted
from kinerja_api.imports.kinds.cells import ISO_DAY, day, whole
from kinerja_api.imports.kinds.people import employee_found, employee_join, nip_digits
from kinerja_api.models.imports import ImportKind, RowProblem
from kinerja_api.models.training import JpSource
from kinerja_api.training.api import (
    FIRST_LEDGER_YEAR,
    LAST_LEDGER_YEAR,
    MAX_ACTIVITY_JP,
    MIN_ACTIVITY_JP,
)

EVIDENCE_LENGTH = 2000
_EXTERNAL = quoted(JpSource.EXTERNAL.value)
_ENDED_ON = day("r.ended_on")
_JP = whole("r.jp", 4)
_NOT_A_DAY = f"r.ended_on is not null and {_ENDED_ON} is null"
# Read from the cell's digits, so that a day the month lacks is told its year too.
_OUTSIDE_YEARS = f"""case when r.ended_on ~ {quoted(ISO_DAY)}
     then left(r.ended_on, 4)::int not between {FIRST_LEDGER_YEAR} and {LAST_LEDGER_YEAR}
end"""
_NOT_JP = (
    "r.jp is not null"
    f" and coalesce({_JP} not between {MIN_ACTIVITY_JP} and {MAX_ACTIVITY_JP}, true)"
)
# The recorded external entry of the row's key (case aside in the title).
_RECORDED = f"""l.region_id = :region_id and l.employee_id = e.id and l.source = {_EXTERNAL}
     and l.completed_on = {_ENDED_ON} and lower(l.activity) = lower(r.activity)"""

COLUMNS = (
    Column("nip", "The employee's NIP, of your region.", True, 40),
    Column(
        "activity",
        "The activity's title (a course of another institution, a seminar, a diklat). With "
        "`nip` and `ended_on` the row's key (the title case-insensitively).",
        True,
    ),
    Column(
        "ended_on",
        f"The day it ended, `YYYY-MM-DD`, in the region's calendar ({FIRST_LEDGER_YEAR}-"
        f"{LAST_LEDGER_YEAR}); the JP count in its year.",
        True,
        10,
    ),
    Column("jp", f"Jam pelajaran credited, {MIN_ACTIVITY_JP}-{MAX_ACTIVITY_JP}.", True, 4),
    Column(
        "evidence",
        "What the JP are recorded from: the certificate's or letter's reference.",
        True,
        EVIDENCE_LENGTH,
    ),
)

CHECKS = (
    nip_digits("nip"),
    Check(
        "ended_on",
        RowProblem.INVALID,
        Msg(
            "ended_on harus tanggal YYYY-MM-DD yang ada di kalender.",
            "The ended_on must be a calendar day written YYYY-MM-DD.",
        ),
        _NOT_A_DAY,
    ),
    Check(
        "ended_on",
        RowProblem.INVALID,
        Msg(
            f"Kegiatan harus berakhir antara tahun {FIRST_LEDGER_YEAR} dan {LAST_LEDGER_YEAR}.",
            f"The activity must end between the years {FIRST_LEDGER_YEAR} and {LAST_LEDGER_YEAR}.",
        ),
        _OUTSIDE_YEARS,
    ),
    Check(
        "jp",
        RowProblem.INVALID,
        Msg(
            f"JP harus bilangan bulat {MIN_ACTIVITY_JP} sampai {MAX_ACTIVITY_JP}.",
            f"The jp must be a whole number from {MIN_ACTIVITY_JP} to {MAX_ACTIVITY_JP}.",
        ),
        _NOT_JP,
    ),
)

FOUND = (
    employee_found("nip", shaped=True),
    Found(
        "jp",
        RowProblem.CONFLICT,
        Msg(
            "Kegiatan ini pada tanggal ini sudah dicatat dengan JP atau bukti lain; JP yang "
            "tercatat tidak diubah.",
            "This activity on this day is recorded with other JP or evidence; recorded JP are "
            "not changed.",
        ),
        f"""select r.row_number, r.line, r.jp as value
              from valid r join {employee_join()}
             where exists (select 1 from jp_ledger l where {_RECORDED})
               and not exists (select 1 from jp_ledger l where {_RECORDED}
                                  and l.jp = {_JP} and l.evidence = r.evidence)""",  # noqa: S608
    ),
)

UPSERT = rf"""
, proposed as (
    select r.row_number, e.id as employee_id, e.agency_id, r.activity,
           {_ENDED_ON} as completed_on, {_JP} as jp, r.evidence,
           exists (select 1 from jp_ledger l where {_RECORDED}) as recorded
      from valid r join {employee_join()}
),
written as (
    insert into jp_ledger
           (region_id, employee_id, year, jp, source, activity, completed_on, evidence,
            recorded_by)
    select :region_id, p.employee_id, extract(year from p.completed_on)::int, p.jp,
           {_EXTERNAL}, p.activity, p.completed_on, p.evidence,
           (select u.id from users u where u.id = :principal_id)
      from proposed p
     where :write and not p.recorded
     order by p.row_number
    returning id, employee_id, year, jp, activity
),
announced as (
    -- As the ledger API tells the employee of each entry recorded.
    insert into outbox_events
           (region_id, type, entity_type, entity_id, employee_id, agency_id, payload)
    select :region_id, 'training.jp_recorded', 'jp_ledger_entry', w.id, w.employee_id,
           e.agency_id,
           jsonb_build_object('entry_id', w.id, 'employee_id', w.employee_id,
                              'year', w.year, 'jp', w.jp, 'activity', w.activity)
      from written w join employees e on e.id = w.employee_id and e.region_id = :region_id
     order by w.id
    returning 1
)
select count(*) filter (where not recorded) as created, 0 as updated,
       count(*) filter (where recorded) as unchanged
  from proposed
"""  # noqa: S608

EXTERNAL_TRAINING = Kind(
    name=ImportKind.EXTERNAL_TRAINING,
    columns=COLUMNS,
    checks=CHECKS,
    keys=(Key("activity", "r.nip || '|' || lower(r.activity) || '|' || r.ended_on"),),
    found=FOUND,
    upsert=UPSERT,
)
