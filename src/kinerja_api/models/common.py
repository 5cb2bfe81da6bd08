import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema
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


EnumType = TypeVar("EnumType", bound=type[StrEnum])


def described(meanings: Mapping[str, str]) -> Callable[[EnumType], EnumType]:
    """Publishes the meaning of each value of a StrEnum in the contract: a list in the schema's
    description and `x-enum-descriptions` (in value order) for generators. Every value needs
    one: a value left out is an error when the module is imported."""

    def decorate(enum: EnumType) -> EnumType:
        values = [member.value for member in enum]
        if set(values) != set(meanings):
            raise ValueError(f"{enum.__name__}: describe exactly {values}")
        lines = "\n".join(f"- `{value}`: {meanings[value]}" for value in values)

        def schema(
            cls: type[StrEnum], core_schema: CoreSchema, handler: GetJsonSchemaHandler
        ) -> JsonSchemaValue:
            generated = handler(core_schema)
            target = handler.resolve_ref_schema(generated)
            intro = (cls.__doc__ or "").strip()
            target["description"] = f"{intro}\n\n{lines}".strip() if intro else lines
            target["x-enum-descriptions"] = [meanings[value] for value in values]
            return generated

        enum.__get_pydantic_json_schema__ = classmethod(schema)  # type: ignore[attr-defined]
        return enum

    return decorate
