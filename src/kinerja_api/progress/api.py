"""What other domains may use of progress: the one module they import from it.

Webhooks deliver outbox events to a region's receivers by the streams' own rule of who may see
an event (`Audience`: a region-wide reader's sight, never a rater's own evaluation events), and
name the families the staff stream carries, which a service account reads with the stream's
scope."""

from kinerja_api.progress.repository import READ_SCOPE
from kinerja_api.progress.stream import STREAM_FAMILIES, Audience

__all__ = [
    "READ_SCOPE",
    "STREAM_FAMILIES",
    "Audience",
]
