import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from fastapi import Query
from pydantic import Field

from kinerja_api.core.schemas import OutputModel, UpdatedSince
from kinerja_api.models.common import described

PDF_MEDIA_TYPE = "application/pdf"


class CertificateOut(OutputModel):
    id: uuid.UUID
    region_id: uuid.UUID
    number: str = Field(
        description="REGION/YEAR/PROGRAM/SERIAL, unique in the region; the serial counts the "
        "region's certificates of the year in order of issue.",
        examples=["BUNGO/2030/MWDP/000001"],
    )
    enrollment_id: uuid.UUID
    employee_id: uuid.UUID
    issued_on: date = Field(description="The day of issue in the region's zone.")
    jp: int = Field(description="The JP the certificate attests.")
    created_at: datetime
    updated_at: datetime
    version: int


@described(
    {
        "created_at": "the oldest first",
        "updated_at": "the least recently changed first",
    }
)
class CertificateSort(StrEnum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"


@dataclass(frozen=True, slots=True)
class CertificateFilters:
    mine: Annotated[
        bool | None, Query(description="Only the caller's own certificates (true).")
    ] = None
    employee_id: uuid.UUID | None = None
    updated_since: UpdatedSince = None
