import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from kinerja_api.core.schemas import OutputModel

ActorType = Literal["user", "service_account", "system"]


class AuditEventOut(OutputModel):
    id: int = Field(description="Increases with every event; the list is newest first.")
    occurred_at: datetime
    actor_type: ActorType
    actor_id: uuid.UUID | None = Field(description="`null` for the system itself.")
    action: str = Field(examples=["user.created"])
    entity_type: str = Field(examples=["user"])
    entity_id: str | None
    changes: dict[str, Any] = Field(
        description='`{"before": {...}, "after": {...}}` with only the changed fields (just '
        "`after` for creations); secrets and passwords appear as `[redacted]`."
    )
    request_id: str | None = Field(description="The `X-Request-ID` of the request that did it.")
