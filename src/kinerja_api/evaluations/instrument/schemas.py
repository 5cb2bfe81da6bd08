import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from kinerja_api.core.schemas import InputModel, OutputModel, PatchModel
from kinerja_api.models.evaluations import CoreValue

StatementText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)
]


class StatementOut(OutputModel):
    """A behaviour statement (panduan perilaku): the regulation's (`region_id` null, fixed) or
    one the region added."""

    id: uuid.UUID
    region_id: uuid.UUID | None = Field(
        description="Null for the regulation's statements, which no region may change."
    )
    value: CoreValue
    text_id: str = Field(description="The statement in Indonesian.")
    text_en: str = Field(description="The statement in English.")
    position: int
    updated_at: datetime
    version: int


class InstrumentValueOut(OutputModel):
    """A BerAKHLAK core value with its behaviour statements, Indonesian label first."""

    value: CoreValue
    label_id: str = Field(examples=["Berorientasi Pelayanan"])
    label_en: str = Field(examples=["Service oriented"])
    statements: list[StatementOut]


class InstrumentOut(OutputModel):
    """What a rater answers: each core value on a scale of 1 to 5, with an optional comment."""

    scale_min: int = Field(1, description="The lowest answer: sangat kurang — very poor.")
    scale_max: int = Field(5, description="The highest answer: sangat baik — excellent.")
    values: list[InstrumentValueOut]


class StatementCreate(InputModel):
    value: CoreValue
    text_id: StatementText = Field(
        examples=["Menanggapi pengaduan warga paling lambat satu hari kerja"]
    )
    text_en: StatementText = Field(examples=["Answers citizens' complaints within one working day"])


class StatementUpdate(PatchModel):
    text_id: StatementText | None = Field(
        None, examples=["Menanggapi pengaduan warga pada hari yang sama"]
    )
    text_en: StatementText | None = Field(None, examples=["Answers complaints the same day"])
