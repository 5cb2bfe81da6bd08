import inspect
from datetime import datetime
from typing import Annotated, Any, ClassVar, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator, model_validator

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Code = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
]


class InputModel(BaseModel):
    """Request bodies: unknown fields (ids, region_id, timestamps, ...) are a 422, not ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        # PostgreSQL text cannot hold NUL; refuse it here as a 422 rather than a 500 later.
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(item, str) and "\x00" in item for item in texts):
            raise ValueError("must not contain NUL characters")
        return value


class OutputModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


UpdatedSince = Annotated[
    datetime | None,
    Query(description="Only rows changed at or after this instant (RFC 3339), for mobile sync."),
]


class PatchModel(InputModel):
    """Partial updates: absent fields stay unchanged; `null` is refused unless the field is
    listed in `nullable_fields` (where it clears the value)."""

    nullable_fields: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _refuse_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name, value in data.items():
                if value is None and name in cls.model_fields and name not in cls.nullable_fields:
                    raise ValueError(f"{name} cannot be null")
        return data

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


Parameters = TypeVar("Parameters")


def query_parameters(cls: type[Parameters]) -> Any:
    """`Depends` for a dataclass of query parameters (a list's filters), built by a coroutine:
    FastAPI runs a class, like any plain callable, in a worker thread on every request."""

    async def build(**values: Any) -> Parameters:
        return cls(**values)

    build.__signature__ = inspect.signature(cls)  # type: ignore[attr-defined]
    return Depends(build)
