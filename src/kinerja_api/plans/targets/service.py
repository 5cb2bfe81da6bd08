"""Targets (RHK) of a plan and their indicators (IKI): changed only by the plan's employee while
the plan is a draft or returned, in an open period."""

import uuid
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import not_found
from kinerja_api.auth.principal import Principal
from kinerja_api.core.audit import record, record_entity, snapshot
from kinerja_api.core.etag import check_if_match
from kinerja_api.core.events import EventData, publish
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import ListOf, list_page
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.core.problems import CONFLICT, Problem, field_problem
from kinerja_api.core.tombstones import record_deleted
from kinerja_api.models.plans import CascadeMode, Indicator, Plan, Target
from kinerja_api.models.sync import SyncEntity
from kinerja_api.plans import views, workflow
from kinerja_api.plans.achievement import targets_achievement
from kinerja_api.plans.achievement_schemas import with_achievements
from kinerja_api.plans.events import IndicatorEventData, TargetEventData
from kinerja_api.plans.targets import repository
from kinerja_api.plans.targets.schemas import (
    IndicatorCreate,
    IndicatorFilters,
    IndicatorUpdate,
    TargetCreate,
    TargetFilters,
    TargetOut,
    TargetUpdate,
)

TARGET_AUDITED = (
    "plan_id",
    "kind",
    "title",
    "description",
    "public",
    "parent_target_id",
    "cascade_mode",
    "position",
)
INDICATOR_AUDITED = (
    "plan_id",
    "target_id",
    "aspect",
    "description",
    "target_value",
    "unit",
    "aggregation",
    "weight",
    "parent_indicator_id",
    "position",
)
_EVENT_DATA: dict[str, type[EventData]] = {
    "target": TargetEventData,
    "indicator": IndicatorEventData,
}
_TARGETS = ListOf("targets", {"position": Keyset((Target.position, Target.id))})
_INDICATORS = ListOf("indicators", {"position": Keyset((Indicator.position, Indicator.id))})
_CHANGED_TARGETS = ListOf(
    "readable-targets", {"updated_at": Keyset((Target.updated_at, Target.id))}
)
_CHANGED_INDICATORS = ListOf(
    "readable-indicators", {"updated_at": Keyset((Indicator.updated_at, Indicator.id))}
)
_PARENT_TARGET = Msg(
    "Sasaran induk harus sasaran pada rencana atasan langsung di periode yang sama.",
    "The parent target must be a target of the direct supervisor's plan in the same period.",
)
_CASCADE_PAIR = Msg(
    "parent_target_id dan cascade_mode harus diisi bersama atau dikosongkan bersama.",
    "parent_target_id and cascade_mode go together: give both or neither.",
)
_PARENT_INDICATOR = Msg(
    "Indikator induk harus indikator dari sasaran induk.",
    "The parent indicator must be an indicator of the parent target.",
)
_NOT_DIRECT = Msg(
    "Hanya sasaran dengan intervensi langsung (direct) yang dapat berbagi indikator induk.",
    "Only a target in a `direct` cascade can share a parent indicator.",
)
_UNIT_MISMATCH = Msg(
    "Satuan harus sama dengan satuan indikator induk ({unit}).",
    "The unit must be the parent indicator's unit ({unit}).",
)
_SHARES_UNIT = Msg(
    "Indikator bawahan berbagi indikator ini dalam satuan {unit}; satuannya tidak dapat diubah.",
    "Subordinates' indicators share this indicator in {unit}; its unit cannot change.",
)
_TARGET_HAS_CHILDREN = Msg(
    "Sasaran bawahan masih menginduk ke sasaran ini; lepaskan keterkaitannya dulu.",
    "Subordinates' targets still cascade from this target; unlink them first.",
)
_INDICATOR_HAS_CHILDREN = Msg(
    "Indikator bawahan masih menginduk ke indikator ini; lepaskan keterkaitannya dulu.",
    "Subordinates' indicators still share this indicator; unlink them first.",
)


# --- targets ---------------------------------------------------------------------------------


async def find_target(
    session: AsyncSession, principal: Principal, target_id: uuid.UUID
) -> tuple[Target, Plan]:
    found = await repository.find_target(session, principal, target_id)
    if found is None:
        raise not_found("Target")
    return found


async def list_targets(
    session: AsyncSession,
    principal: Principal,
    plan_id: uuid.UUID,
    *,
    page: PageParams,
) -> tuple[list[Target], str | None]:
    plan = await views.find_plan(session, principal, plan_id)
    return await list_page(
        session,
        repository.targets_of(plan),
        _TARGETS,
        "position",
        cursor_filters={"plan_id": plan.id},
        page=page,
    )


async def list_readable_targets(
    session: AsyncSession,
    principal: Principal,
    filters: TargetFilters,
    *,
    page: PageParams,
) -> tuple[list[Target], str | None]:
    return await list_page(
        session,
        repository.readable_targets(principal),
        _CHANGED_TARGETS,
        "updated_at",
        cursor_filters=asdict(filters),
        page=page,
        equal={Target.plan_id: filters.plan_id},
        updated_at=Target.updated_at,
        updated_since=filters.updated_since,
    )


async def _check_parent_target(
    session: AsyncSession, plan: Plan, parent_target_id: uuid.UUID | None
) -> None:
    if parent_target_id is None:
        return
    if await repository.supervisors_target(session, plan, parent_target_id) is None:
        raise field_problem("body.parent_target_id", _PARENT_TARGET, code="not_supervisor_target")


async def _event(
    session: AsyncSession, event: str, entity_type: str, entity: Any, plan: Plan
) -> None:
    await workflow.touch_plan(session, plan.region_id, plan.id)
    await publish(
        session,
        f"{entity_type}.{event}",
        region_id=plan.region_id,
        entity_type=entity_type,
        entity_id=entity.id,
        employee_id=plan.employee_id,
        agency_id=plan.agency_id,
        payload=_EVENT_DATA[entity_type].model_validate(
            {"plan_id": plan.id, f"{entity_type}_id": entity.id}
        ),
    )


async def create_target(
    session: AsyncSession, principal: Principal, plan_id: uuid.UUID, data: TargetCreate
) -> Target:
    plan = await workflow.editable_plan(session, principal, plan_id)
    await _check_parent_target(session, plan, data.parent_target_id)
    target = Target(region_id=plan.region_id, plan_id=plan.id, **data.model_dump())
    session.add(target)
    await session.flush()
    await record_entity(session, principal, "target", "created", target, TARGET_AUDITED)
    await _event(session, "created", "target", target, plan)
    return target


async def _editable_target(
    session: AsyncSession, principal: Principal, target_id: uuid.UUID, if_match: str | None
) -> tuple[Target, Plan]:
    target, plan = await find_target(session, principal, target_id)
    plan = await workflow.editable_plan(session, principal, plan.id)
    check_if_match(if_match, target.version)
    return target, plan


async def update_target(
    session: AsyncSession,
    principal: Principal,
    target_id: uuid.UUID,
    data: TargetUpdate,
    if_match: str | None,
) -> Target:
    target, plan = await _editable_target(session, principal, target_id, if_match)
    changes = data.changes()
    parent = changes.get("parent_target_id", target.parent_target_id)
    mode = changes.get("cascade_mode", target.cascade_mode)
    if (parent is None) != (mode is None):
        raise field_problem("body.cascade_mode", _CASCADE_PAIR, code="cascade_pair")
    if "parent_target_id" in changes:
        await _check_parent_target(session, plan, parent)
    if parent != target.parent_target_id or mode != target.cascade_mode:
        # It no longer shares the parent's indicators.
        await repository.unshare_indicators(session, target)
    before = snapshot(target, TARGET_AUDITED)
    for field, value in changes.items():
        setattr(target, field, value)
    await session.flush()
    await record_entity(
        session, principal, "target", "updated", target, TARGET_AUDITED, before=before
    )
    await _event(session, "updated", "target", target, plan)
    return target


async def _record_deleted(
    session: AsyncSession,
    principal: Principal,
    entity_type: str,
    before: dict[str, Any],
    entity: Any,
) -> None:
    await record(
        session,
        principal,
        f"{entity_type}.deleted",
        entity_type=entity_type,
        entity_id=entity.id,
        region_id=entity.region_id,
        before=before,
        after=dict.fromkeys(before),
    )


async def _tombstones(
    plan: Plan, entity_type: SyncEntity, ids: Sequence[uuid.UUID], session: AsyncSession
) -> None:
    """Syncing clients learn of the deletion; the plan's readers may read the tombstones."""
    await record_deleted(
        session, region_id=plan.region_id, entity_type=entity_type, entity_ids=ids, plan_id=plan.id
    )


async def delete_target(
    session: AsyncSession, principal: Principal, target_id: uuid.UUID, if_match: str | None
) -> None:
    target, plan = await _editable_target(session, principal, target_id, if_match)
    if await repository.has_children(session, target):
        raise Problem(CONFLICT, _TARGET_HAS_CHILDREN)
    before = snapshot(target, TARGET_AUDITED)
    indicator_ids = await repository.delete_indicators_of(session, target)
    await session.delete(target)
    await session.flush()
    await _tombstones(plan, SyncEntity.INDICATOR, indicator_ids, session)
    await _tombstones(plan, SyncEntity.TARGET, [target.id], session)
    await _record_deleted(session, principal, "target", before, target)
    await _event(session, "deleted", "target", target, plan)


# --- indicators ------------------------------------------------------------------------------


async def find_indicator(
    session: AsyncSession, principal: Principal, indicator_id: uuid.UUID
) -> tuple[Indicator, Plan]:
    found = await repository.find_indicator(session, principal, indicator_id)
    if found is None:
        raise not_found("Indicator")
    return found


async def list_indicators(
    session: AsyncSession,
    principal: Principal,
    target_id: uuid.UUID,
    *,
    page: PageParams,
) -> tuple[list[Indicator], str | None]:
    target, _plan = await find_target(session, principal, target_id)
    return await list_page(
        session,
        repository.indicators_of(target),
        _INDICATORS,
        "position",
        cursor_filters={"target_id": target.id},
        page=page,
    )


async def list_readable_indicators(
    session: AsyncSession,
    principal: Principal,
    filters: IndicatorFilters,
    *,
    page: PageParams,
) -> tuple[list[Indicator], str | None]:
    return await list_page(
        session,
        repository.readable_indicators(principal),
        _CHANGED_INDICATORS,
        "updated_at",
        cursor_filters=asdict(filters),
        page=page,
        equal={Indicator.plan_id: filters.plan_id, Indicator.target_id: filters.target_id},
        updated_at=Indicator.updated_at,
        updated_since=filters.updated_since,
    )


async def _check_parent_indicator(
    session: AsyncSession, target: Target, parent_indicator_id: uuid.UUID | None, unit: str
) -> None:
    """A shared indicator belongs to the parent target of a `direct` cascade, in the same unit,
    so the shares can be added up against it."""
    if parent_indicator_id is None:
        return
    if target.cascade_mode != CascadeMode.DIRECT:
        raise field_problem("body.parent_indicator_id", _NOT_DIRECT, code="not_direct")
    parent_unit = await repository.parent_indicator_unit(session, target, parent_indicator_id)
    if parent_unit is None:
        raise field_problem("body.parent_indicator_id", _PARENT_INDICATOR, code="not_parent")
    if parent_unit != unit:
        raise field_problem("body.unit", _UNIT_MISMATCH, code="unit_mismatch", unit=parent_unit)


async def _check_shares_keep_unit(session: AsyncSession, indicator: Indicator, unit: str) -> None:
    """The unit of an indicator that subordinates share cannot drift from theirs."""
    if await repository.shared_in_another_unit(session, indicator, unit):
        raise field_problem("body.unit", _SHARES_UNIT, code="unit_mismatch", unit=indicator.unit)


async def create_indicator(
    session: AsyncSession, principal: Principal, target_id: uuid.UUID, data: IndicatorCreate
) -> Indicator:
    target, plan = await find_target(session, principal, target_id)
    plan = await workflow.editable_plan(session, principal, plan.id)
    await _check_parent_indicator(session, target, data.parent_indicator_id, data.unit)
    indicator = Indicator(
        region_id=plan.region_id, plan_id=plan.id, target_id=target.id, **data.model_dump()
    )
    session.add(indicator)
    await session.flush()
    await record_entity(session, principal, "indicator", "created", indicator, INDICATOR_AUDITED)
    await _event(session, "created", "indicator", indicator, plan)
    return indicator


async def _editable_indicator(
    session: AsyncSession, principal: Principal, indicator_id: uuid.UUID, if_match: str | None
) -> tuple[Indicator, Plan]:
    indicator, plan = await find_indicator(session, principal, indicator_id)
    plan = await workflow.editable_plan(session, principal, plan.id)
    check_if_match(if_match, indicator.version)
    return indicator, plan


async def update_indicator(
    session: AsyncSession,
    principal: Principal,
    indicator_id: uuid.UUID,
    data: IndicatorUpdate,
    if_match: str | None,
) -> Indicator:
    indicator, plan = await _editable_indicator(session, principal, indicator_id, if_match)
    changes = data.changes()
    parent = changes.get("parent_indicator_id", indicator.parent_indicator_id)
    unit = changes.get("unit", indicator.unit)
    if parent is not None and ("parent_indicator_id" in changes or "unit" in changes):
        target = await session.get_one(Target, indicator.target_id)
        await _check_parent_indicator(session, target, parent, unit)
    if unit != indicator.unit:
        await _check_shares_keep_unit(session, indicator, unit)
    before = snapshot(indicator, INDICATOR_AUDITED)
    for field, value in changes.items():
        setattr(indicator, field, value)
    await session.flush()
    await record_entity(
        session, principal, "indicator", "updated", indicator, INDICATOR_AUDITED, before=before
    )
    await _event(session, "updated", "indicator", indicator, plan)
    return indicator


async def delete_indicator(
    session: AsyncSession, principal: Principal, indicator_id: uuid.UUID, if_match: str | None
) -> None:
    indicator, plan = await _editable_indicator(session, principal, indicator_id, if_match)
    if await repository.is_shared(session, indicator):
        raise Problem(CONFLICT, _INDICATOR_HAS_CHILDREN)
    before = snapshot(indicator, INDICATOR_AUDITED)
    await session.delete(indicator)
    await session.flush()
    await _tombstones(plan, SyncEntity.INDICATOR, [indicator.id], session)
    await _record_deleted(session, principal, "indicator", before, indicator)
    await _event(session, "deleted", "indicator", indicator, plan)


async def target_views(session: AsyncSession, targets: Sequence[Target]) -> list[TargetOut]:
    """Targets as the API shows them, with their achievement."""
    figures = await targets_achievement(session, targets)
    return with_achievements(TargetOut, targets, figures)


async def target_view(session: AsyncSession, target: Target) -> TargetOut:
    (view,) = await target_views(session, [target])
    return view
