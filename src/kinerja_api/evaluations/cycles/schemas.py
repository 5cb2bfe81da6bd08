import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, ClassVar

from fastapi import Query
from pydantic import Field, model_validator

from kinerja_api.core.schemas import (
    JSON_INTEGER,
    InputModel,
    Name,
    OutputModel,
    PatchModel,
    UpdatedSince,
)
from kinerja_api.models.common import described
from kinerja_api.models.evaluations import CycleStatus

Quarter = Annotated[
    int,
    Field(ge=1, le=4, description="Triwulan I-IV; null for the whole year.", examples=[2]),
    JSON_INTEGER,
]
PeersPerEmployee = Annotated[
    int,
    Field(
        ge=0,
        le=20,
        description="How many peers rate each employee, at most: colleagues of the same agency "
        "with the same direct supervisor, picked the same way every time.",
        examples=[3],
    ),
    JSON_INTEGER,
]
AnonymityThreshold = Annotated[
    int,
    Field(
        ge=3,
        le=50,
        description="Peer and subordinate results are shown only as aggregates over at least "
        "this many responses; a smaller group is withheld.",
        examples=[3],
    ),
    JSON_INTEGER,
]
_OPENS = "The first day answers are taken, a day in the region's time zone."
_CLOSES = "The last day answers are taken (inclusive), a day in the region's time zone."


class CycleCreate(InputModel):
    """A 360° round: for the whole region, or an agency subtree (`agency_id`); for a period's
    year or one of its quarters. Its dates must lie in the period's year."""

    period_id: uuid.UUID
    quarter: Quarter | None = None
    agency_id: uuid.UUID | None = Field(
        None,
        description="The root of the agency subtree whose employees are rated; omitted, the "
        "whole region (an agency administrator's own agency).",
    )
    name: Name = Field(examples=["Evaluasi 360° Triwulan II 2026"])
    include_self: bool = Field(True, description="Each employee rates themselves.")
    include_supervisor: bool = Field(True, description="The atasan langsung rates them.")
    include_peers: bool = Field(True, description="Peers rate them, anonymously.")
    include_subordinates: bool = Field(
        True, description="Their direct subordinates rate them, anonymously."
    )
    peers_per_employee: PeersPerEmployee = 3
    anonymity_threshold: AnonymityThreshold = 3
    opens_on: date = Field(description=_OPENS, examples=["2026-06-01"])
    closes_on: date = Field(description=_CLOSES, examples=["2026-06-30"])

    @model_validator(mode="after")
    def _consistent(self) -> "CycleCreate":
        check_cycle_fields(
            self.opens_on,
            self.closes_on,
            (
                self.include_self,
                self.include_supervisor,
                self.include_peers,
                self.include_subordinates,
            ),
        )
        return self


def check_cycle_fields(opens_on: date, closes_on: date, groups: tuple[bool, ...]) -> None:
    if closes_on < opens_on:
        raise ValueError("closes_on must not be before opens_on")
    if not any(groups):
        raise ValueError("include at least one rater group")


class CycleUpdate(PatchModel):
    """Changes to a cycle still in draft; once launched, its assignments are fixed."""

    nullable_fields: ClassVar[frozenset[str]] = frozenset({"quarter"})

    name: Name | None = Field(None, examples=["Evaluasi 360° Semester I 2026"])
    quarter: Quarter | None = None
    include_self: bool | None = None
    include_supervisor: bool | None = None
    include_peers: bool | None = None
    include_subordinates: bool | None = None
    peers_per_employee: PeersPerEmployee | None = None
    anonymity_threshold: AnonymityThreshold | None = None
    opens_on: date | None = Field(None, description=_OPENS, examples=["2026-06-08"])
    closes_on: date | None = Field(None, description=_CLOSES, examples=["2026-07-10"])


class CycleOut(OutputModel):
    id: uuid.UUID
    region_id: uuid.UUID
    period_id: uuid.UUID
    quarter: int | None = Field(description="Triwulan I-IV; null for the whole year.")
    agency_id: uuid.UUID | None = Field(
        description="The root of the agency subtree rated; null for the whole region."
    )
    name: str
    include_self: bool
    include_supervisor: bool
    include_peers: bool
    include_subordinates: bool
    peers_per_employee: int
    anonymity_threshold: int
    opens_on: date = Field(description=_OPENS)
    closes_on: date = Field(description=_CLOSES)
    timezone: str = Field(
        description="The region's IANA time zone the dates are days of.", examples=["Asia/Jakarta"]
    )
    status: CycleStatus
    launched_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int


class AddEmployeeIn(InputModel):
    """An employee who joined after the launch, to be rated and to rate in the cycle."""

    employee_id: uuid.UUID = Field(examples=["3f0c9a4e-2b7d-4c1a-9e85-6d2f1b0a7c34"])


class AssignmentsAddedOut(OutputModel):
    cycle_id: uuid.UUID
    employee_id: uuid.UUID
    added: int = Field(
        description="Assignments created for the employee, as ratee and as rater; 0 when "
        "they were already in the cycle."
    )


@described(
    {
        "opens_on": "the latest opening day first",
        "updated_at": "the least recently changed first",
    }
)
class CycleSort(StrEnum):
    OPENS_ON = "opens_on"
    UPDATED_AT = "updated_at"


@dataclass(frozen=True, slots=True)
class CycleFilters:
    status: CycleStatus | None = None
    period_id: uuid.UUID | None = None
    under: Annotated[
        uuid.UUID | None,
        Query(description="Only cycles whose agency subtree lies under this agency."),
    ] = None
    updated_since: UpdatedSince = None
