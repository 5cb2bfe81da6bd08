import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from fastapi import Query
from pydantic import Field, StringConstraints

from kinerja_api.core.schemas import InputModel, OutputModel, PatchModel, UpdatedSince
from kinerja_api.evaluations.results.schemas import CycleEvidenceOut
from kinerja_api.models.common import described
from kinerja_api.models.evaluations import Predicate, RatingLevel, RatingStatus
from kinerja_api.plans.api import Percent

Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]

_HASIL_KERJA = (
    "Hasil kerja: the plan's results against expectation. `above` is refused while any `utama` "
    "target is below its expectation."
)
_PERILAKU = "Perilaku kerja (BerAKHLAK): behaviour against expectation, with the 360° evidence."


class RatingCreate(InputModel):
    """The pejabat penilai's rating of an approved plan: one per employee and period."""

    plan_id: uuid.UUID = Field(description="The approved plan (SKP) rated; the caller approved it.")
    hasil_kerja: RatingLevel = Field(description=_HASIL_KERJA, examples=["meets"])
    perilaku: RatingLevel = Field(description=_PERILAKU, examples=["above"])
    note: Note | None = Field(
        None, examples=["Target utama tercapai; kolaborasi lintas bidang sangat baik."]
    )


class RatingUpdate(PatchModel):
    """Change a draft rating; the predikat is read again from the matrix. `note: null` clears
    the note."""

    nullable_fields = frozenset({"note"})

    hasil_kerja: RatingLevel | None = Field(None, description=_HASIL_KERJA, examples=["above"])
    perilaku: RatingLevel | None = Field(None, description=_PERILAKU, examples=["meets"])
    note: Note | None = Field(None, examples=["Capaian triwulan IV melampaui target."])


class RatingOut(OutputModel):
    """A rating and its predikat kinerja, which only the regulation's matrix gives."""

    id: uuid.UUID
    region_id: uuid.UUID
    period_id: uuid.UUID
    plan_id: uuid.UUID
    employee_id: uuid.UUID = Field(description="The rated employee.")
    agency_id: uuid.UUID = Field(description="The plan's agency, whose calibration locks it.")
    rater_id: uuid.UUID = Field(description="The pejabat penilai: the approver of the plan.")
    hasil_kerja: RatingLevel
    hasil_kerja_suggestion: RatingLevel = Field(
        description="Suggested from the plan's achievement when the rating was last written."
    )
    perilaku: RatingLevel
    predicate: Predicate
    note: str | None
    status: RatingStatus
    locked_at: datetime | None = Field(
        description="When the agency's ratings were locked; objections count from its day."
    )
    created_at: datetime
    updated_at: datetime
    version: int


class TargetEvidenceOut(OutputModel):
    target_id: uuid.UUID
    kind: str = Field(description="`utama` (main) or `tambahan` (additional).")
    title: str
    percent: Percent
    below_expectation: bool = Field(description="Achievement under 100 %.")


class AchievementEvidenceOut(OutputModel):
    """The plan's achievement as it stands now, and the hasil kerja it suggests: `above` from
    110 %, `below` under 90 %, `meets` between, never `above` while a `utama` target is below
    expectation."""

    percent: Percent
    suggestion: RatingLevel
    utama_below_expectation: bool
    above_allowed: bool = Field(description="Whether `above` may be recorded for hasil kerja.")
    targets: list[TargetEvidenceOut]


class RatingDetailOut(RatingOut):
    achievement: AchievementEvidenceOut = Field(
        description="The evidence for hasil kerja: the plan's achievement as it stands."
    )
    perilaku_evidence: list[CycleEvidenceOut] = Field(
        description="The evidence for perilaku: the employee's 360° results in the period's "
        "launched and closed cycles (peers and subordinates only as aggregates of a closed "
        "cycle that meet its anonymity threshold)."
    )


@described(
    {
        "updated_at": "diubah paling lama — least recently changed first (for sync)",
        "-updated_at": "diubah terbaru — most recently changed first",
        "created_at": "dibuat paling lama — oldest first",
    }
)
class RatingSort(StrEnum):
    """`updated_at`: least recently changed first (for syncing); `-updated_at`: most recently
    changed first; `created_at`: oldest first."""

    UPDATED_AT = "updated_at"
    UPDATED_AT_DESC = "-updated_at"
    CREATED_AT = "created_at"


@dataclass(frozen=True, slots=True)
class RatingFilters:
    period_id: uuid.UUID | None = None
    predicate: Predicate | None = None
    status: RatingStatus | None = None
    employee_id: uuid.UUID | None = None
    rater_id: Annotated[
        uuid.UUID | None, Query(description="Ratings given by this pejabat penilai.")
    ] = None
    under: Annotated[
        uuid.UUID | None,
        Query(description="Ratings of plans of this agency's subtree, the agency included."),
    ] = None
    updated_since: UpdatedSince = None
