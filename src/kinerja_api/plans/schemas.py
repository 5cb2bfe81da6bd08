import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Query
from pydantic import Field, StringConstraints

from kinerja_api.core.csv_export import CsvColumns
from kinerja_api.core.schemas import DecimalString, InputModel, OutputModel, UpdatedSince
from kinerja_api.models.common import described
from kinerja_api.models.plans import CascadeMode, PlanStatus, TargetKind
from kinerja_api.plans.achievement_schemas import AchievementOut

Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


class PlanCreate(InputModel):
    period_id: uuid.UUID = Field(description="An open period of the caller's region.")


class ReturnBody(InputModel):
    note: Note = Field(description="What the employee should change before resubmitting.")


class PlanOut(OutputModel):
    """An SKP. Kept flat so other views (e.g. achievement) can extend it."""

    id: uuid.UUID
    region_id: uuid.UUID
    period_id: uuid.UUID
    employee_id: uuid.UUID
    agency_id: uuid.UUID = Field(description="The employee's agency when the plan was created.")
    approver_id: uuid.UUID | None = Field(
        description="The employee's supervisor at submission; only they approve or return. "
        "Null on a submitted plan when the employee has no supervisor (the top of the chain, "
        "e.g. the Sekretaris Daerah): the region's administrators (BKPSDM) approve or return it "
        "for the regional head."
    )
    status: PlanStatus
    revision: int = Field(description="Counts from 1; `revise` starts the next one.")
    approved_revision: int | None = Field(
        description="The last approved revision, if any; while a later revision is being "
        "prepared (`revision` is higher) it stays readable under `/revisions/{approved_revision}`."
    )
    return_note: str | None
    submitted_at: datetime | None
    approved_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime
    achievement: AchievementOut


PLAN_COLUMNS = CsvColumns.of(PlanOut)


class PlanRevisionOut(OutputModel):
    revision: int
    approved_at: datetime
    approved_by: uuid.UUID | None
    snapshot: dict[str, Any] = Field(
        description="The plan, its targets and their indicators exactly as approved."
    )


@described(
    {
        "updated_at": "diubah paling lama — least recently changed first (for sync)",
        "-updated_at": "diubah terbaru — most recently changed first",
        "created_at": "dibuat paling lama — oldest first",
    }
)
class PlanSort(StrEnum):
    """`updated_at`: least recently changed first (for syncing); `-updated_at`: most recently
    changed first; `created_at`: oldest first."""

    UPDATED_AT = "updated_at"
    UPDATED_AT_DESC = "-updated_at"
    CREATED_AT = "created_at"


@dataclass(frozen=True, slots=True)
class PlanFilters:
    period_id: uuid.UUID | None = None
    agency_id: Annotated[
        uuid.UUID | None,
        Query(description="Plans of employees anywhere in this agency's subtree."),
    ] = None
    status: PlanStatus | None = None
    employee_id: uuid.UUID | None = None
    approver_id: Annotated[
        uuid.UUID | None,
        Query(description="Plans submitted to this employee for approval (set at submission)."),
    ] = None
    supervisor_id: Annotated[
        uuid.UUID | None,
        Query(description="Plans, drafts included, of this employee's current direct reports."),
    ] = None
    updated_since: UpdatedSince = None


@described(
    {
        "aligned": "selaras — the children's shares add up to the target value",
        "under": "kurang — the shares add up to less than the target value",
        "over": "lebih — the shares add up to more than the target value",
        "not_cascaded": "tidak diturunkan — no direct child's indicator shares it",
    }
)
class Alignment(StrEnum):
    """How the shares of an indicator add up: `aligned`, `under` or `over` its target value;
    `not_cascaded` when no `direct` child's indicator shares it (it is not split)."""

    ALIGNED = "aligned"
    UNDER = "under"
    OVER = "over"
    NOT_CASCADED = "not_cascaded"


class CascadeTarget(OutputModel):
    id: uuid.UUID
    plan_id: uuid.UUID
    employee_id: uuid.UUID
    kind: TargetKind
    title: str
    parent_target_id: uuid.UUID | None
    cascade_mode: CascadeMode | None
    level: int = Field(
        description="Relative to this plan: -1 is the supervisor's target, 1 a direct "
        "subordinate's, and so on."
    )


class IndicatorAlignment(OutputModel):
    target_id: uuid.UUID = Field(description="The parent target whose indicator is split.")
    indicator_id: uuid.UUID
    unit: str
    target_value: DecimalString
    children_total: DecimalString = Field(
        description="Sum of the target values of the `direct` children's indicators that "
        "share this indicator (`parent_indicator_id`)."
    )
    children: int
    alignment: Alignment = Field(
        description="`aligned`, `under` or `over` when `direct` children share the indicator; "
        "`not_cascaded` when none does (it is not split, so it is neither under nor over)."
    )


class CascadeOut(OutputModel):
    plan_id: uuid.UUID
    above: list[CascadeTarget] = Field(description="Ancestors of this plan's targets, upwards.")
    targets: list[CascadeTarget] = Field(description="This plan's own targets (level 0).")
    below: list[CascadeTarget] = Field(
        description="Subordinates' targets cascading from this plan's, transitively."
    )
    alignment: list[IndicatorAlignment] = Field(
        description="For each indicator of a target with `direct` children, at this level and "
        "below."
    )
