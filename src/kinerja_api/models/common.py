import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, Uuid, func, text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from kinerja_api.db import MAPPER_DEFAULTS


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(
        Uuid, primary_key=True, server_default=text("gen_random_uuid()")
    )


class TimestampsMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class VersionedMixin:
    """A row version for ETags; SQLAlchemy also uses it to refuse lost updates."""

    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        return {**MAPPER_DEFAULTS, "version_id_col": cls.version}
