import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, ClassVar

from fastapi import Query
from pydantic import Field

from kinerja_api.core.schemas import (
    ClientText,
    Code,
    InputModel,
    Name,
    OutputModel,
    PatchModel,
    UpdatedSince,
)
from kinerja_api.models.common import described
from kinerja_api.models.org import AgencyKind


@described(
    {
        "name": "nama — by name",
        "code": "kode — by code",
        "updated_at": "diubah paling lama — least recently changed first (for sync)",
    }
)
class AgencySort(StrEnum):
    NAME = "name"
    CODE = "code"
    UPDATED_AT = "updated_at"


@dataclass(frozen=True, slots=True)
class AgencyFilters:
    """The list's filters, read from the query string."""

    parent_id: Annotated[uuid.UUID | None, Query(description="Direct children of this agency.")] = (
        None
    )
    under: Annotated[
        uuid.UUID | None,
        Query(description="The whole subtree of this agency, the agency itself included."),
    ] = None
    kind: AgencyKind | None = None
    active: bool | None = None
    q: Annotated[
        ClientText | None,
        Query(
            min_length=1,
            max_length=200,
            description="Name contains (case-insensitive).",
        ),
    ] = None
    updated_since: UpdatedSince = None


class AgencyCreate(InputModel):
    parent_id: uuid.UUID | None = Field(
        default=None,
        description="The parent agency, in the caller's region; omit for a root agency "
        "(region administrators and service accounts only).",
    )
    code: Code = Field(examples=["dinas-pendidikan"])
    name: Name = Field(examples=["Dinas Pendidikan"])
    kind: AgencyKind


class AgencyUpdate(PatchModel):
    nullable_fields: ClassVar[frozenset[str]] = frozenset({"parent_id"})

    parent_id: uuid.UUID | None = Field(
        default=None,
        description="Move the agency (and its whole subtree) under another agency; `null` "
        "makes it a root. It cannot be moved under itself or its own descendants.",
    )
    code: Code | None = None
    name: Name | None = None
    kind: AgencyKind | None = None
    active: bool | None = Field(
        default=None, description="`false` deactivates the agency; agencies are never deleted."
    )


class AgencyOut(OutputModel):
    id: uuid.UUID
    region_id: uuid.UUID
    parent_id: uuid.UUID | None
    code: str
    name: str
    kind: AgencyKind
    path: str = Field(
        description="Ids from the region's root agency down to this one, e.g. `/<root>/<id>/`."
    )
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime
