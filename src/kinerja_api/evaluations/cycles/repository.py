"""The statements cycles are read and written with: which cycles a principal reads
(`readable`) and manages (`manageable`), and `assign`, which creates a cycle's assignments from
the supervisor chain as it stands, in one statement."""

import uuid
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, false, select, text, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Uuid

from kinerja_api.auth.policies import agency_in_subtree, in_region
from kinerja_api.auth.principal import Principal
from kinerja_api.models.evaluations import EvaluationCycle, RaterRelation
from kinerja_api.models.org import Agency, Employee, Region, Role
from kinerja_api.models.plans import Period

READ_SCOPE = "evaluations:read"
# The cycle's switch that lets raters of each relation in (`_ASSIGN` reads the same switches).
RELATION_GROUPS: dict[RaterRelation, str] = {
    RaterRelation.SELF: "include_self",
    RaterRelation.SUPERVISOR: "include_supervisor",
    RaterRelation.PEER: "include_peers",
    RaterRelation.SUBORDINATE: "include_subordinates",
}
REGION_WIDE = (Role.REGION_ADMIN, Role.AUDITOR)


def reads_cycles(principal: Principal) -> bool:
    """Region administrators and auditors read their region's cycles, agency administrators
    those of their subtree, service accounts with `evaluations:read` their region's;
    superadmins every region's. Employees read none (they see their own assignments)."""
    if principal.kind == "service_account":
        return READ_SCOPE in principal.scopes and principal.region_id is not None
    if principal.is_superadmin:
        return True
    return principal.region_id is not None and principal.has_any(*REGION_WIDE, Role.AGENCY_ADMIN)


def readable(principal: Principal) -> ColumnElement[bool]:
    """The cycles the caller reads (`reads_cycles`)."""
    if not reads_cycles(principal):
        return false()
    if principal.is_superadmin:
        return true()
    if principal.kind == "service_account" or principal.has_any(*REGION_WIDE):
        return in_region(principal, EvaluationCycle.region_id)
    return manageable(principal)


def manageable(principal: Principal) -> ColumnElement[bool]:
    """Region administrators manage every cycle of their region; agency administrators the
    cycles of their agency subtree (never a region-wide one)."""
    if principal.kind != "user" or principal.region_id is None:
        return false()
    region = EvaluationCycle.region_id == principal.region_id
    if principal.has_any(Role.REGION_ADMIN):
        return region
    if principal.has_any(Role.AGENCY_ADMIN):
        return and_(region, agency_in_subtree(principal, EvaluationCycle.agency_id))
    return false()


def readable_cycles(principal: Principal) -> Select[Any]:
    return select(EvaluationCycle).where(readable(principal))


async def find(
    session: AsyncSession,
    principal: Principal,
    cycle_id: uuid.UUID,
    *,
    manage: bool = False,
    lock: bool = False,
) -> EvaluationCycle | None:
    condition = manageable(principal) if manage else readable(principal)
    statement = select(EvaluationCycle).where(EvaluationCycle.id == cycle_id, condition)
    if lock:
        statement = statement.with_for_update()
    cycle: EvaluationCycle | None = await session.scalar(statement)
    return cycle


async def zones(session: AsyncSession, region_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    rows = await session.execute(
        select(Region.id, Region.timezone).where(Region.id.in_(region_ids))
    )
    return {row[0]: row[1] for row in rows}


async def period_year(
    session: AsyncSession, region_id: uuid.UUID, period_id: uuid.UUID
) -> int | None:
    year: int | None = await session.scalar(
        select(Period.year).where(Period.id == period_id, Period.region_id == region_id)
    )
    return year


async def manageable_agency(
    session: AsyncSession, principal: Principal, region_id: uuid.UUID, agency_id: uuid.UUID
) -> bool:
    """The agency is of the region and, for an agency administrator, inside their subtree."""
    condition = Agency.region_id == region_id
    if not principal.has_any(Role.REGION_ADMIN):
        condition = and_(condition, agency_in_subtree(principal, Agency.id))
    found = await session.scalar(select(Agency.id).where(Agency.id == agency_id, condition))
    return found is not None


async def is_rated(session: AsyncSession, cycle: EvaluationCycle, employee_id: uuid.UUID) -> bool:
    """The employee is active, of the cycle's region and inside its agency subtree."""
    statement = select(Employee.id).where(
        Employee.id == employee_id, Employee.region_id == cycle.region_id, Employee.active
    )
    if cycle.agency_id is not None:
        root = select(Agency.path).where(Agency.id == cycle.agency_id).scalar_subquery()
        member = select(Agency.id).where(Agency.path.startswith(root, autoescape=False))
        statement = statement.where(Employee.agency_id.in_(member))
    return await session.scalar(statement) is not None


# Who rates whom, from the supervisor chain as it stands: the cycle's ratees are the active
# employees of its region (of its agency subtree, when it has one); each is rated by themselves,
# their direct supervisor, their direct subordinates and up to `peers_per_employee` peers:
# active colleagues of the same agency under the same direct supervisor, ranked by a hash of
# the cycle, ratee and peer ids, so the pick is the same however often it is made. A ratee who
# already has peers is given only what is left of the quota, from peers not yet picked, so a
# second run adds nothing and an employee added later takes a free place only.
#
# New assignments are announced in the same statement, one `evaluation.assigned` outbox event
# per rater (see `evaluations.events`); the statement answers how many assignments it created.
# `:employee_id`, when given, keeps the pairs in which that employee rates or is rated.
_ASSIGN = text(
    """
with cyc as (
    select c.id, c.region_id, c.closes_on, c.include_self, c.include_supervisor,
           c.include_peers, c.include_subordinates, c.peers_per_employee,
           (select a.path from agencies a where a.id = c.agency_id) as root_path,
           c.agency_id is not null as in_subtree
    from evaluation_cycles c
    where c.id = :cycle_id
),
active as (
    select e.id, e.agency_id, e.supervisor_id
    from employees e, cyc
    where e.region_id = cyc.region_id and e.active
),
ratees as (
    select e.id, e.agency_id, e.supervisor_id
    from active e join agencies ag on ag.id = e.agency_id, cyc
    where not cyc.in_subtree or starts_with(ag.path, cyc.root_path)
),
taken as (
    select x.ratee_id, x.rater_id, x.relation
    from evaluation_assignments x, cyc
    where x.region_id = cyc.region_id and x.cycle_id = cyc.id
),
peers as (
    select ranked.ratee_id, ranked.agency_id, ranked.rater_id
    from (
        select r.id as ratee_id, r.agency_id, p.id as rater_id,
               row_number() over (
                   partition by r.id
                   order by md5(cyc.id::text || r.id::text || p.id::text), p.id
               ) as place,
               cyc.peers_per_employee - (
                   select count(*) from taken t
                   where t.ratee_id = r.id and t.relation = 'peer'
               ) as room
        from ratees r
        join active p
          on p.supervisor_id = r.supervisor_id and p.agency_id = r.agency_id and p.id <> r.id,
        cyc
        where cyc.include_peers
          and not exists (
              select 1 from taken t where t.ratee_id = r.id and t.rater_id = p.id
          )
    ) ranked
    where ranked.place <= ranked.room
),
pairs as (
    select r.id as ratee_id, r.agency_id, r.id as rater_id, 'self' as relation
    from ratees r, cyc where cyc.include_self
    union all
    select r.id, r.agency_id, s.id, 'supervisor'
    from ratees r join active s on s.id = r.supervisor_id, cyc
    where cyc.include_supervisor
    union all
    select r.id, r.agency_id, b.id, 'subordinate'
    from ratees r join active b on b.supervisor_id = r.id, cyc
    where cyc.include_subordinates
    union all
    select ratee_id, agency_id, rater_id, 'peer' from peers
),
added as (
    insert into evaluation_assignments
        (region_id, cycle_id, ratee_id, rater_id, relation, agency_id, due_on)
    select cyc.region_id, cyc.id, pairs.ratee_id, pairs.rater_id, pairs.relation,
           pairs.agency_id, cyc.closes_on
    from pairs, cyc
    where cast(:employee_id as uuid) is null
       or pairs.ratee_id = :employee_id
       or pairs.rater_id = :employee_id
    on conflict (region_id, cycle_id, ratee_id, rater_id) do nothing
    returning rater_id, due_on
),
per_rater as (
    select rater_id, min(due_on) as due_on, count(*) as assignments
    from added group by rater_id
),
announced as (
    insert into outbox_events (region_id, type, entity_type, entity_id, employee_id, payload)
    select cyc.region_id, 'evaluation.assigned', 'evaluation_cycle', cyc.id,
           per_rater.rater_id,
           jsonb_build_object(
               'cycle_id', cyc.id,
               'due_on', per_rater.due_on,
               'assignments', per_rater.assignments
           )
    from per_rater, cyc
    order by per_rater.rater_id
    returning 1
)
select coalesce(sum(assignments), 0) from per_rater
"""
).bindparams(bindparam("cycle_id", type_=Uuid), bindparam("employee_id", type_=Uuid))


async def assign(
    session: AsyncSession, cycle: EvaluationCycle, *, employee_id: uuid.UUID | None = None
) -> int:
    """Creates the cycle's assignments (only those involving `employee_id`, when given) and
    announces them to their raters; answers how many it created. Idempotent: a second run
    creates nothing. Flushes the session first, so the cycle's pending changes are read."""
    await session.flush()
    created = await session.scalar(_ASSIGN, {"cycle_id": cycle.id, "employee_id": employee_id})
    return int(created or 0)
