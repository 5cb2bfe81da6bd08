import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, EmailStr, Field, StringConstraints

from kinerja_api.core.schemas import InputModel, Name, OutputModel, PatchModel
from kinerja_api.models.common import described
from kinerja_api.models.org import Role

MIN_PASSWORD_LENGTH = 12

Email = Annotated[EmailStr, Field(max_length=254, examples=["siti.rahma@bungokab.go.id"])]
# Never stripped: the sign-in form does not strip either, so a space typed here must still match.
Password = Annotated[
    str,
    StringConstraints(strip_whitespace=False, min_length=MIN_PASSWORD_LENGTH, max_length=128),
    Field(
        description=f"At least {MIN_PASSWORD_LENGTH} characters; stored hashed, never returned.",
        json_schema_extra={"format": "password", "writeOnly": True},
    ),
]


def _distinct(roles: list[Role]) -> list[Role]:
    return sorted(set(roles))


Roles = Annotated[
    list[Role],
    Field(min_length=1, examples=[["employee"]]),
    AfterValidator(_distinct),
]


@described(
    {
        "email": "surel — by e-mail address",
        "updated_at": "diubah paling lama — least recently changed first (for sync)",
    }
)
class UserSort(StrEnum):
    EMAIL = "email"
    UPDATED_AT = "updated_at"


class UserCreate(InputModel):
    email: Email
    full_name: Name = Field(examples=["Siti Rahma"])
    password: Password
    roles: Roles
    employee_id: uuid.UUID | None = Field(
        default=None, description="The employee record this login belongs to (same region)."
    )
    agency_id: uuid.UUID | None = Field(
        default=None,
        description="Required for `agency_admin` (the subtree they administer); optional for "
        "`complaint_officer` (limits them to that agency). Agency admins may only create users "
        "inside their own subtree.",
    )
    active: bool = True
    region_id: uuid.UUID | None = Field(
        default=None,
        description="Superadmins only, who must name the region of every user except another "
        "superadmin (superadmins belong to no region). Everyone else creates users in their own "
        "region and must leave this out.",
    )


class UserUpdate(PatchModel):
    nullable_fields = frozenset({"employee_id", "agency_id"})

    full_name: Name | None = None
    roles: Roles | None = None
    active: bool | None = Field(
        default=None, description="`false` deactivates the login; users are never deleted."
    )
    employee_id: uuid.UUID | None = Field(default=None, description="`null` unlinks the employee.")
    agency_id: uuid.UUID | None = Field(default=None, description="`null` clears the agency.")


class PasswordSet(InputModel):
    password: Password


class UserOut(OutputModel):
    id: uuid.UUID
    region_id: uuid.UUID | None = Field(description="`null` for superadmins.")
    email: str
    full_name: str
    roles: list[Role]
    employee_id: uuid.UUID | None
    agency_id: uuid.UUID | None
    active: bool
    last_login_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime
