import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, ClassVar, Self

from fastapi import Query
from pydantic import Field, StringConstraints, model_validator

from kinerja_api.core.schemas import (
    JSON_INTEGER,
    DecimalString,
    InputModel,
    OutputModel,
    PatchModel,
    PlainDecimal,
    UpdatedSince,
)
from kinerja_api.models.plans import Aggregation, Aspect, CascadeMode, TargetKind
from kinerja_api.plans.achievement_schemas import AchievementOut

# The bounds of a target's and an indicator's fields, which imports check too.
TITLE_MAX_LENGTH = 500
TEXT_MAX_LENGTH = 4000
UNIT_MAX_LENGTH = 60
POSITION_MAX = 10_000
WEIGHT_MAX = 100

Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX_LENGTH)
]
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_MAX_LENGTH)
]
Unit = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=UNIT_MAX_LENGTH)
]
TargetValue = Annotated[
    PlainDecimal,
    Field(gt=0, max_digits=18, decimal_places=4, examples=["12"], description="Exact decimal."),
]
Weight = Annotated[
    PlainDecimal,
    Field(
        gt=0,
        le=WEIGHT_MAX,
        max_digits=5,
        decimal_places=2,
        description="Optional; when any indicator of a plan has one, all must, adding up to 100.",
    ),
]
Position = Annotated[
    int, Field(ge=0, le=POSITION_MAX, description="Display order, ascending."), JSON_INTEGER
]
_CASCADE_PAIR = "parent_target_id and cascade_mode go together: give both or neither"


class TargetCreate(InputModel):
    kind: TargetKind
    title: Title = Field(examples=["Meningkatnya kualitas layanan administrasi kependudukan"])
    description: Text | None = None
    public: bool = Field(default=False, description="Shown in the public progress view.")
    parent_target_id: uuid.UUID | None = Field(
        default=None,
        description="The supervisor's target (same period) this one cascades from (intervensi).",
    )
    cascade_mode: CascadeMode | None = Field(
        default=None,
        description="`direct`: this target takes a numeric share of the parent's; "
        "`indirect`: it supports the parent without a numeric split.",
    )
    position: Position = 0

    @model_validator(mode="after")
    def _cascade_pair(self) -> Self:
        if (self.parent_target_id is None) != (self.cascade_mode is None):
            raise ValueError(_CASCADE_PAIR)
        return self


class TargetUpdate(PatchModel):
    nullable_fields: ClassVar[frozenset[str]] = frozenset(
        {"description", "parent_target_id", "cascade_mode"}
    )

    kind: TargetKind | None = None
    title: Title | None = None
    description: Text | None = None
    public: bool | None = None
    parent_target_id: uuid.UUID | None = None
    cascade_mode: CascadeMode | None = None
    position: Position | None = None


class TargetOut(OutputModel):
    """A Rencana Hasil Kerja. Kept flat so other views (e.g. achievement) can extend it."""

    id: uuid.UUID
    region_id: uuid.UUID
    plan_id: uuid.UUID
    kind: TargetKind
    title: str
    description: str | None
    public: bool
    parent_target_id: uuid.UUID | None
    cascade_mode: CascadeMode | None
    position: int
    version: int
    created_at: datetime
    updated_at: datetime
    achievement: AchievementOut


class IndicatorCreate(InputModel):
    aspect: Aspect
    description: Text = Field(examples=["Jumlah dokumen kependudukan yang diterbitkan"])
    target_value: TargetValue
    unit: Unit = Field(examples=["dokumen"])
    aggregation: Aggregation = Field(
        default=Aggregation.SUM,
        description="How reported progress adds up: `sum`, `latest` or `average`.",
    )
    weight: Weight | None = None
    parent_indicator_id: uuid.UUID | None = Field(
        default=None,
        description="In a `direct` cascade: the parent target's indicator this one takes a share "
        "of, in the same `unit`; the shares are compared with it in the cascade view. Refused "
        "on `indirect` targets, and cleared when the target leaves its parent or turns "
        "`indirect`.",
    )
    position: Position = 0


class IndicatorUpdate(PatchModel):
    nullable_fields: ClassVar[frozenset[str]] = frozenset({"weight", "parent_indicator_id"})

    aspect: Aspect | None = None
    description: Text | None = None
    target_value: TargetValue | None = None
    unit: Unit | None = None
    aggregation: Aggregation | None = None
    weight: Weight | None = None
    parent_indicator_id: uuid.UUID | None = None
    position: Position | None = None


class IndicatorOut(OutputModel):
    id: uuid.UUID
    region_id: uuid.UUID
    plan_id: uuid.UUID
    target_id: uuid.UUID
    aspect: Aspect
    description: str
    target_value: DecimalString
    unit: str
    aggregation: Aggregation
    weight: DecimalString | None
    parent_indicator_id: uuid.UUID | None
    position: int
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class TargetFilters:
    plan_id: Annotated[uuid.UUID | None, Query(description="Targets of this plan.")] = None
    updated_since: UpdatedSince = None


@dataclass(frozen=True, slots=True)
class IndicatorFilters:
    plan_id: Annotated[uuid.UUID | None, Query(description="Indicators of this plan.")] = None
    target_id: Annotated[uuid.UUID | None, Query(description="Indicators of this target.")] = None
    updated_since: UpdatedSince = None
