import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from fastapi import Query
from pydantic import Field

from kinerja_api.core.schemas import DecimalString, OutputModel
from kinerja_api.evaluations.results.anonymity import Withheld
from kinerja_api.feedback.api import IkmGrade
from kinerja_api.models.common import described
from kinerja_api.models.evaluations import CoreValue, Predicate, RaterRelation, RatingStatus

Mean = Annotated[DecimalString, Field(description="Mean score on the 1-5 scale, to two decimals.")]


@dataclass(frozen=True, slots=True)
class ResultFilters:
    under: Annotated[
        uuid.UUID | None,
        Query(description="Ratees of this agency's subtree, the agency included."),
    ] = None
    employee_id: Annotated[uuid.UUID | None, Query(description="Only this ratee.")] = None


class ResultValueOut(OutputModel):
    """A core value's mean score."""

    value: CoreValue
    mean: Mean


class _GroupFields(OutputModel):
    relation: RaterRelation
    anonymous: bool = Field(
        description="Peers and subordinates are anonymous: shown only as aggregates of at least "
        "the cycle's anonymity threshold of raters, once the cycle is closed."
    )
    withheld: Withheld | None = Field(
        description="Why the group is not shown (then `responses` and `mean` are null and "
        "`means` is empty); null when it is shown."
    )
    responses: int | None = Field(
        description="How many raters of the group answered; null when withheld."
    )
    mean: Mean | None = Field(
        description="Mean over every answer of the group; null when withheld or empty."
    )
    means: dict[CoreValue, Mean] = Field(
        description="The group's mean score per core value answered, in the instrument's "
        "order; empty when withheld.",
        examples=[{"berorientasi_pelayanan": "4.33", "akuntabel": "3.67"}],
    )


class ResultGroupOut(_GroupFields):
    """One rater group of a ratee: self and supervisor as such, peers and subordinates only as
    aggregates."""


class ResultGroupDetailOut(_GroupFields):
    """One rater group of a ratee, with the comments it may show."""

    comments: dict[CoreValue, list[str]] = Field(
        description="The group's comments per core value, sorted by their text (never in the "
        "order they were given); anonymous groups have them only when the group is shown.",
        examples=[{"akuntabel": ["Selalu tepat waktu", "Teliti dalam laporan"]}],
    )


class RateeResultOut(OutputModel):
    """A ratee's 360° result in a cycle, per rater group taking part in it."""

    employee_id: uuid.UUID
    name: str
    nip: str
    agency_id: uuid.UUID
    groups: list[ResultGroupOut]


class CycleEvidenceOut(OutputModel):
    """The rated employee's 360° result in one cycle of the rating's period, as evidence for
    the perilaku rating, under the same anonymity rules as the results themselves."""

    cycle_id: uuid.UUID
    name: str
    cycle_closed: bool
    groups: list[ResultGroupOut]


class IkmElementOut(OutputModel):
    element: str = Field(examples=["kompetensi"])
    nrr: DecimalString = Field(description="The element's average score (1-4), to 3 decimals.")


class CitizenSatisfactionOut(OutputModel):
    """Citizens' satisfaction (IKM, PermenPANRB 14/2017) with the employee as the staff who
    served them, in the cycle's quarter or year: not a rater group, shown beside them."""

    respondents: int = Field(description="Questionnaires naming the employee; at least 5.")
    ikm: DecimalString = Field(description="The IKM, 25.00-100.00.")
    grade: IkmGrade
    label: str = Field(examples=["Sangat Baik"])
    elements: list[IkmElementOut]
    starts_at: datetime
    ends_at: datetime


class RateeResultDetailOut(OutputModel):
    """One ratee's 360° result with the comments each shown group may show, and the citizens'
    satisfaction beside it (null under 5 questionnaires in the cycle's period)."""

    cycle_id: uuid.UUID
    employee_id: uuid.UUID
    name: str
    nip: str
    agency_id: uuid.UUID
    anonymity_threshold: int
    cycle_closed: bool
    groups: list[ResultGroupDetailOut]
    citizens: CitizenSatisfactionOut | None


# --- follow-up -------------------------------------------------------------------------------


@described(
    {
        "award_candidate": "calon penerima penghargaan — Sangat Baik",
        "development_plan": "rencana pengembangan — Butuh Perbaikan, Kurang or Sangat Kurang",
        "none": "tidak ada — Baik",
    }
)
class FollowUpKind(StrEnum):
    AWARD_CANDIDATE = "award_candidate"
    DEVELOPMENT_PLAN = "development_plan"
    NONE = "none"


@described(
    {
        "piagam": "piagam penghargaan — certificate of appreciation",
        "tunjangan_kinerja": "tunjangan kinerja — performance allowance",
        "promotion_consideration": "pertimbangan promosi — considered for promotion",
    }
)
class FollowUpAward(StrEnum):
    PIAGAM = "piagam"
    TUNJANGAN_KINERJA = "tunjangan_kinerja"
    PROMOTION_CONSIDERATION = "promotion_consideration"


@dataclass(frozen=True, slots=True)
class FollowUpFilters:
    cycle_id: Annotated[
        uuid.UUID | None,
        Query(
            description="The ratings of this cycle's period (and agency subtree), with the "
            "cycle's weakest values as a hint. Give `cycle_id` or `period_id`."
        ),
    ] = None
    period_id: Annotated[uuid.UUID | None, Query(description="The ratings of this period.")] = None
    under: Annotated[
        uuid.UUID | None,
        Query(description="Ratings of this agency's subtree, the agency included."),
    ] = None
    predicate: Annotated[Predicate | None, Query(description="Only this predikat.")] = None


class FollowUpOut(OutputModel):
    """A rated employee and what follows from their predikat (tindak lanjut)."""

    rating_id: uuid.UUID
    employee_id: uuid.UUID
    name: str
    nip: str
    agency_id: uuid.UUID
    period_id: uuid.UUID
    predicate: Predicate
    rating_status: RatingStatus
    kind: FollowUpKind = Field(description="What follows from the predikat.")
    awards: list[FollowUpAward] = Field(
        description="For award candidates (Sangat Baik); else empty."
    )
    development_plan_required: bool
    development_plan_id: uuid.UUID | None = Field(
        description="The development plan recorded for the rating, if any."
    )
    weak_values: list[ResultValueOut] | None = Field(
        description="With `cycle_id`, where a development plan is required: the lowest-scoring "
        "core values of the cycle's shown rater groups (withheld groups count for nothing), "
        "lowest first; else null."
    )
