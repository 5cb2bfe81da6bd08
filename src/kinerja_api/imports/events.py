"""The `data` of the events an import publishes on its importer's stream (and its region
administrators'): progress once per batch written, then how it ended. Counts only, never a
row's content."""

import uuid
from typing import Literal, get_args

from pydantic import Field

from kinerja_api.core.events import EventData
from kinerja_api.models.imports import ImportFailure, ImportKind, ImportMode, ImportStatus

ImportProgressEventType = Literal["import.progress"]
ImportFinishedEventType = Literal["import.completed", "import.failed", "import.cancelled"]
# Sent only to the principal who uploaded the file and to the region's administrators.
IMPORT_EVENT_TYPES = frozenset(get_args(ImportProgressEventType)) | frozenset(
    get_args(ImportFinishedEventType)
)


class _ImportState(EventData):
    import_id: uuid.UUID
    kind: ImportKind
    mode: ImportMode
    dry_run: bool
    status: ImportStatus
    created_by_kind: Literal["user", "service_account"]
    created_by_id: uuid.UUID = Field(
        description="The user or service account that uploaded the file: the event is sent "
        "to them and to the region's administrators."
    )
    rows_total: int
    rows_done: int
    created: int
    updated: int
    unchanged: int
    failed: int


class ImportProgressEventData(_ImportState):
    """A batch of the import's rows was processed."""

    event_types = frozenset(get_args(ImportProgressEventType))


class ImportFinishedEventData(_ImportState):
    """The import ended: succeeded, failed (see `failure`) or cancelled."""

    event_types = frozenset(get_args(ImportFinishedEventType))

    failure: ImportFailure | None = Field(description="Why the import failed; null unless it did.")
