import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import Field, StringConstraints

from kinerja_api.core.schemas import (
    JSON_INTEGER,
    InputModel,
    Name,
    OutputModel,
    PatchModel,
    UpdatedSince,
)
from kinerja_api.models.common import described
from kinerja_api.models.training import CompetencyArea, ProgramKind

Description = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)
]
Jp = Annotated[
    int,
    Field(
        ge=1,
        le=1000,
        description="Jam pelajaran credited to each participant who completes the program.",
        examples=[24],
    ),
    JSON_INTEGER,
]


class ProgramCreate(InputModel):
    """A program of the region's catalog."""

    name: Name = Field(examples=["Manajemen Waktu dan Produktivitas"])
    kind: ProgramKind = Field(examples=["pelatihan_klasikal"])
    competency_area: CompetencyArea = Field(examples=["manajerial"])
    provider: Name = Field(examples=["BKPSDM Kabupaten Bungo"])
    jp: Jp
    description: Description | None = Field(
        None, examples=["Merencanakan pekerjaan harian dan mingguan, menetapkan prioritas."]
    )
    active: bool = Field(True, description="Offered: new sessions may be scheduled.")


class ProgramUpdate(PatchModel):
    """Changes to a program. JP already credited stay as they were."""

    nullable_fields: ClassVar[frozenset[str]] = frozenset({"description"})

    name: Name | None = Field(None, examples=["Manajemen Waktu"])
    kind: ProgramKind | None = None
    competency_area: CompetencyArea | None = None
    provider: Name | None = None
    jp: Jp | None = None
    description: Description | None = None
    active: bool | None = Field(None, examples=[False])


class ProgramOut(OutputModel):
    id: uuid.UUID
    region_id: uuid.UUID
    name: str
    kind: ProgramKind
    competency_area: CompetencyArea
    provider: str
    jp: int = Field(description="Jam pelajaran credited on completion.")
    description: str | None
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int


@described({"name": "by name", "updated_at": "the least recently changed first"})
class ProgramSort(StrEnum):
    NAME = "name"
    UPDATED_AT = "updated_at"


@dataclass(frozen=True, slots=True)
class ProgramFilters:
    kind: ProgramKind | None = None
    competency_area: CompetencyArea | None = None
    active: bool | None = None
    updated_since: UpdatedSince = None
