import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, ClassVar

from fastapi import Query
from pydantic import AfterValidator, EmailStr, Field, StringConstraints

from kinerja_api.core.csv_export import CsvColumns
from kinerja_api.core.schemas import (
    ClientText,
    InputModel,
    Name,
    OutputModel,
    PatchModel,
    UpdatedSince,
    refuse_unstorable,
)
from kinerja_api.models.common import described
from kinerja_api.models.org import EmploymentType

MAX_SUBORDINATE_DEPTH = 10

Nip = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{18}$"),
    Field(
        examples=["198503142010011001"],
        description="18 digits. For `pns`: birth date YYYYMMDD, appointment month YYYYMM, "
        "sex digit (1/2) and a 3-digit serial; for `pppk` only the shape is checked.",
    ),
]
Grade = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=20),
    Field(examples=["III/a", "IX"], description="Pangkat/golongan (PNS) or grade (PPPK)."),
]
Email = Annotated[EmailStr, StringConstraints(max_length=254)]
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(refuse_unstorable),
]
TitlePrefix = Annotated[
    Title,
    Field(examples=["Dr.", "Ir."], description="Gelar depan: academic titles before the name."),
]
TitleSuffix = Annotated[
    Title,
    Field(examples=["S.Pd., M.Si."], description="Gelar belakang: academic titles after the name."),
]
# Nobody serving today took their golongan or jabatan before 1950.
EARLIEST_SINCE = date(1950, 1, 1)
GradeSince = Annotated[
    date,
    Field(ge=EARLIEST_SINCE, description="TMT golongan: since when the employee holds `grade`."),
]
PositionSince = Annotated[
    date,
    Field(ge=EARLIEST_SINCE, description="TMT jabatan: since when the employee holds `position`."),
]


@described(
    {
        "name": "nama — by name",
        "updated_at": "diubah paling lama — least recently changed first (for sync)",
    }
)
class EmployeeSort(StrEnum):
    NAME = "name"
    UPDATED_AT = "updated_at"


@dataclass(frozen=True, slots=True)
class EmployeeFilters:
    """The list's filters, read from the query string."""

    agency_id: Annotated[uuid.UUID | None, Query(description="Employees of this agency.")] = None
    under: Annotated[
        uuid.UUID | None,
        Query(description="Employees anywhere in this agency's subtree, the agency included."),
    ] = None
    supervisor_id: Annotated[
        uuid.UUID | None, Query(description="Direct reports of this employee.")
    ] = None
    employment_type: EmploymentType | None = None
    active: bool | None = None
    q: Annotated[
        ClientText | None,
        Query(
            min_length=1,
            max_length=200,
            description="Name contains (case-insensitive), or NIP starts with.",
        ),
    ] = None
    updated_since: UpdatedSince = None


class EmployeeCreate(InputModel):
    nip: Nip
    employment_type: EmploymentType
    name: Name = Field(examples=["Siti Rahmawati"])
    title_prefix: TitlePrefix | None = None
    title_suffix: TitleSuffix | None = None
    position: Name = Field(description="Jabatan.", examples=["Analis Kepegawaian"])
    position_since: PositionSince | None = None
    grade: Grade | None = None
    grade_since: GradeSince | None = None
    email: Email | None = None
    agency_id: uuid.UUID
    supervisor_id: uuid.UUID | None = Field(
        default=None, description="Direct supervisor (atasan langsung), in the same region."
    )


class EmployeeUpdate(PatchModel):
    """`nip` and `employment_type` are fixed once an employee exists."""

    nullable_fields: ClassVar[frozenset[str]] = frozenset(
        {
            "title_prefix",
            "title_suffix",
            "position_since",
            "grade",
            "grade_since",
            "email",
            "supervisor_id",
        }
    )

    name: Name | None = None
    title_prefix: TitlePrefix | None = None
    title_suffix: TitleSuffix | None = None
    position: Name | None = None
    position_since: PositionSince | None = None
    grade: Grade | None = None
    grade_since: GradeSince | None = None
    email: Email | None = None
    agency_id: uuid.UUID | None = None
    supervisor_id: uuid.UUID | None = Field(
        default=None,
        description="Direct supervisor; `null` clears it. Neither the employee nor any of their "
        "subordinates can become their supervisor.",
    )
    active: bool | None = None


class EmployeeOut(OutputModel):
    id: uuid.UUID
    region_id: uuid.UUID
    agency_id: uuid.UUID
    supervisor_id: uuid.UUID | None
    nip: str
    employment_type: EmploymentType
    name: str
    title_prefix: str | None
    title_suffix: str | None
    position: str
    position_since: date | None
    grade: str | None
    grade_since: date | None
    email: str | None
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime


EMPLOYEE_COLUMNS = CsvColumns.of(EmployeeOut)


class SubordinateOut(EmployeeOut):
    depth: int = Field(description="1 for direct reports, 2 for their reports, and so on.")
