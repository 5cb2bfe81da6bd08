import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator, Field, StringConstraints

from kinerja_api.core.schemas import InputModel, OutputModel, PatchModel, UpdatedSince
from kinerja_api.models.evaluations import CoreValue

Actions = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=4000)]


def _distinct(values: list[CoreValue]) -> list[CoreValue]:
    if len(set(values)) != len(values):
        raise ValueError("each core value may be named once")
    return values


WeakValues = Annotated[
    list[CoreValue],
    Field(
        min_length=1,
        max_length=len(CoreValue),
        json_schema_extra={"uniqueItems": True},
        description="The weak BerAKHLAK core values the plan addresses, each once.",
        examples=[["akuntabel", "kolaboratif"]],
    ),
    AfterValidator(_distinct),
]


class DevelopmentPlanCreate(InputModel):
    rating_id: uuid.UUID = Field(
        description="The rating (Butuh Perbaikan, Kurang or Sangat Kurang) the plan follows; "
        "the caller must be its rater."
    )
    values: WeakValues
    actions: Actions = Field(
        description="What will be done (training, mentoring, assignments) and by whom.",
        examples=["Mengikuti pelatihan pelayanan publik dan pendampingan oleh atasan tiap bulan"],
    )
    due_on: date = Field(description="When the plan should be completed.", examples=["2027-06-30"])


class DevelopmentPlanUpdate(PatchModel):
    values: WeakValues | None = None
    actions: Actions | None = Field(
        None, examples=["Pendampingan mingguan oleh atasan langsung selama triwulan I"]
    )
    due_on: date | None = Field(None, examples=["2027-09-30"])


class DevelopmentPlanOut(OutputModel):
    """A rencana pengembangan: the weak core values it addresses and what will be done, recorded
    by the supervisor for a rating below Baik."""

    id: uuid.UUID
    region_id: uuid.UUID
    rating_id: uuid.UUID
    employee_id: uuid.UUID
    author_id: uuid.UUID = Field(description="The supervisor who recorded it.")
    values: list[CoreValue]
    actions: str
    due_on: date | None
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class DevelopmentPlanFilters:
    employee_id: Annotated[uuid.UUID | None, Query(description="Plans of this employee.")] = None
    rating_id: Annotated[uuid.UUID | None, Query(description="The plan of this rating.")] = None
    period_id: Annotated[
        uuid.UUID | None, Query(description="Plans following this period's ratings.")
    ] = None
    under: Annotated[
        uuid.UUID | None,
        Query(
            description="Plans of employees rated in this agency's subtree, the agency included."
        ),
    ] = None
    updated_since: UpdatedSince = None
