"""The records of `core.tombstones` for many rows at once (bulk imports): each statement
set-based over the arrays it is given (one element per changed row) instead of a round trip per
row. A row the transaction has already changed (its `updated_at` is the transaction's time) is
not touched again."""

import uuid
from collections.abc import Sequence

from sqlalchemy import ARRAY, Uuid, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.models.sync import SyncEntity, TombstoneReason

_UUIDS = ARRAY(Uuid)

_SUPERVISORS_CHANGED = text(
    """
with recursive moved(id, former_supervisor_id) as (
    select m.id, m.former_supervisor_id
      from unnest(:ids, :formers) as m(id, former_supervisor_id)
    union
    select e.id, moved.former_supervisor_id
      from employees e join moved on e.supervisor_id = moved.id
     where e.region_id = :region_id
),
moved_plans as (
    select p.id, moved.former_supervisor_id
      from plans p join moved on p.employee_id = moved.id
     where p.region_id = :region_id
),
hidden as (
    insert into sync_tombstones (region_id, entity_type, entity_id, reason, former_supervisor_id)
    select :region_id, :employee, id, :hidden, former_supervisor_id
      from moved where former_supervisor_id is not null
    union all
    select :region_id, :plan, id, :hidden, former_supervisor_id
      from moved_plans where former_supervisor_id is not null
),
employees_touched as (
    -- By primary key: `is not distinct from` serves no index, so that a region whose
    -- statistics count a few rows (an import filling it) is not scanned once per moved row.
    update employees e set updated_at = now()
      from (select distinct id from moved) m
     where e.id = m.id and e.region_id is not distinct from :region_id
       and e.updated_at <> now()
),
plans_touched as (
    update plans set updated_at = now()
     where region_id = :region_id and id in (select id from moved_plans)
),
targets_touched as (
    update targets set updated_at = now()
     where region_id = :region_id and plan_id in (select id from moved_plans)
),
indicators_touched as (
    update indicators set updated_at = now()
     where region_id = :region_id and plan_id in (select id from moved_plans)
)
update progress_reports set updated_at = now()
 where region_id = :region_id and plan_id in (select id from moved_plans)
"""
).bindparams(bindparam("ids", type_=_UUIDS), bindparam("formers", type_=_UUIDS))

_AGENCIES_CHANGED = text(
    """
with moved(id, former_agency_id) as (
    select * from unnest(:ids, :formers)
),
hidden as (
    insert into sync_tombstones (region_id, entity_type, entity_id, reason, former_agency_path)
    select :region_id, :employee, moved.id, :hidden, a.path
      from moved left join agencies a on a.id = moved.former_agency_id
)
update progress_reports set updated_at = now()
 where region_id = :region_id and employee_id in (select id from moved)
"""
).bindparams(bindparam("ids", type_=_UUIDS), bindparam("formers", type_=_UUIDS))

_USERS_AGENCY_CHANGED = text(
    """
insert into sync_tombstones (region_id, entity_type, entity_id, reason, former_agency_path)
select :region_id, :user, moved.id, :hidden, a.path
  from unnest(:ids, :formers) as moved(id, former_agency_id)
  join agencies a on a.id = moved.former_agency_id
"""
).bindparams(bindparam("ids", type_=_UUIDS), bindparam("formers", type_=_UUIDS))

_KINDS = {
    "hidden": TombstoneReason.HIDDEN.value,
    "employee": SyncEntity.EMPLOYEE.value,
    "plan": SyncEntity.PLAN.value,
    "user": SyncEntity.USER.value,
}


async def supervisors_changed(
    session: AsyncSession,
    *,
    region_id: uuid.UUID,
    employee_ids: Sequence[uuid.UUID],
    former_supervisor_ids: Sequence[uuid.UUID | None],
) -> None:
    """`supervisor_changed` for each of `employee_ids` (with the supervisor each had before),
    in one statement."""
    if employee_ids:
        await session.execute(
            _SUPERVISORS_CHANGED,
            {
                **_KINDS,
                "region_id": region_id,
                "ids": list(employee_ids),
                "formers": list(former_supervisor_ids),
            },
        )


async def agencies_changed(
    session: AsyncSession,
    *,
    region_id: uuid.UUID,
    employee_ids: Sequence[uuid.UUID],
    former_agency_ids: Sequence[uuid.UUID],
) -> None:
    """`agency_changed` for each of `employee_ids` (with the agency each was in), in one
    statement."""
    if employee_ids:
        await session.execute(
            _AGENCIES_CHANGED,
            {
                **_KINDS,
                "region_id": region_id,
                "ids": list(employee_ids),
                "formers": list(former_agency_ids),
            },
        )


async def users_agency_changed(
    session: AsyncSession,
    *,
    region_id: uuid.UUID,
    user_ids: Sequence[uuid.UUID],
    former_agency_ids: Sequence[uuid.UUID | None],
) -> None:
    """`user_agency_changed` for each of `user_ids` (with the agency each had, or None), in one
    statement."""
    if user_ids:
        await session.execute(
            _USERS_AGENCY_CHANGED,
            {
                **_KINDS,
                "region_id": region_id,
                "ids": list(user_ids),
                "formers": list(former_agency_ids),
            },
        )
