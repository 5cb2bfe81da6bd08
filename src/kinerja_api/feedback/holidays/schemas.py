import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from fastapi import Query
from pydantic import Field

from kinerja_api.core.schemas import InputModel, Name, OutputModel, UpdatedSince
from kinerja_api.models.common import described


class HolidayCreate(InputModel):
    date: date
    name: Name = Field(examples=["Hari Kemerdekaan Republik Indonesia"])


class HolidayOut(OutputModel):
    id: uuid.UUID
    region_id: uuid.UUID
    date: date
    name: str
    created_at: datetime
    updated_at: datetime


@described(
    {
        "date": "tanggal — by date",
        "updated_at": "diubah paling lama — least recently changed first (for sync)",
    }
)
class HolidaySort(StrEnum):
    DATE = "date"
    UPDATED_AT = "updated_at"


@dataclass(frozen=True, slots=True)
class HolidayFilters:
    year: Annotated[int | None, Query(ge=2000, le=2100, description="Holidays of this year.")] = (
        None
    )
    updated_since: UpdatedSince = None
