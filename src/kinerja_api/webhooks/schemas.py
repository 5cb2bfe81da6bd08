import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, Field, StringConstraints

from kinerja_api.core.schemas import InputModel, OutputModel, PatchModel, UpdatedSince
from kinerja_api.models.common import described
from kinerja_api.models.webhooks import DeliveryKind, DeliveryStatus
from kinerja_api.webhooks.addresses import MAX_URL_LENGTH

ReceiverUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=8, max_length=MAX_URL_LENGTH),
    Field(
        json_schema_extra={"format": "uri"},
        description="Where events are POSTed: https (http only outside production), a host "
        "that resolves to public addresses only, no credentials, no fragment.",
        examples=["https://simpeg.bungokab.go.id/hooks/kinerja"],
    ),
]
EventPattern = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[a-z_]{1,30}\.([a-z_]{1,40}|\*)$"),
]


def _distinct(patterns: list[str]) -> list[str]:
    return sorted(set(patterns))


EventPatterns = Annotated[
    list[EventPattern],
    Field(
        min_length=1,
        max_length=100,
        description="Event types (`plan.approved`) or families (`plan.*`) from the catalogue "
        "(the contract's `webhooks`). A rater's own evaluation events are never delivered.",
        examples=[["plan.approved", "progress.*"]],
    ),
    AfterValidator(_distinct),
]
Description = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)
]


class SubscriptionCreate(InputModel):
    url: ReceiverUrl
    event_types: EventPatterns
    description: Description | None = Field(None, examples=["SIMPEG: SKP disetujui"])
    active: bool = Field(True, description="`false`: events are matched but not sent yet.")


class SubscriptionUpdate(PatchModel):
    """Changes to a subscription. Changing `url` or `event_types` makes the caller its owner:
    a service account's subscription carries only what its scopes read."""

    nullable_fields: ClassVar[frozenset[str]] = frozenset({"description"})

    url: ReceiverUrl | None = None
    event_types: EventPatterns | None = None
    description: Description | None = None
    active: bool | None = Field(
        None,
        description="`true` resumes a subscription (also one disabled after failing): its "
        "undelivered events follow, in order.",
        examples=[True],
    )


class SubscriptionOut(OutputModel):
    id: uuid.UUID
    region_id: uuid.UUID
    url: str
    event_types: list[str]
    description: str | None
    active: bool
    owner_type: str = Field(
        description="`user` or `service_account`: who last chose the URL "
        "or the event types; a service account's subscription carries only "
        "what its scopes read."
    )
    owner_id: uuid.UUID
    failing_since: datetime | None = Field(
        description="The first failed attempt since the last successful one."
    )
    disabled_at: datetime | None = Field(
        description="When the subscription was switched off after failing for too long."
    )
    previous_secret_expires_at: datetime | None = Field(
        description="Until when the secret replaced by the last rotation still signs."
    )
    created_at: datetime
    updated_at: datetime
    version: int


class SubscriptionCreated(SubscriptionOut):
    secret: str | None = Field(
        description="The signing secret, shown only in this response. `null` when an "
        "Idempotency-Key replay answers instead of the original request: rotate it."
    )


class SubscriptionWithSecret(SubscriptionOut):
    secret: str = Field(
        description="The new signing secret, shown only in this response. Until "
        "`previous_secret_expires_at` deliveries are signed with both."
    )


class AttemptOut(OutputModel):
    number: int
    attempted_at: datetime
    succeeded: bool
    http_status: int | None = Field(description="The receiver's status; null when none came.")
    latency_ms: int
    response_body: str | None = Field(
        description="The start of the receiver's answer (a few KB at most)."
    )
    error: str | None = Field(
        description="Why no 2xx came: a timeout, a refused address, a connection error."
    )
    next_attempt_at: datetime | None


class DeliveryOut(OutputModel):
    id: uuid.UUID = Field(
        description="Sent as `X-Kinerja-Delivery`; retries of a delivery share it."
    )
    subscription_id: uuid.UUID
    kind: DeliveryKind
    event_id: int | None = Field(description="The outbox id of the event; null for a ping.")
    event_type: str
    status: DeliveryStatus
    attempts: list[AttemptOut]
    next_attempt_at: datetime | None
    redelivery_of: uuid.UUID | None
    created_at: datetime
    completed_at: datetime | None


@described({"created_at": "the oldest first", "updated_at": "the least recently changed first"})
class SubscriptionSort(StrEnum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"


@dataclass(frozen=True, slots=True)
class SubscriptionFilters:
    active: bool | None = None
    updated_since: UpdatedSince = None


@dataclass(frozen=True, slots=True)
class DeliveryFilters:
    status: DeliveryStatus | None = None
    kind: DeliveryKind | None = None


class WebhookEvent(OutputModel):
    """The JSON body of every delivery. Each event type's `data` is described by its webhook in
    the contract."""

    id: int | None = Field(description="The event's outbox id; null for `webhook.ping`.")
    type: str = Field(examples=["plan.approved"])
    occurred_at: datetime
    region_id: uuid.UUID
    entity_type: str = Field(examples=["plan"])
    entity_id: uuid.UUID
    employee_id: uuid.UUID | None = Field(description="The employee the event concerns.")
    agency_id: uuid.UUID | None = Field(description="That employee's agency.")
    data: Any
