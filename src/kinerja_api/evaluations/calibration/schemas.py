import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from fastapi import Query
from pydantic import Field

from kinerja_api.core.schemas import (
    DecimalString,
    InputModel,
    OutputModel,
    PatchModel,
    UpdatedSince,
)
from kinerja_api.models.common import described
from kinerja_api.models.evaluations import AgencyRatingStatus, OrganisationPredicate, Predicate

Share = Annotated[
    DecimalString, Field(description="Share of the agency's rated employees, 0-1, four decimals.")
]


class AgencyRatingCreate(InputModel):
    """An agency's organisation predikat for a period, which bounds the spread of its
    employees' predikat. It covers the agency's whole subtree, so no agency above or below it
    may have one for the same period."""

    agency_id: uuid.UUID
    period_id: uuid.UUID
    predicate: OrganisationPredicate = Field(examples=["baik"])


class AgencyRatingUpdate(PatchModel):
    """Change the organisation predikat while the agency's ratings are not locked."""

    predicate: OrganisationPredicate | None = Field(None, examples=["istimewa"])


class AgencyRatingOut(OutputModel):
    """An agency's organisation predikat (predikat kinerja organisasi) for a period, and the
    lock of its employees' ratings."""

    id: uuid.UUID
    region_id: uuid.UUID
    agency_id: uuid.UUID = Field(description="The agency; its whole subtree is calibrated.")
    period_id: uuid.UUID
    predicate: OrganisationPredicate
    curve_version: str = Field(
        description="The distribution curves checked against (fixed, versioned data).",
        examples=["permenpanrb-6-2022"],
    )
    status: AgencyRatingStatus
    locked_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int


class PredicateCountOut(OutputModel):
    predicate: Predicate
    count: int
    share: Share


class BandOut(OutputModel):
    """A band of the curve (one or more employee predikat) with the agency's figures in it."""

    band: str = Field(description="The band's predikat joined by `+`.", examples=["baik"])
    predicates: list[Predicate]
    count: int
    share: Share
    at_most: DecimalString | None = Field(description="Largest share allowed, 0-1.")
    at_least: DecimalString | None = Field(description="Smallest share required, 0-1.")
    at_least_count: int | None = Field(description="Fewest employees required.")
    fits: bool


class DistributionOut(OutputModel):
    """The predikat of the agency's rated employees (its subtree's, for the period) beside the
    curve of its organisation predikat."""

    rated: int = Field(description="Ratings counted, drafts and locked alike.")
    predicates: list[PredicateCountOut]
    bands: list[BandOut]
    fits: bool = Field(description="Whether the agency's ratings may be locked as they are.")


class AgencyRatingDetailOut(AgencyRatingOut):
    distribution: DistributionOut


@described(
    {
        "updated_at": "diubah paling lama — least recently changed first (for sync)",
        "-updated_at": "diubah terbaru — most recently changed first",
        "created_at": "dibuat paling lama — oldest first",
    }
)
class AgencyRatingSort(StrEnum):
    """`updated_at`: least recently changed first (for syncing); `-updated_at`: most recently
    changed first; `created_at`: oldest first."""

    UPDATED_AT = "updated_at"
    UPDATED_AT_DESC = "-updated_at"
    CREATED_AT = "created_at"


@dataclass(frozen=True, slots=True)
class AgencyRatingFilters:
    period_id: uuid.UUID | None = None
    agency_id: Annotated[uuid.UUID | None, Query(description="Only this very agency.")] = None
    predicate: OrganisationPredicate | None = None
    status: AgencyRatingStatus | None = None
    under: Annotated[
        uuid.UUID | None,
        Query(description="Organisation predikat of this agency's subtree, the agency included."),
    ] = None
    updated_since: UpdatedSince = None
