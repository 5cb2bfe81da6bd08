import inspect
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar, TypeVar

from fastapi import Depends, Query
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    GetJsonSchemaHandler,
    PlainSerializer,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

# Lone surrogates cannot be encoded as UTF-8 and PostgreSQL text cannot hold NUL: either would
# fail at the database as a 500, so every string a client sends is refused with a 422 first.
UNSTORABLE_TEXT = re.compile("[\x00\ud800-\udfff]")


def refuse_unstorable(value: str) -> str:
    """The one check every client string passes: no NUL, no lone surrogate."""
    if UNSTORABLE_TEXT.search(value):
        raise PydanticCustomError(
            "unstorable_text", "must not contain NUL characters or lone surrogates"
        )
    return value


def _refuse_unstorable_anywhere(value: Any) -> Any:
    if isinstance(value, str):
        refuse_unstorable(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_unstorable_anywhere(key)
            _refuse_unstorable_anywhere(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _refuse_unstorable_anywhere(item)
    return value


# Every string parameter (query, path, header, form) is a `ClientText`; body strings are
# checked by `InputModel`, which applies the same rule to every field.
ClientText = Annotated[str, AfterValidator(refuse_unstorable)]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(refuse_unstorable),
]
Code = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9-]{0,39}$"),
    AfterValidator(refuse_unstorable),
]


def _storable_instant(value: datetime) -> datetime:
    # PostgreSQL stores timestamptz in UTC; an instant whose UTC form leaves years 1-9999
    # cannot be sent to it.
    if value.tzinfo is not None:
        try:
            value.astimezone(UTC)
        except OverflowError:
            raise PydanticCustomError(
                "datetime_out_of_range", "must fall within years 1 to 9999 in UTC"
            ) from None
    return value


Instant = Annotated[datetime, AfterValidator(_storable_instant)]


def _integer_only(value: Any) -> Any:
    # JSON Schema's integer admits 3.0 but not true or "3"; Python's int() would take all three.
    if isinstance(value, bool | str | bytes):
        raise PydanticCustomError("int_type", "must be a JSON integer")
    return value


# Counts, positions, years and scores: a JSON integer (3 or 3.0), never a boolean or a string.
# Placed after the field's constraints (`Annotated[int, Field(ge=1), JSON_INTEGER]`), so that
# they still reach the contract as `minimum`/`maximum`.
JSON_INTEGER = BeforeValidator(_integer_only)

_PLAIN_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)


def _plain_decimal(value: Any) -> Any:
    # Python's Decimal also reads "1_000", "1e2", Arabic-Indic or full-width digits; a value
    # on the wire is a JSON number or a plain decimal string, nothing else.
    if isinstance(value, bool) or (
        isinstance(value, str) and not _PLAIN_DECIMAL.fullmatch(value.strip())
    ):
        raise PydanticCustomError(
            "decimal_format", "must be a plain decimal number such as 12 or 12.5"
        )
    return value


# Decimals travel as JSON strings in both directions, e.g. "12.5": exact, where a JSON number
# would pass through a client's binary floating point.
DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
DECIMAL_EXAMPLE = "12.5"
_DECIMAL_LIMITS = {
    "ge": "at least {}",
    "gt": "more than {}",
    "le": "at most {}",
    "lt": "less than {}",
    "max_digits": "at most {} digits",
    "decimal_places": "at most {} after the point",
}


class _DecimalString:
    """The contract's decimal: a string matching `DECIMAL_PATTERN`. The field's numeric limits,
    which JSON Schema cannot put on a string, are spelled out in its description."""

    def __init__(self, *, accepts_numbers: bool) -> None:
        self.accepts_numbers = accepts_numbers

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        generated = handler(core_schema)
        limits = [
            text.format(generated[key]) for key, text in _DECIMAL_LIMITS.items() if key in generated
        ]
        notes = ['A decimal as a JSON string, e.g. `"12.5"`.']
        if limits:
            notes.append(f"It is {', '.join(limits)}.")
        if self.accepts_numbers:
            notes.append("A JSON number is still accepted, for older clients; send a string.")
        return {"type": "string", "pattern": DECIMAL_PATTERN, "description": " ".join(notes)}


PlainDecimal = Annotated[
    Decimal, BeforeValidator(_plain_decimal), _DecimalString(accepts_numbers=True)
]
# Decimals in responses, written out in full (never an exponent such as 1E+2).
DecimalString = Annotated[
    Decimal,
    PlainSerializer(lambda value: format(value, "f"), return_type=str, when_used="json"),
    _DecimalString(accepts_numbers=False),
]


class InputModel(BaseModel):
    """Request bodies: unknown fields (ids, region_id, timestamps, ...) are a 422, not ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        return _refuse_unstorable_anywhere(value)


class OutputModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


UpdatedSince = Annotated[
    Instant | None,
    Query(description="Only rows changed at or after this instant (RFC 3339), for mobile sync."),
]


def _without_null(schema: JsonSchemaValue) -> None:
    variants = schema.get("anyOf")
    if not variants:
        return
    kept = [variant for variant in variants if variant.get("type") != "null"]
    if len(kept) == 1:
        del schema["anyOf"]
        schema.update(kept[0])
    else:
        schema["anyOf"] = kept


class PatchModel(InputModel):
    """Partial updates: absent fields stay unchanged; `null` is refused unless the field is
    listed in `nullable_fields` (where it clears the value). The contract says the same: only
    `nullable_fields` admit null there."""

    nullable_fields: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _refuse_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name, value in data.items():
                if value is None and name in cls.model_fields and name not in cls.nullable_fields:
                    raise ValueError(f"{name} cannot be null")
        return data

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        properties = handler.resolve_ref_schema(schema).get("properties", {})
        for name, field_schema in properties.items():
            if name not in cls.nullable_fields:
                _without_null(field_schema)
        return schema

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
