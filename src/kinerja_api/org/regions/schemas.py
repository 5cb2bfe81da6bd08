import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated
from zoneinfo import available_timezones

from pydantic import AfterValidator, Field

from kinerja_api.core.schemas import Code, InputModel, Name, OutputModel, PatchModel
from kinerja_api.models.common import described
from kinerja_api.models.org import RegionKind

_ZONES = frozenset(available_timezones())


def _known_zone(value: str) -> str:
    if value not in _ZONES:
        raise ValueError("unknown IANA time zone")
    return value


TimeZone = Annotated[
    str, Field(examples=["Asia/Jakarta", "Asia/Makassar"]), AfterValidator(_known_zone)
]


@described(
    {
        "code": "kode — by code",
        "updated_at": "diubah paling lama — least recently changed first (for sync)",
    }
)
class RegionSort(StrEnum):
    CODE = "code"
    UPDATED_AT = "updated_at"


class RegionCreate(InputModel):
    code: Code = Field(examples=["bungo"])
    name: Name = Field(examples=["Kabupaten Bungo"])
    kind: RegionKind
    timezone: TimeZone


class RegionUpdate(PatchModel):
    name: Name | None = None
    kind: RegionKind | None = None
    timezone: TimeZone | None = None
    active: bool | None = None


class RegionOut(OutputModel):
    id: uuid.UUID
    code: str
    name: str
    kind: RegionKind
    timezone: str
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime
