import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Query
from pydantic import Field

from kinerja_api.core.schemas import JSON_INTEGER, InputModel, OutputModel, UpdatedSince
from kinerja_api.models.plans import PeriodStatus

QUARTER_NAMES = ("I", "II", "III", "IV")


class PeriodCreate(InputModel):
    year: Annotated[int, Field(ge=2000, le=2100, examples=[2026]), JSON_INTEGER]


class PeriodQuarterOut(OutputModel):
    number: int = Field(ge=1, le=4)
    name: str = Field(description="Triwulan I to IV.", examples=["I"])
    starts_at: datetime = Field(description="Midnight in the region's time zone, inclusive.")
    ends_at: datetime = Field(description="Midnight in the region's time zone, exclusive.")


class PeriodOut(OutputModel):
    id: uuid.UUID
    region_id: uuid.UUID
    year: int
    status: PeriodStatus
    timezone: str = Field(description="The region's IANA time zone the boundaries are in.")
    starts_at: datetime
    ends_at: datetime
    quarters: list[PeriodQuarterOut]
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class PeriodFilters:
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None
    status: PeriodStatus | None = None
    updated_since: UpdatedSince = None
