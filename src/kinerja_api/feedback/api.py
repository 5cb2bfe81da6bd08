"""What other domains may use of feedback: the one module they import from it.

Sync serves the tombstones of deleted holidays to the holidays' readers."""

from kinerja_api.feedback.holidays.service import READERS as HOLIDAY_READERS

__all__ = ["HOLIDAY_READERS"]
