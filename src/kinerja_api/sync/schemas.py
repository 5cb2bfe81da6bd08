import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Query
from pydantic import Field

from kinerja_api.core.pagination import Page
from kinerja_api.core.problems import ProblemDetail
from kinerja_api.core.schemas import Instant, OutputModel
from kinerja_api.models.sync import SyncEntity, TombstoneReason


class DeletionOut(OutputModel):
    """A row that left the caller's list: `deleted`, or `hidden` (it is still there, but the
    caller may no longer read it). Drop it from the local copy, with everything below it."""

    entity_type: SyncEntity
    entity_id: uuid.UUID
    reason: TombstoneReason
    occurred_at: datetime = Field(description="When it left: the removing transaction's time.")
    plan_id: uuid.UUID | None = Field(
        description="For targets and indicators, the plan they belonged to; null otherwise."
    )


class DeletionPage(Page[DeletionOut]):
    sync_time: datetime = Field(
        description="The server's sync point: store it (from the first page of a sync round) "
        "and send it as `since` and `updated_since` next time. It lies a safety margin before "
        "the server's clock, so changes that were still being committed are not missed."
    )


class SyncWindowExpiredProblem(ProblemDetail):
    """`since` lies before the oldest tombstones kept (`sync-window-expired`): what left the
    lists before then may no longer be reported. Drop the local copy, read every list in full
    (without `updated_since`), and store `sync_time` for the next round."""

    sync_time: datetime = Field(
        description="The sync point to store after the full read, as a 200 would give it."
    )


@dataclass(frozen=True, slots=True)
class DeletionFilters:
    since: Annotated[
        Instant,
        Query(
            description="Tombstones at or after this instant (RFC 3339): the `sync_time` the "
            "client stored at its last sync. Older than the retention window (90 days unless "
            "configured otherwise): 410 `sync-window-expired`, and the client reads in full."
        ),
    ]
    entity_type: Annotated[
        SyncEntity | None,
        Query(
            description="The list whose deletions to read; every list the caller may read when "
            "not given."
        ),
    ] = None
