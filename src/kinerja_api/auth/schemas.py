import uuid
from typing import Literal

from pydantic import Field

from kinerja_api.core.schemas import InputModel, OutputModel
from kinerja_api.models.org import Role


class TokenResponse(OutputModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type name
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str | None = Field(
        default=None, description="Rotating refresh token (people only); single use."
    )
    scope: str = ""


class RefreshRequest(InputModel):
    refresh_token: str = Field(min_length=10, max_length=200)


class MeOut(OutputModel):
    kind: Literal["user", "service_account"]
    id: uuid.UUID
    region_id: uuid.UUID | None
    roles: list[Role]
    scopes: list[str]
    employee_id: uuid.UUID | None
    agency_id: uuid.UUID | None
    email: str | None = None
    full_name: str | None = None
    is_supervisor: bool = Field(description="True when the linked employee has subordinates.")
