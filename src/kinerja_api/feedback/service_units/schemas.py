import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, ClassVar

from fastapi import Query
from pydantic import AfterValidator, Field, StringConstraints

from kinerja_api.core.schemas import (
    ClientText,
    InputModel,
    Name,
    OutputModel,
    PatchModel,
    UpdatedSince,
    refuse_unstorable,
)
from kinerja_api.feedback.codes import PUBLIC_CODE_PATTERN
from kinerja_api.models.common import described

Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
StaffLabel = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    Field(
        description="What citizens see instead of a name, e.g. `Petugas Loket 2`.",
        examples=["Petugas Loket 2"],
    ),
]
PublicCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=PUBLIC_CODE_PATTERN),
    AfterValidator(refuse_unstorable),
    Field(
        description="A code printed on a poster or QR code; case, spaces and hyphens do not "
        "matter.",
        examples=["7K3Q-X9MP"],
    ),
]


@described(
    {
        "name": "nama — by name",
        "updated_at": "diubah paling lama — least recently changed first (for sync)",
    }
)
class ServiceUnitSort(StrEnum):
    NAME = "name"
    UPDATED_AT = "updated_at"


@dataclass(frozen=True, slots=True)
class ServiceUnitFilters:
    agency_id: Annotated[
        uuid.UUID | None, Query(description="Units of this agency (not its subtree).")
    ] = None
    active: bool | None = None
    q: Annotated[
        ClientText | None,
        Query(min_length=1, max_length=200, description="Name contains."),
    ] = None
    updated_since: UpdatedSince = None


class ServiceUnitCreate(InputModel):
    agency_id: uuid.UUID
    name: Name = Field(examples=["Mal Pelayanan Publik - Loket Kependudukan"])
    address: Address | None = None


class ServiceUnitUpdate(PatchModel):
    nullable_fields: ClassVar[frozenset[str]] = frozenset({"address"})

    agency_id: uuid.UUID | None = None
    name: Name | None = None
    address: Address | None = None
    active: bool | None = Field(
        default=None, description="`false` stops the public code from accepting feedback."
    )


class ServiceUnitOut(OutputModel):
    id: uuid.UUID
    region_id: uuid.UUID
    agency_id: uuid.UUID
    code: str = Field(description="The public code, unique across all regions.")
    name: str
    address: str | None
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class StaffCreate(InputModel):
    employee_id: uuid.UUID
    label: StaffLabel


class StaffOut(OutputModel):
    id: uuid.UUID
    service_unit_id: uuid.UUID
    employee_id: uuid.UUID
    code: str = Field(description="The staff member's public code at this unit.")
    label: str
    active: bool
    created_at: datetime


class PublicStaffOut(OutputModel):
    code: str
    label: str


class PublicServiceUnitOut(OutputModel):
    """What a survey or complaint form needs to show; never a NIP or a name of a person."""

    code: str
    name: str
    agency_name: str
    address: str | None
    staff: list[PublicStaffOut]
