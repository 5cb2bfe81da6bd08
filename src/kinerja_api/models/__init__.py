"""All ORM models; importing this package registers every table on `Base.metadata`."""

from kinerja_api.models.platform import IdempotencyRecord

__all__ = ["IdempotencyRecord"]
