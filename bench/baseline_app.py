"""The bare baseline the service is measured against: a minimal pure-ASGI app on an asyncpg pool
that answers `GET /health/ready` with the same query and the same JSON as the service's
readiness endpoint, and nothing else (no framework, no middleware, no validation). For the plan
scenarios it also lists plans (`GET /api/v1/plans`) and approves one
(`POST /api/v1/plans/{id}/approve`), and for progress-create creates a progress report
(`POST /api/v1/progress-reports` with an Idempotency-Key), and for evaluation-submit takes a
360° response (`POST /api/v1/evaluation-assignments/{id}/response`, the rater named by the
`X-Bench-Rater` header), and for training-enroll enrolls an employee in a training session
(`POST /api/v1/training-sessions/{id}/enrollments`, the nominating training administrator
named by `X-Bench-Actor`), with the equivalent bare SQL, without authentication.

Run it like the service: `uvicorn baseline_app:app --app-dir bench --workers 2 --loop uvloop
--http httptools`, with KINERJA_DATABASE_URL naming the database. Each worker opens a pool as
large as the service's (KINERJA_DB_POOL_SIZE + KINERJA_DB_MAX_OVERFLOW) and assumes the same
role (KINERJA_DB_APP_ROLE), so both pay the same connection costs.
"""

import hashlib
import json
import os
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

import asyncpg
from sqlalchemy.engine import make_url

from kinerja_api.plans.achievement import IndicatorInput, ReportValue, achievements

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

QUERY = "select version_num from alembic_version"
_JSON_HEADERS = [(b"content-type", b"application/json")]
_NOT_FOUND = b'{"status":404}'


def _dsn() -> str:
    url = os.environ["KINERJA_DATABASE_URL"]
    # asyncpg takes libpq URLs, including `?host=/socket/dir` for Unix sockets.
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pool_size() -> int:
    size = int(os.environ.get("KINERJA_DB_POOL_SIZE", "10"))
    return size + int(os.environ.get("KINERJA_DB_MAX_OVERFLOW", "10"))


# --- plans: the bare equivalents of the service's plan list and approval ---------------------

PLANS_PATH = "/api/v1/plans"
_PLAN_OUT = (
    "id", "region_id", "period_id", "employee_id", "agency_id", "approver_id", "status",
    "revision", "approved_revision", "return_note", "submitted_at", "approved_at", "version",
    "created_at", "updated_at",
)  # fmt: skip
PLAN_COLUMNS = (
    "id, region_id, period_id, employee_id, agency_id, approver_id, status, revision, "
    "approved_revision, return_note, submitted_at, approved_at, version, created_at, updated_at"
)
# The service's list statement as it sends it: an agency subtree (the root's path looked up in
# the statement, the subtree's ids gathered once into an array), a period and a status, scoped
# to the caller's region, first page by (updated_at, id).
LIST_QUERY = f"""
select {PLAN_COLUMNS} from plans
where region_id = $1 and agency_id = any(array((
    select id from agencies where region_id = $2 and (path like (
      select path from agencies where id = $3 and region_id = $4) || '%'))))
  and period_id = $5 and status = $6
order by updated_at, id limit $7
"""  # noqa: S608 - a constant column list
# The service's second statement: the page's indicators with their accepted reports, for the
# plans' achievement (computed by the same rule, `kinerja_api.plans.achievement`).
INDICATORS_QUERY = """
select i.id, i.plan_id, i.target_id, i.region_id, i.aggregation, i.target_value, i.weight,
  r.value as report_value, r.reported_for, r.verified_at, r.created_at as reported_at
from indicators i left outer join progress_reports r
  on r.region_id = i.region_id and r.indicator_id = i.id and r.status = $1
where i.region_id = any($2::uuid[]) and i.plan_id = any($3::uuid[])
order by i.position, i.id
"""
# A region's user (not an all-regions role), as the service's tenancy sets it.
_USER_TENANCY = (
    "select set_config('kinerja.region_id', '{}', true), "
    "set_config('kinerja.all_regions', '', true)"
)
# The service's approval statements as it sends them, in its order.
_APPROVE_LOCK = """
select p.region_id, p.period_id, p.employee_id, p.agency_id, p.approver_id, p.status, p.revision,
  p.approved_revision, p.return_note, p.submitted_at, p.approved_at, p.id, p.created_at,
  p.updated_at, p.version, pe.region_id as region_id_1, pe.year, pe.status as status_1,
  pe.id as id_1, pe.created_at as created_at_1, pe.updated_at as updated_at_1,
  pe.version as version_1
from plans p join periods pe on pe.id = p.period_id
where p.id = $1::uuid and p.region_id = $2::uuid and (p.approver_id = $3::uuid
  or p.approver_id is null and p.status != $4::varchar and p.employee_id in (
    select id from employees where region_id = $2::uuid and supervisor_id = $3::uuid))
for update of p for share of pe
"""
_APPROVE_UPDATE = """
update plans set status = $1::varchar, approved_revision = $2::integer,
  approved_at = $3::timestamptz, updated_at = now(), version = $4::integer
where id = $5::uuid and version = $6::integer returning updated_at
"""
# The audit row and the outbox row of every write, as the service sends them (core/audit.py,
# core/events.py).
_INSERT_AUDIT = (
    "insert into audit_events (region_id, actor_type, actor_id, action, entity_type, entity_id, "
    "changes, request_id) values ($1, $2, $3, $4, $5, $6, $7, $8)"
)
_INSERT_OUTBOX = (
    "insert into outbox_events (region_id, type, entity_type, entity_id, employee_id, "
    "agency_id, public, payload) values ($1, $2, $3, $4, $5, $6, $7, $8)"
)
_FREEZE_REVISION = """
insert into plan_revisions (region_id, plan_id, revision, approved_at, approved_by, snapshot)
select $1::uuid, $2::uuid, $3::integer, $4::timestamptz, $5::uuid, jsonb_build_object(
  $6::varchar, $7::jsonb, $8::varchar, (
    select coalesce(jsonb_agg(jsonb_build_object(
      $9::varchar, cast(t.id as text), $10::varchar, t.kind, $11::varchar, t.title,
      $12::varchar, t.description, $13::varchar, t.public, $14::varchar,
      cast(t.parent_target_id as text), $15::varchar, t.cascade_mode, $16::varchar, t.position,
      $17::varchar, (
        select coalesce(jsonb_agg(jsonb_build_object(
          $18::varchar, cast(i.id as text), $19::varchar, i.aspect, $20::varchar,
          i.description, $21::varchar, cast(i.target_value as text), $22::varchar, i.unit,
          $23::varchar, i.aggregation, $24::varchar, cast(i.weight as text), $25::varchar,
          cast(i.parent_indicator_id as text), $26::varchar, i.position)
          order by i.position, i.created_at, i.id), '[]'::jsonb)
        from indicators i
        where i.region_id = $1::uuid and i.plan_id = $2::uuid and i.target_id = t.id))
      order by t.position, t.created_at, t.id), '[]'::jsonb)
    from targets t where t.region_id = $1::uuid and t.plan_id = $2::uuid))
"""
_SNAPSHOT_KEYS = (
    "targets", "id", "kind", "title", "description", "public", "parent_target_id",
    "cascade_mode", "position", "indicators", "id", "aspect", "description", "target_value",
    "unit", "aggregation", "weight", "parent_indicator_id", "position",
)  # fmt: skip


def _json_row(row: Any) -> dict[str, Any]:
    return {
        key: str(value) if isinstance(value, uuid.UUID | Decimal) else
        value.isoformat() if isinstance(value, datetime | date) else value
        for key, value in row.items()
    }  # fmt: skip


async def list_plans(pool: Any, region_id: str, query_string: bytes) -> tuple[int, bytes]:
    query = dict(parse_qsl(query_string.decode()))
    limit = int(query.get("limit", "50"))
    region, agency = uuid.UUID(region_id), uuid.UUID(query["agency_id"])
    async with pool.acquire() as connection, _begin_with(connection, _USER_TENANCY.format(region)):
        rows = await connection.fetch(
            LIST_QUERY, region, region, agency, region,
            uuid.UUID(query["period_id"]), query["status"], limit + 1,
        )  # fmt: skip
        page = rows[:limit]
        indicators = await connection.fetch(
            INDICATORS_QUERY, "accepted", [region], [row["id"] for row in page]
        )
    figures = _achievements([row["id"] for row in page], indicators)
    items = [{**_json_row(row), "achievement": figures[row["id"]]} for row in page]
    cursor = "next" if len(rows) > limit else None
    return 200, json.dumps({"items": items, "next_cursor": cursor}).encode()


def _achievements(plan_ids: list[uuid.UUID], rows: list[Any]) -> dict[uuid.UUID, Any]:
    """Each plan's achievement summary, by the service's own rule."""
    reports: dict[uuid.UUID, list[ReportValue]] = defaultdict(list)
    indicators: dict[uuid.UUID, Any] = {}
    for row in rows:
        indicators.setdefault(row["id"], row)
        if row["report_value"] is not None:
            reports[row["id"]].append(
                ReportValue(
                    row["report_value"],
                    row["reported_for"],
                    row["verified_at"] or row["reported_at"],
                )
            )
    by_plan: dict[uuid.UUID, list[IndicatorInput]] = defaultdict(list)
    for indicator_id, row in indicators.items():
        by_plan[row["plan_id"]].append(
            IndicatorInput(
                indicator_id, row["target_id"], row["aggregation"], row["target_value"],
                row["weight"], tuple(reports[indicator_id]),
            )
        )  # fmt: skip
    summaries = {}
    for plan_id in plan_ids:
        plan = achievements(plan_id, [], by_plan[plan_id])
        summaries[plan_id] = {
            "percent": str(plan.percent),
            "quarters": [
                {"quarter": q.quarter, "percent": str(q.percent), "ytd_percent": str(q.ytd_percent)}
                for q in plan.quarters
            ],
        }
    return summaries


async def approve_plan(
    pool: Any, region_id: str, approver: str, user: str, plan_id: str
) -> tuple[int, bytes]:
    """What an approval writes: the plan, an audit event, the frozen revision (its targets and
    indicators) and an outbox event, in one transaction, by the service's statements."""
    region, approver_id = uuid.UUID(region_id), uuid.UUID(approver)
    async with pool.acquire() as connection, _begin_with(connection, _USER_TENANCY.format(region)):
        plan = await connection.fetchrow(
            _APPROVE_LOCK, uuid.UUID(plan_id), region, approver_id, "submitted"
        )
        if plan is None or plan["status"] != "submitted":
            return 409, b'{"status":409}'
        now, revision = datetime.now(UTC), plan["revision"]
        updated_at = await connection.fetchval(
            _APPROVE_UPDATE, "approved", revision, now, plan["version"] + 1, plan["id"],
            plan["version"],
        )  # fmt: skip
        changes = {
            "before": {"status": "submitted", "approved_revision": plan["approved_revision"]},
            "after": {"status": "approved", "approved_revision": revision},
        }
        await connection.execute(
            _INSERT_AUDIT, region, "user", uuid.UUID(user), "plan.approved", "plan",
            str(plan["id"]), json.dumps(changes), uuid.uuid4().hex,
        )  # fmt: skip
        frozen = {
            "id": str(plan["id"]), "period_id": str(plan["period_id"]),
            "employee_id": str(plan["employee_id"]), "agency_id": str(plan["agency_id"]),
            "approver_id": str(plan["approver_id"]), "revision": revision,
        }  # fmt: skip
        await connection.execute(
            _FREEZE_REVISION, region, plan["id"], revision, now, approver_id, "plan",
            json.dumps(frozen), *_SNAPSHOT_KEYS,
        )  # fmt: skip
        indicators = await connection.fetch(INDICATORS_QUERY, "accepted", [region], [plan["id"]])
        payload = {
            "plan_id": str(plan["id"]), "period_id": str(plan["period_id"]),
            "status": "approved", "revision": revision, "approver_id": str(approver_id),
        }  # fmt: skip
        await connection.execute(
            _INSERT_OUTBOX, region, "plan.approved", "plan", plan["id"], plan["employee_id"],
            plan["agency_id"], False, json.dumps(payload),
        )  # fmt: skip
    out = {key: plan[key] for key in _PLAN_OUT}
    out.update(status="approved", approved_revision=revision, approved_at=now)
    out.update(updated_at=updated_at, version=plan["version"] + 1)
    body = {**_json_row(out), "achievement": _achievements([plan["id"]], indicators)[plan["id"]]}
    return 200, json.dumps(body).encode()


# --- progress: the bare equivalent of the service's report create ----------------------------

REPORTS_PATH = "/api/v1/progress-reports"
# The service's statements as it sends them, in its order: the idempotency key's lock and
# record, the indicator with its target, plan and period (FOR SHARE, as closing a period waits
# for it) and the region's zone, the report, its audit event, the idempotency record, and the
# outbox event (written when the transaction commits).
_KEY_LOCK = "select pg_try_advisory_xact_lock(hashtextextended($1, 0))"
_KEY_RECORD = (
    "select request_hash, status_code, response_body, response_headers from idempotency_records "
    "where principal_key = $1 and key = $2 and expires_at > now()"
)
_INDICATOR_CONTEXT = """
select i.region_id, i.plan_id, i.target_id, i.aspect, i.description, i.target_value, i.unit,
  i.aggregation, i.weight, i.parent_indicator_id, i.position, i.id, i.created_at, i.updated_at,
  i.version, t.region_id as region_id_1, t.plan_id as plan_id_1, t.kind, t.title,
  t.description as description_1, t.public, t.parent_target_id, t.cascade_mode,
  t.position as position_1, t.id as id_1, t.created_at as created_at_1,
  t.updated_at as updated_at_1, t.version as version_1, p.region_id as region_id_2, p.period_id,
  p.employee_id, p.agency_id, p.approver_id, p.status, p.revision, p.approved_revision,
  p.return_note, p.submitted_at, p.approved_at, p.id as id_2, p.created_at as created_at_2,
  p.updated_at as updated_at_2, p.version as version_2, pe.region_id as region_id_3, pe.year,
  pe.status as status_1, pe.id as id_3, pe.created_at as created_at_3,
  pe.updated_at as updated_at_3, pe.version as version_3, r.timezone
from indicators i join targets t on t.id = i.target_id join plans p on p.id = i.plan_id
  join periods pe on pe.id = p.period_id join regions r on r.id = i.region_id
where i.id = $1::uuid and i.region_id = $2::uuid for share of pe
"""
_INSERT_REPORT = """
insert into progress_reports (region_id, plan_id, target_id, indicator_id, employee_id,
  agency_id, value, reported_for, year, quarter, note, evidence, verified_by, verified_at,
  verification_note, version) values ($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5::uuid,
  $6::uuid, $7::numeric(18, 4), $8::date, $9::smallint, $10::smallint, $11::varchar, $12::jsonb,
  $13::uuid, $14::timestamptz, $15::varchar, $16::integer)
returning status, id, created_at, updated_at
"""
_INSERT_KEY_RECORD = """
insert into idempotency_records (principal_key, key, request_hash, status_code, response_body,
  response_headers, expires_at) values ($1, $2, $3, $4, $5, $6, now() + $7::interval)
on conflict (principal_key, key) do update set request_hash = excluded.request_hash,
  status_code = excluded.status_code, response_body = excluded.response_body,
  response_headers = excluded.response_headers, expires_at = excluded.expires_at
"""
_AUDITED = (
    "plan_id", "indicator_id", "value", "reported_for", "note", "evidence", "status",
    "verified_by", "verification_note",
)  # fmt: skip
_ANNOUNCED = (
    "target_id", "indicator_id", "agency_id", "value", "reported_for", "year", "quarter",
    "status", "report_id", "plan_id", "employee_id",
)  # fmt: skip


@asynccontextmanager
async def _begin_with(connection: Any, setup: str) -> AsyncIterator[None]:
    """A transaction whose BEGIN carries `setup` in the same round trip, as the service's
    tenancy does (kinerja_api.db.SetupOnBegin)."""
    await connection.execute(f"BEGIN; {setup}")
    try:
        yield
    except BaseException:
        await connection.execute("ROLLBACK")
        raise
    await connection.execute("COMMIT")


async def create_report(
    pool: Any, region_id: str, user_id: str, key: str, body: bytes
) -> tuple[int, bytes, list[Any]]:
    data = json.loads(body)
    region, user = uuid.UUID(region_id), uuid.UUID(user_id)
    principal_key = f"user:{user}"
    request_hash = hashlib.sha256(b"POST " + REPORTS_PATH.encode() + b"\n" + body).hexdigest()
    async with pool.acquire() as connection, _begin_with(connection, _USER_TENANCY.format(region)):
        if not await connection.fetchval(_KEY_LOCK, f"idempotency|{principal_key}|{key}"):
            return 409, b'{"status":409}', []
        if await connection.fetchrow(_KEY_RECORD, principal_key, key) is not None:
            return 409, b'{"status":409}', []
        found = await connection.fetchrow(
            _INDICATOR_CONTEXT, uuid.UUID(data["indicator_id"]), region
        )
        if found is None or found["status"] != "approved" or found["status_1"] != "open":
            return 409, b'{"status":409}', []
        reported_for = date.fromisoformat(data["reported_for"])
        out: dict[str, Any] = {
            "region_id": region, "plan_id": found["plan_id"], "target_id": found["target_id"],
            "indicator_id": found["id"], "employee_id": found["employee_id"],
            "agency_id": found["agency_id"],
            "value": Decimal(data["value"]).quantize(Decimal("0.0001")),
            "reported_for": reported_for, "year": reported_for.year,
            "quarter": (reported_for.month - 1) // 3 + 1, "note": data.get("note"),
            "evidence": [], "verified_by": None, "verified_at": None, "verification_note": None,
            "version": 1,
        }  # fmt: skip
        inserted = await connection.fetchrow(
            _INSERT_REPORT, *(out[name] for name in _REPORT_INSERTED[:11]), "[]", None, None,
            None, 1,
        )  # fmt: skip
        out.update(inserted)
        out = _json_row(out)
        await connection.execute(
            _INSERT_AUDIT, region, "user", user, "progress_report.created", "progress_report",
            out["id"], json.dumps({"after": {name: out[name] for name in _AUDITED}}),
            uuid.uuid4().hex,
        )  # fmt: skip
        location = f"{REPORTS_PATH}/{out['id']}"
        headers = {"Location": location, "ETag": f'"{out["version"]}"'}
        body_out = json.dumps(out).encode()
        await connection.execute(
            _INSERT_KEY_RECORD, principal_key, key, request_hash, 201, body_out.decode(),
            json.dumps(headers), timedelta(hours=24),
        )  # fmt: skip
        await connection.execute(
            _INSERT_OUTBOX, region, "progress.reported", "progress_report", inserted["id"],
            found["employee_id"], found["agency_id"], False,
            json.dumps({name: out[name if name != "report_id" else "id"] for name in _ANNOUNCED}),
        )  # fmt: skip
    return 201, body_out, [(b"location", location.encode()), (b"etag", headers["ETag"].encode())]


_REPORT_INSERTED = (
    "region_id", "plan_id", "target_id", "indicator_id", "employee_id", "agency_id", "value",
    "reported_for", "year", "quarter", "note",
)  # fmt: skip


# --- evaluations: the bare equivalent of the service's response submission -------------------

ASSIGNMENTS_PATH = "/api/v1/evaluation-assignments/"
# The service's statements, in its order: the rater's own assignment with its cycle's state and
# the region's zone; the assignment marked answered with the response and its answers stored in
# one statement; the audit event; the outbox event.
_REGION_TENANCY = "select set_config('kinerja.region_id', '{}', true)"
_OWN_ASSIGNMENT = """
select a.id, a.region_id, a.cycle_id, c.name as cycle_name, a.rater_id, a.relation, a.ratee_id,
  e.name as ratee_name, a.agency_id, a.due_on, a.status, a.version, c.status as cycle_status,
  c.opens_on, c.closes_on, r.timezone
from evaluation_assignments a
  join evaluation_cycles c on c.id = a.cycle_id and c.region_id = a.region_id
  join employees e on e.id = a.ratee_id join regions r on r.id = a.region_id
where a.id = $1 and a.region_id = $2 and a.rater_id = $3
"""
_SUBMIT = """
with marked as (
    update evaluation_assignments set status = 'submitted', version = version + 1
    where id = $1::uuid and region_id = $2::uuid and status = 'pending' returning version
),
response as (
    insert into evaluation_responses (id, region_id, cycle_id, ratee_id, relation)
    select $3::uuid, $2::uuid, $4::uuid, $5::uuid, $6::varchar from marked
),
answers as (
    insert into evaluation_answers
        (response_id, value, region_id, cycle_id, ratee_id, relation, score, comment)
    select $3::uuid, answer.value, $2::uuid, $4::uuid, $5::uuid, $6::varchar, answer.score,
           answer.comment
    from marked, unnest($7::text[], $8::smallint[], $9::text[]) as answer(value, score, comment)
)
select version from marked
"""
_ANSWERED = ("id", "cycle_id", "cycle_name", "rater_id", "relation", "ratee_id", "ratee_name",
             "agency_id", "due_on")  # fmt: skip
_CONFLICT = b'{"status":409}'


async def submit_response(
    pool: Any, region_id: str, rater_id: str, assignment_id: str, body: bytes
) -> tuple[int, bytes]:
    answers = json.loads(body)["answers"]
    values = [answer["value"] for answer in answers]
    if len(set(values)) != 7 or any(not 1 <= int(a["score"]) <= 5 for a in answers):
        return 422, b'{"status":422}'
    async with (
        pool.acquire() as connection,
        _begin_with(connection, _REGION_TENANCY.format(uuid.UUID(region_id))),
    ):
        found = await connection.fetchrow(
            _OWN_ASSIGNMENT, uuid.UUID(assignment_id), uuid.UUID(region_id), uuid.UUID(rater_id)
        )
        if found is None:
            return 404, _NOT_FOUND
        today = datetime.now(ZoneInfo(found["timezone"])).date()
        if found["status"] != "pending" or found["cycle_status"] != "launched":
            return 409, _CONFLICT
        if not found["opens_on"] <= today <= found["closes_on"]:
            return 409, _CONFLICT
        version = await connection.fetchval(
            _SUBMIT, found["id"], found["region_id"], uuid.uuid4(), found["cycle_id"],
            found["ratee_id"], found["relation"], values, [int(a["score"]) for a in answers],
            [a.get("comment") for a in answers],
        )  # fmt: skip
        if version is None:
            return 409, _CONFLICT
        await connection.execute(
            _INSERT_AUDIT, found["region_id"], "user", found["rater_id"],
            "evaluation_assignment.submitted", "evaluation_assignment", str(found["id"]),
            '{"after":{"status":"submitted"}}', uuid.uuid4().hex,
        )  # fmt: skip
        out = {name: found[name] for name in _ANSWERED}
        await connection.execute(
            _INSERT_OUTBOX, found["region_id"], "evaluation.submitted", "evaluation_assignment",
            found["id"], found["rater_id"], None, False,
            json.dumps(
                {"assignment_id": str(found["id"]), "cycle_id": str(found["cycle_id"]),
                 "due_on": found["due_on"].isoformat(), "status": "submitted"}
            ),
        )  # fmt: skip
    out = _json_row({**out, "status": "submitted", "version": version})
    return 200, json.dumps(out).encode()


# --- training: the bare equivalent of the service's enrollment ---------------------------------

TRAINING_SESSIONS_PATH = "/api/v1/training-sessions/"
ENROLLMENTS_PATH = "/api/v1/training-enrollments"
# The service's statements, in its order: the tenancy (with the BEGIN); the session; what the
# request is decided on (the employee, the eligibility of their agency subtree and employment
# type, a place they already hold); the place taken under the session's row lock in one statement
# (requests for a session queue there and take seats and waitlist numbers in their order; the
# enrollment and the session's counters); the audit event; the outbox event.
_SESSION_TENANCY = (
    "select set_config('kinerja.region_id', '{}', true), set_config('kinerja.all_regions', '', "
    "true)"
)
_SESSION = """
select region_id, program_id, starts_at, ends_at, place, meeting_link, capacity,
  enrollment_opens_at, enrollment_closes_at, eligible_agency_ids, eligible_employment_types,
  mentor_id, status, seats_taken, arrivals, waitlist_next, cancelled_at, id, created_at,
  updated_at, version
from training_sessions where id = $1 and region_id = $2
"""
_ENROLLMENT_FACTS = """
select e.id as employee_id, e.agency_id,
  cardinality(s.eligible_agency_ids) = 0 or exists (
    select 1 from agencies root where root.id = any(s.eligible_agency_ids)
      and root.region_id = s.region_id and a.path like root.path || '%'
  ) as agency_ok,
  cardinality(s.eligible_employment_types) = 0
    or e.employment_type = any(s.eligible_employment_types) as type_ok,
  (select te.id from training_enrollments te where te.region_id = s.region_id
     and te.session_id = s.id and te.employee_id = $1 and te.status != 'cancelled'
   limit 1) as held,
  false as supervised
from training_sessions s
  left join employees e on e.id = $1 and e.region_id = s.region_id and e.active
  left join agencies a on a.id = e.agency_id
where s.id = $2
"""
_TAKE_PLACE = """
with locked as (
    select id, region_id, program_id, seats_taken < capacity as seated,
           arrivals + 1 as arrival, waitlist_next
    from training_sessions
    where id = $1 and region_id = $2 and status <> 'cancelled'
    for update
),
placed as (
    insert into training_enrollments
        (region_id, session_id, program_id, employee_id, agency_id, status, arrival,
         waitlist_order, nominated_by, enrolled_at)
    select region_id, id, program_id, $3, $4,
           case when seated then 'enrolled' else 'waitlisted' end, arrival,
           case when seated then null else waitlist_next end, $5,
           case when seated then cast($6 as timestamptz) end
    from locked
    on conflict (region_id, session_id, employee_id) where status <> 'cancelled' do nothing
    returning *
),
counted as (
    update training_sessions as counted
    set arrivals = locked.arrival,
        seats_taken = counted.seats_taken + case when locked.seated then 1 else 0 end,
        waitlist_next = counted.waitlist_next + case when locked.seated then 0 else 1 end
    from locked
    where counted.id = locked.id and exists (select from placed)
)
select * from placed
"""
_ENROLLMENT_AUDITED = ("session_id", "employee_id", "status", "arrival", "waitlist_order",
                       "nominated_by", "enrolled_at", "cancelled_at")  # fmt: skip


async def enroll(
    pool: Any, region_id: str, actor_id: str, session_id: str, body: bytes
) -> tuple[int, bytes, list[Any]]:
    """A training administrator's nomination of `employee_id` (the actor named by the
    X-Bench-Actor header): a seat while any is free, else the next waitlist number."""
    employee_id = uuid.UUID(json.loads(body)["employee_id"])
    actor = uuid.UUID(actor_id)
    async with (
        pool.acquire() as connection,
        _begin_with(connection, _SESSION_TENANCY.format(uuid.UUID(region_id))),
    ):
        found = await connection.fetchrow(_SESSION, uuid.UUID(session_id), uuid.UUID(region_id))
        if found is None:
            return 404, _NOT_FOUND, []
        facts = await connection.fetchrow(_ENROLLMENT_FACTS, employee_id, found["id"])
        if facts["employee_id"] is None:
            return 422, b'{"status":422}', []
        now = datetime.now(UTC)
        if found["status"] == "cancelled" or not (
            found["enrollment_opens_at"] <= now < found["enrollment_closes_at"]
        ):
            return 409, _CONFLICT, []
        if not facts["agency_ok"] or not facts["type_ok"]:
            return 422, b'{"status":422}', []
        if facts["held"] is not None:
            return 409, _CONFLICT, []
        inserted = await connection.fetchrow(
            _TAKE_PLACE, found["id"], found["region_id"], employee_id, facts["agency_id"], actor,
            now,
        )  # fmt: skip
        if inserted is None:
            return 409, _CONFLICT, []
        out = _json_row(dict(inserted))
        seated = inserted["status"] == "enrolled"
        action = "enrolled" if seated else "waitlisted"
        await connection.execute(
            _INSERT_AUDIT, out["region_id"], "user", actor, f"training_enrollment.{action}",
            "training_enrollment", out["id"],
            json.dumps({"after": {name: out[name] for name in _ENROLLMENT_AUDITED}}),
            uuid.uuid4().hex,
        )  # fmt: skip
        await connection.execute(
            _INSERT_OUTBOX, found["region_id"], f"training.{action}", "training_enrollment",
            inserted["id"], employee_id, facts["agency_id"], False,
            json.dumps(
                {"enrollment_id": out["id"], "session_id": out["session_id"],
                 "program_id": out["program_id"], "status": out["status"],
                 "waitlist_order": out["waitlist_order"],
                 "starts_at": found["starts_at"].isoformat()}
            ),
        )  # fmt: skip
    location = f"{ENROLLMENTS_PATH}/{out['id']}"
    return 201, json.dumps(out).encode(), [(b"location", location.encode()), (b"etag", b'"1"')]


async def _body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


class BaselineApp:
    def __init__(self) -> None:
        self.pool: Any = None

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                server_settings = {"application_name": "kinerja-baseline", "timezone": "UTC"}
                role = os.environ.get("KINERJA_DB_APP_ROLE", "kinerja_app")
                if role:
                    server_settings["role"] = role
                self.pool = await asyncpg.create_pool(
                    _dsn(), min_size=1, max_size=_pool_size(), server_settings=server_settings
                )
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.pool is not None:
                    await self.pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path, method = scope["path"], scope["method"]
        extra_headers: list[Any] = []
        if path == "/health/ready" and method == "GET":
            async with self.pool.acquire() as connection:
                found = await connection.fetchval(QUERY)
            status = 200
            body = json.dumps({"status": "ok", "migration": found}, separators=(",", ":")).encode()
        elif path == PLANS_PATH and method == "GET":
            region = dict(scope["headers"]).get(b"x-bench-region", b"").decode()
            status, body = await list_plans(self.pool, region, scope["query_string"])
        elif path.startswith(PLANS_PATH + "/") and path.endswith("/approve") and method == "POST":
            given = dict(scope["headers"])
            status, body = await approve_plan(
                self.pool,
                given.get(b"x-bench-region", b"").decode(),
                given.get(b"x-bench-approver", b"").decode(),
                given.get(b"x-bench-actor", b"").decode(),
                path[len(PLANS_PATH) + 1 : -8],
            )
        elif path == REPORTS_PATH and method == "POST":
            given = dict(scope["headers"])
            status, body, extra_headers = await create_report(
                self.pool,
                given.get(b"x-bench-region", b"").decode(),
                given.get(b"x-bench-actor", b"").decode(),
                given.get(b"idempotency-key", b"").decode(),
                await _body(receive),
            )
        elif path.startswith(ASSIGNMENTS_PATH) and path.endswith("/response") and method == "POST":
            given = dict(scope["headers"])
            status, body = await submit_response(
                self.pool,
                given.get(b"x-bench-region", b"").decode(),
                given.get(b"x-bench-rater", b"").decode(),
                path[len(ASSIGNMENTS_PATH) : -len("/response")],
                await _body(receive),
            )
        elif (
            path.startswith(TRAINING_SESSIONS_PATH)
            and path.endswith("/enrollments")
            and method == "POST"
        ):
            given = dict(scope["headers"])
            status, body, extra_headers = await enroll(
                self.pool,
                given.get(b"x-bench-region", b"").decode(),
                given.get(b"x-bench-actor", b"").decode(),
                path[len(TRAINING_SESSIONS_PATH) : -len("/enrollments")],
                await _body(receive),
            )
        else:
            status, body = 404, _NOT_FOUND
        headers = [*_JSON_HEADERS, *extra_headers, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


app = BaselineApp()
