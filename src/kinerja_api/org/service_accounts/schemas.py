import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field

from kinerja_api.auth.access import SCOPES
from kinerja_api.core.schemas import InputModel, Name, OutputModel, PatchModel
from kinerja_api.models.common import described


def _known_scope(value: str) -> str:
    if value not in SCOPES:
        raise ValueError(f"unknown scope; expected one of {', '.join(sorted(SCOPES))}")
    return value


def _distinct(scopes: list[str]) -> list[str]:
    return sorted(set(scopes))


Scope = Annotated[
    str, Field(json_schema_extra={"enum": sorted(SCOPES)}), AfterValidator(_known_scope)
]
Scopes = Annotated[
    list[Scope], Field(min_length=1, examples=[["org:read"]]), AfterValidator(_distinct)
]


@described(
    {
        "name": "nama — by name",
        "updated_at": "diubah paling lama — least recently changed first (for sync)",
    }
)
class ServiceAccountSort(StrEnum):
    NAME = "name"
    UPDATED_AT = "updated_at"


class ServiceAccountCreate(InputModel):
    name: Name = Field(examples=["SIMPEG Kabupaten Bungo"])
    scopes: Scopes
    active: bool = True


class ServiceAccountUpdate(PatchModel):
    name: Name | None = None
    scopes: Scopes | None = None
    active: bool | None = Field(
        default=None, description="`false` stops the account from obtaining tokens."
    )


class ServiceAccountOut(OutputModel):
    id: uuid.UUID
    region_id: uuid.UUID
    name: str
    client_id: str = Field(description="The `client_id` of the client-credentials grant.")
    scopes: list[str]
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class ServiceAccountCreated(ServiceAccountOut):
    client_secret: str | None = Field(
        description="The `client_secret`, shown only in this response and never stored in "
        "clear. `null` when an Idempotency-Key replay answers instead of the original request: "
        "a lost secret cannot be recovered, rotate it."
    )


class ServiceAccountWithSecret(ServiceAccountOut):
    client_secret: str = Field(
        description="The new `client_secret`, shown only in this response; the old one no "
        "longer works."
    )
