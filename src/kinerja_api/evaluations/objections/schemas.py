import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from fastapi import Query
from pydantic import Field, StringConstraints, model_validator

from kinerja_api.core.schemas import InputModel, OutputModel, UpdatedSince
from kinerja_api.models.common import described
from kinerja_api.models.evaluations import ObjectionStatus, Predicate, RatingLevel

Reasons = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=4000)]


class ObjectionCreate(InputModel):
    """The rated employee's objection (keberatan) to their locked rating, within the days the
    region allows after the lock (14 by default), counted in the region's calendar."""

    rating_id: uuid.UUID
    reasons: Reasons = Field(
        examples=["Capaian target utama 2 sudah 100% menurut laporan yang diverifikasi."]
    )


@described(
    {
        "upheld": "ditolak — the rating stands",
        "changed": "dikabulkan — the rating is changed as given",
    }
)
class ObjectionOutcome(StrEnum):
    UPHELD = "upheld"
    CHANGED = "changed"


class ObjectionDecision(InputModel):
    """The decider's answer: `upheld` keeps the rating; `changed` sets the levels given (at
    least one) and the predikat is read again from the matrix."""

    outcome: ObjectionOutcome = Field(examples=["changed"])
    hasil_kerja: RatingLevel | None = Field(None, examples=["meets"])
    perilaku: RatingLevel | None = Field(None, examples=["above"])
    reasons: Reasons = Field(examples=["Bukti dukung target utama 2 diterima."])

    @model_validator(mode="after")
    def _levels_follow_the_outcome(self) -> "ObjectionDecision":
        levels = (self.hasil_kerja, self.perilaku)
        if self.outcome == ObjectionOutcome.CHANGED and levels == (None, None):
            raise ValueError("a changed rating names hasil_kerja, perilaku or both")
        if self.outcome == ObjectionOutcome.UPHELD and levels != (None, None):
            raise ValueError("an upheld rating takes no hasil_kerja or perilaku")
        return self


class ObjectionOut(OutputModel):
    id: uuid.UUID
    region_id: uuid.UUID
    rating_id: uuid.UUID
    employee_id: uuid.UUID = Field(description="The rated employee, who objects.")
    decider_id: uuid.UUID = Field(
        description="Who decides: the rater's own supervisor when the objection was filed."
    )
    reasons: str
    status: ObjectionStatus
    decision_reasons: str | None
    previous_predicate: Predicate = Field(description="The rating's predikat when filed.")
    decided_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int


@described(
    {
        "updated_at": "diubah paling lama — least recently changed first (for sync)",
        "-updated_at": "diubah terbaru — most recently changed first",
        "created_at": "diajukan paling lama — oldest first (a worklist)",
    }
)
class ObjectionSort(StrEnum):
    """`updated_at`: least recently changed first (for syncing); `-updated_at`: most recently
    changed first; `created_at`: oldest first."""

    UPDATED_AT = "updated_at"
    UPDATED_AT_DESC = "-updated_at"
    CREATED_AT = "created_at"


@dataclass(frozen=True, slots=True)
class ObjectionFilters:
    status: ObjectionStatus | None = None
    rating_id: uuid.UUID | None = None
    employee_id: uuid.UUID | None = None
    decider_id: Annotated[
        uuid.UUID | None, Query(description="Objections this employee decides.")
    ] = None
    updated_since: UpdatedSince = None
