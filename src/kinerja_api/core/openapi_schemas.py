"""The contract's schemas: the domain names they are published under, following `$ref`s, and
example values built from what the fields declare (see `core.openapi`, which finishes the
document with them)."""

import re
from collections.abc import Iterator, Mapping
from copy import deepcopy
from typing import Any

from kinerja_api.core.i18n import DEFAULT_LANGUAGE
from kinerja_api.core.problems import ProblemKind
from kinerja_api.core.schemas import DECIMAL_EXAMPLE, DECIMAL_PATTERN

Document = dict[str, Any]
SCHEMAS = "#/components/schemas/"


# --- Schema names ----------------------------------------------------------------------------

_PAGE = re.compile(r"^Page_(?P<item>[A-Za-z0-9]+)_$")
_FORM_BODY = re.compile(r"^Body_(?P<operation>[A-Za-z0-9-]+)$")
_CLEAN_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")


def domain_name(name: str, form_bodies: Mapping[str, str]) -> str:
    """The published name of a schema: `PlanOut` -> `Plan`, `Page_PlanOut_` -> `PlanPage`,
    `ProblemDetail` -> `Problem`, a form body `Body_<operation>` -> `<Route>Request`."""
    if page := _PAGE.match(name):
        return domain_name(page["item"], form_bodies) + "Page"
    if form := _FORM_BODY.match(name):
        return form_bodies.get(form["operation"], name)
    if name == "ProblemDetail":
        return "Problem"
    if name.endswith("Out") and len(name) > 3:
        return name.removesuffix("Out")
    return name


def unclean_schema_names(document: Document) -> list[str]:
    """Names a generator would turn into artefacts: module paths, `_`, `-`, lower case."""
    return [name for name in document["components"]["schemas"] if not _CLEAN_NAME.match(name)]


def rename_schemas(document: Document, form_bodies: Mapping[str, str]) -> None:
    schemas: dict[str, Any] = document["components"]["schemas"]
    renamed: dict[str, str] = {}
    taken: dict[str, str] = {}
    for name in sorted(schemas):
        new = domain_name(name, form_bodies)
        if new in taken:
            raise ValueError(f"schemas {taken[new]} and {name} would both be published as {new}")
        taken[new] = name
        renamed[name] = new
    document["components"]["schemas"] = {
        renamed[name]: {**schema, "title": renamed[name]} for name, schema in schemas.items()
    }
    refs = {SCHEMAS + old: SCHEMAS + new for old, new in renamed.items()}
    for node in nodes(document):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref in refs:
            node["$ref"] = refs[ref]
    unclean = unclean_schema_names(document)
    if unclean:
        raise ValueError(f"schema names that are not domain names: {unclean}")


def nodes(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from nodes(item)
    elif isinstance(value, list):
        for item in value:
            yield from nodes(item)


def resolve(schema: Document, document: Document) -> Document:
    while "$ref" in schema:
        target: Any = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


# --- Examples --------------------------------------------------------------------------------

_FORMAT_EXAMPLES = {
    "uuid": "0b5c3f9e-6a1d-4c1e-9a57-3d2f6c1b8e42",
    "date-time": "2026-03-31T09:00:00+07:00",
    "date": "2026-03-31",
    "email": "employee@bungo.demo.kinerja.id",
    "uri": "https://kinerja-api.id/",
    "password": "demo-kinerja-2026",
}


def example_of(
    schema: Document, document: Document, *, every_property: bool, depth: int = 0
) -> Any:
    """An example value valid against `schema`, built from the examples its fields declare."""
    schema = resolve(schema, document)
    for key in ("examples", "example"):
        if key in schema:
            return deepcopy(schema[key][0] if key == "examples" else schema[key])
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    branches = schema.get("anyOf") or schema.get("oneOf")
    if branches:
        chosen = next((b for b in branches if resolve(b, document).get("type") != "null"), None)
        return (
            None
            if chosen is None
            else example_of(chosen, document, every_property=every_property, depth=depth)
        )
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        required = set(schema.get("required", []))
        return {
            name: example_of(prop, document, every_property=every_property, depth=depth + 1)
            for name, prop in schema.get("properties", {}).items()
            if name in required or every_property or has_example(prop, document)
        }
    if kind == "array":
        if depth > 3:
            return []
        item = example_of(
            schema.get("items", {}), document, every_property=every_property, depth=depth + 1
        )
        return [item] * max(1, int(schema.get("minItems", 1)))
    if kind == "integer":
        return int(schema.get("minimum", 1))
    if kind == "number":
        return schema.get("minimum", 1)
    if kind == "boolean":
        return True
    if kind == "string":
        if schema.get("pattern") == DECIMAL_PATTERN:
            return DECIMAL_EXAMPLE
        text = _FORMAT_EXAMPLES.get(schema.get("format", ""), "contoh")
        return text.ljust(int(schema.get("minLength", 0)), "x")
    return None


def has_example(schema: Document, document: Document) -> bool:
    resolved = resolve(schema, document)
    return "examples" in resolved or "example" in resolved


def problem_example(kind: ProblemKind, path: str) -> dict[str, Any]:
    example: dict[str, Any] = {
        "type": kind.type_uri,
        "title": kind.title.render(DEFAULT_LANGUAGE),
        "status": kind.status,
        "instance": path,
    }
    if kind.status == 422:
        example["detail"] = "Ada 1 kesalahan pada data yang dikirim."
        example["errors"] = [
            {"field": "body.title", "message": "Field required", "code": "missing"}
        ]
    return example
