"""The contract as generators read it: one domain name and title per schema, and every header
the service sends declared on the response that sends it."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from kinerja_api.core.openapi import RESPONSE_HEADERS, ContractInfo, finish
from kinerja_api.core.openapi_schemas import domain_name, unclean_schema_names
from kinerja_api.models.org import Role
from kinerja_api.openapi_export import contract
from tests.factories import World

# Headers every HTTP response may carry whatever the operation: framing, not contract.
FRAMING = frozenset({"content-type", "content-length", "date", "server", "transfer-encoding"})
PERIODS = "/api/v1/periods"


def test_schema_names_are_domain_names_with_one_title_each() -> None:
    schemas = contract()["components"]["schemas"]
    assert unclean_schema_names({"components": {"schemas": schemas}}) == []
    titles = [schema["title"] for schema in schemas.values()]
    assert len(titles) == len(set(titles))
    assert all(schema["title"] == name for name, schema in schemas.items())
    assert {"Period", "PeriodQuarter", "IkmQuarter", "PlanPage", "Problem", "TokenRequest"} <= set(
        schemas
    )


@pytest.mark.parametrize(
    ("generated", "published"),
    [
        ("PlanOut", "Plan"),
        ("Page_PlanOut_", "PlanPage"),
        ("ProblemDetail", "Problem"),
        ("Body_auth-token", "TokenRequest"),
        ("PlanCreate", "PlanCreate"),
    ],
)
def test_generated_names_become_domain_names(generated: str, published: str) -> None:
    assert domain_name(generated, {"auth-token": "TokenRequest"}) == published


@pytest.mark.parametrize(
    "schemas",
    [
        # Two models of the same name in two modules: pydantic names them by module path.
        {"kinerja_api__a__QuarterOut": {}, "kinerja_api__b__QuarterOut": {}},
        # Two names that publish as one.
        {"Evidence": {}, "EvidenceOut": {}},
        # A framework artefact with no rule.
        {"Body_unknown-operation": {}},
    ],
)
def test_a_name_that_is_not_a_domain_name_stops_the_contract(schemas: dict[str, Any]) -> None:
    document = {"openapi": "3.1.0", "info": {}, "paths": {}, "components": {"schemas": schemas}}
    with pytest.raises(ValueError, match="schema"):
        finish(document, [], lambda route: pytest.fail("no routes"), _NO_INFO)


_NO_INFO = ContractInfo(tags=(), servers=(), contact={}, license={})


def _declared(document: dict[str, Any], path: str, method: str, status: int) -> set[str]:
    answer = document["paths"][path][method]["responses"][str(status)]
    return {name.lower() for name in answer.get("headers", {})}


def _sent(response: httpx.Response) -> set[str]:
    return {name.lower() for name in response.headers} - FRAMING


async def test_every_header_sent_is_declared_on_its_response(
    app: FastAPI, client: httpx.AsyncClient, world: World
) -> None:
    document = app.openapi()
    region = await world.region()
    admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    exchanges: list[tuple[str, str, httpx.Response]] = []

    created = await client.post(
        PERIODS, json={"year": 2031}, headers={**admin, "Idempotency-Key": "period-2031"}
    )
    exchanges.append((PERIODS, "post", created))
    replayed = await client.post(
        PERIODS, json={"year": 2031}, headers={**admin, "Idempotency-Key": "period-2031"}
    )
    assert replayed.headers["idempotent-replayed"] == "true"
    exchanges.append((PERIODS, "post", replayed))
    one = f"{PERIODS}/{{period_id}}"
    read = await client.get(f"{PERIODS}/{created.json()['id']}", headers=admin)
    exchanges.append((one, "get", read))
    close = f"{PERIODS}/{{period_id}}/close"
    exchanges.append(
        (close, "post", await client.post(f"{PERIODS}/{created.json()['id']}/close", headers=admin))
    )
    exchanges.append((PERIODS, "get", await client.get(PERIODS)))
    exchanges.append((PERIODS, "get", await client.get(PERIODS, headers=admin)))

    statuses = [response.status_code for _, _, response in exchanges]
    assert statuses == [201, 201, 200, 428, 401, 200]
    for path, method, response in exchanges:
        declared = _declared(document, path, method, response.status_code)
        undeclared = _sent(response) - declared
        assert undeclared == set(), f"{method.upper()} {path} {response.status_code}: {undeclared}"
    assert {"etag", "location", "x-request-id", "idempotent-replayed"} <= _sent(replayed)


def test_declared_headers_are_components() -> None:
    document = contract()
    for item in document["paths"].values():
        for operation in item.values():
            for answer in operation["responses"].values():
                for name, header in answer.get("headers", {}).items():
                    assert header == {"$ref": f"#/components/headers/{name}"}
                    assert name in RESPONSE_HEADERS


def test_every_enum_value_is_described() -> None:
    """Each value of every enum schema in the contract carries its meaning (the Indonesian
    term beside the English where they differ), in order, for generators and readers alike."""
    enums = {
        name: schema
        for name, schema in contract()["components"]["schemas"].items()
        if "enum" in schema
    }
    assert len(enums) >= 30
    undescribed = [
        name
        for name, schema in enums.items()
        if len(schema.get("x-enum-descriptions", [])) != len(schema["enum"])
        or not all(meaning.strip() for meaning in schema["x-enum-descriptions"])
    ]
    assert undescribed == []
