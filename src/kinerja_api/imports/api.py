"""What other domains may use of imports: the one module they import from it.

The progress streams carry import events (to the importer and the region's administrators),
so they describe them with the imports' own models."""

from kinerja_api.imports.events import (
    IMPORT_EVENT_TYPES,
    ImportFinishedEventData,
    ImportFinishedEventType,
    ImportProgressEventData,
    ImportProgressEventType,
)

__all__ = [
    "IMPORT_EVENT_TYPES",
    "ImportFinishedEventData",
    "ImportFinishedEventType",
    "ImportProgressEventData",
    "ImportProgressEventType",
]
