"""kinerja-api: performance-based development of civil servants for regional governments."""

__version__ = "0.1.0"
