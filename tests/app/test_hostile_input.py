"""Regression tests for what an outside fuzzing run found: hostile input is a 422 naming the
field (never a 500 from PostgreSQL), service accounts read `/me`, the contract says where null is
accepted, and a client cannot choose its own address for the rate limits."""

import json
import re
import typing
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.params import Form
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.config import Settings
from kinerja_api.core.audit import record
from kinerja_api.core.schemas import InputModel, PatchModel
from kinerja_api.models.feedback import IKM_ELEMENTS
from kinerja_api.models.org import Role
from kinerja_api.openapi_export import contract
from tests.app.test_access_rules import api_routes
from tests.conftest import ClientWith
from tests.factories import World

LATE = "9999-12-31T23:59:59-14:00"  # year 10000 in UTC
EARLY = "0001-01-01T00:00:00+00:01"  # year 0 in UTC


def error_fields(response: httpx.Response) -> set[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return {error["field"] for error in response.json()["errors"]}


async def _superadmin(world: World) -> dict[str, str]:
    return world.auth(await world.user(None, Role.SUPERADMIN))


# 1. NUL in query strings ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/users", "q"),
        ("/api/v1/audit-events", "entity_type"),
        ("/api/v1/audit-events", "entity_id"),
        ("/api/v1/audit-events", "action"),
        ("/api/v1/employees", "q"),
        ("/api/v1/agencies", "q"),
        ("/api/v1/service-units", "q"),
    ],
)
async def test_nul_in_a_query_parameter_is_a_422_naming_it(
    client: httpx.AsyncClient, world: World, path: str, parameter: str
) -> None:
    response = await client.get(
        path, params={parameter: "a\x00b"}, headers=await _superadmin(world)
    )
    assert error_fields(response) == {f"query.{parameter}"}


async def test_nul_in_headers_is_a_422_naming_them(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    admin = await world.user(region, Role.REGION_ADMIN)
    response = await client.post(
        "/api/v1/periods",
        json={"year": 2027},
        headers={**world.auth(admin), "Idempotency-Key": "k\x00"},
    )
    assert error_fields(response) == {"header.Idempotency-Key"}


# 2. NUL in a public path, no token -------------------------------------------------------


@pytest.mark.parametrize("suffix", ["progress", "progress/stream"])
async def test_nul_in_a_public_region_code_is_a_422(client: httpx.AsyncClient, suffix: str) -> None:
    response = await client.get(f"/api/v1/public/regions/bun%00go/{suffix}")
    assert error_fields(response) == {"path.code"}


async def test_nul_in_a_tracking_code_is_a_422(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/public/complaints/ABCD-EFGH%00JKMN-PQRS")
    assert error_fields(response) == {"path.tracking_code"}


# 3. Date-time filters whose UTC form leaves years 1-9999 ----------------------------------


def _instant_filters() -> list[tuple[str, str]]:
    """Every list operation's date-time query parameters, read from the contract."""
    found = []
    for path, operations in contract()["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            variants = parameter["schema"].get("anyOf", [parameter["schema"]])
            if parameter["in"] == "query" and any(
                variant.get("format") == "date-time" for variant in variants
            ):
                found.append((path, parameter["name"]))
    return found


INSTANT_FILTERS = _instant_filters()


def test_the_contract_has_the_date_time_filters_the_fuzzing_run_found() -> None:
    names = {name for _path, name in INSTANT_FILTERS}
    assert {"updated_since", "occurred_from", "occurred_to", "submitted_from"} <= names
    assert {"submitted_before"} <= names
    assert len([1 for _path, name in INSTANT_FILTERS if name == "updated_since"]) >= 12


@pytest.mark.parametrize(("path", "parameter"), INSTANT_FILTERS)
@pytest.mark.parametrize("instant", [LATE, EARLY])
async def test_a_date_time_filter_outside_what_postgresql_stores_is_a_422(
    client: httpx.AsyncClient, world: World, path: str, parameter: str, instant: str
) -> None:
    assert "{" not in path, "list operations only"
    response = await client.get(path, params={parameter: instant}, headers=await _superadmin(world))
    assert error_fields(response) == {f"query.{parameter}"}


async def test_a_date_time_filter_at_the_edge_of_the_range_is_accepted(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = await _superadmin(world)
    for instant in ("9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00"):
        response = await client.get(
            "/api/v1/plans", params={"updated_since": instant}, headers=headers
        )
        assert response.status_code == 200, response.text


# 4. /me for a service account ------------------------------------------------------------


async def test_me_describes_a_service_account(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    account = await world.service_account(region, "plans:read", "org:read")
    response = await client.get("/api/v1/me", headers=world.auth(account))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["kind"] == "service_account"
    assert body["id"] == str(account.id)
    assert body["region_id"] == str(region.id)
    assert body["scopes"] == ["org:read", "plans:read"]
    assert body["roles"] == []
    assert body["is_supervisor"] is False


# 5. Bodies the JSON parser gives up on ---------------------------------------------------

UNPARSABLE_BODIES = {
    "nested 1,000 levels": '{"a": ' + "[" * 1000 + "]" * 1000 + "}",
    "integer of 5,000 digits": '{"a": ' + "9" * 5000 + "}",
}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/plans/{plan_id}/comments",
        "/api/v1/public/feedback",
        "/api/v1/progress-reports",
        "/api/v1/plans/{plan_id}/targets",
        "/api/v1/periods",
        "/api/v1/targets/{target_id}/indicators",
    ],
)
@pytest.mark.parametrize("body", UNPARSABLE_BODIES.values(), ids=UNPARSABLE_BODIES.keys())
async def test_a_body_the_parser_gives_up_on_is_a_declared_422(
    client: httpx.AsyncClient, world: World, path: str, body: str
) -> None:
    region = await world.region()
    admin = await world.user(region, Role.REGION_ADMIN)
    url = re.sub(r"\{\w+\}", str(uuid.uuid4()), path)
    response = await client.post(
        url, content=body, headers={**world.auth(admin), "content-type": "application/json"}
    )
    assert error_fields(response) == {"body"}
    assert response.json()["errors"][0]["code"] == "json_invalid"
    declared = contract()["paths"][path]["post"]["responses"]
    assert "422" in declared


# 6. Null where the contract says nullable, and only there --------------------------------


def _patch_models() -> list[type[PatchModel]]:
    found: list[type[PatchModel]] = []
    pending: list[type[PatchModel]] = [PatchModel]
    while pending:
        for sub in pending.pop().__subclasses__():
            found.append(sub)
            pending.append(sub)
    return found


def _admits_null(schema: dict[str, Any]) -> bool:
    return any(variant.get("type") == "null" for variant in schema.get("anyOf", []))


def test_every_update_schema_is_nullable_exactly_where_null_is_accepted() -> None:
    models = _patch_models()
    assert len(models) >= 9
    schemas = contract()["components"]["schemas"]
    checked = 0
    for model in models:
        properties = schemas[model.__name__]["properties"]
        for name, schema in properties.items():
            assert _admits_null(schema) == (name in model.nullable_fields), (model, name)
            checked += 1
    assert checked > 30


async def test_employee_update_refuses_null_where_the_contract_does(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    agency = await world.agency(region)
    employee = await world.employee(region, agency)
    admin = await world.user(region, Role.REGION_ADMIN)
    schema = contract()["components"]["schemas"]["EmployeeUpdate"]["properties"]
    for field in ("name", "active", "agency_id"):
        assert not _admits_null(schema[field])
        response = await client.patch(
            f"/api/v1/employees/{employee.id}",
            json={field: None},
            headers={**world.auth(admin), "If-Match": '"1"'},
        )
        assert response.status_code == 422, response.text
    assert _admits_null(schema["supervisor_id"])


# 7. Scores, counts and decimals are what they say ----------------------------------------


@pytest.mark.parametrize("score", [True, False, 3.5, "3", "٣"])
async def test_a_survey_score_is_an_integer(client: httpx.AsyncClient, score: object) -> None:
    body = {"unit_code": "ABCD1234", **dict.fromkeys(IKM_ELEMENTS, 3), "sarana": score}
    response = await client.post("/api/v1/public/feedback", json=body)
    assert "body.sarana" in error_fields(response)


@pytest.mark.parametrize("value", ["1_000", "٣", "１", "1e2", "Infinity", "NaN", True, " "])
async def test_a_progress_value_is_a_plain_decimal(
    client: httpx.AsyncClient, world: World, value: object
) -> None:
    region = await world.region()
    agency = await world.agency(region)
    employee = await world.employee(region, agency)
    user = await world.user(region, Role.EMPLOYEE, employee=employee)
    response = await client.post(
        "/api/v1/progress-reports",
        json={"indicator_id": str(uuid.uuid4()), "value": value},
        headers=world.auth(user),
    )
    assert error_fields(response) == {"body.value"}


@pytest.mark.parametrize("year", [True, "2027", 2027.5])
async def test_a_period_year_is_an_integer(
    client: httpx.AsyncClient, world: World, year: object
) -> None:
    region = await world.region()
    admin = await world.user(region, Role.REGION_ADMIN)
    response = await client.post("/api/v1/periods", json={"year": year}, headers=world.auth(admin))
    assert error_fields(response) == {"body.year"}


def _input_models() -> list[type[InputModel]]:
    found: list[type[InputModel]] = []
    pending: list[type[InputModel]] = [InputModel]
    while pending:
        for sub in pending.pop().__subclasses__():
            found.append(sub)
            pending.append(sub)
    return found


def test_every_integer_and_decimal_a_body_carries_is_strict() -> None:
    """A new request schema cannot bring back lax numbers: every int field is strict and
    every decimal field refuses exponents, underscores and non-ASCII digits."""
    lax = []
    for model in _input_models():
        for name, field in model.model_fields.items():
            base = set(typing.get_args(field.annotation) or (field.annotation,))
            if int in base:
                sample: object = True
            elif any(getattr(arg, "__name__", "") == "Decimal" for arg in base):
                sample = "1e2"
            else:
                continue
            try:
                model.__pydantic_validator__.validate_assignment(
                    model.model_construct(), name, sample
                )
            except ValidationError as error:
                if any(e["loc"] == (name,) for e in error.errors()):
                    continue
            lax.append(f"{model.__name__}.{name}")
    assert lax == []


# Surrogates and NUL anywhere in a body ---------------------------------------------------


@pytest.mark.parametrize("text", ["bad\x00name", "bad\ud800name"])
async def test_unstorable_text_in_a_body_is_a_422_naming_the_field(
    client: httpx.AsyncClient, world: World, text: str
) -> None:
    region = await world.region()
    admin = await world.user(region, Role.REGION_ADMIN)
    body = json.dumps({"code": "dinas-x", "name": text, "kind": "dinas"})
    response = await client.post(
        "/api/v1/agencies",
        content=body,
        headers={**world.auth(admin), "content-type": "application/json"},
    )
    assert error_fields(response) == {"body.name"}


async def test_unstorable_text_nested_in_a_body_is_a_422(
    client: httpx.AsyncClient, world: World
) -> None:
    body = {
        "unit_code": "ABCD1234",
        **dict.fromkeys(IKM_ELEMENTS, 3),
        "respondent": {"occupation": "pns\x00"},
    }
    response = await client.post("/api/v1/public/feedback", json=body)
    assert response.status_code == 422, response.text


def _parameters(dependant: Dependant) -> list[Any]:
    found = (
        dependant.query_params
        + dependant.path_params
        + dependant.header_params
        + dependant.cookie_params
        + [field for field in dependant.body_params if isinstance(field.field_info, Form)]
    )
    for sub in dependant.dependencies:
        found += _parameters(sub)
    return found


def _accepts_text(field: Any, value: object) -> bool:
    _value, errors = field.validate(value, {}, loc=("parameter",))
    return not errors


def test_every_string_parameter_refuses_unstorable_text(app: FastAPI) -> None:
    """Every query, path, header and form parameter that takes text at all (a plain word, or
    a list of them) refuses NUL and lone surrogates."""
    unchecked, checked = [], 0
    for route in api_routes(app.routes):
        for field in _parameters(route.dependant):
            plain, hostile = next(
                ((ok, bad) for ok, bad in _TEXT_PROBES if _accepts_text(field, ok)), (None, None)
            )
            if plain is None:
                continue  # numbers, ids, enums, patterned codes: no free text gets through
            if _accepts_text(field, hostile):
                unchecked.append(f"{route.path} {field.name}")
            else:
                checked += 1
    assert unchecked == []
    assert checked > 50


_TEXT_PROBES = [
    ("abc", "a\x00c"),
    ("abc", "a\ud800c"),
    (["abc"], ["a\x00c"]),
    ("progress", "progress\x00"),
    ("12", "12\x00"),
    ("ABCD-EFGH-JKMN-PQRS", "ABCD-EFGH-JKMN-PQR\x00"),
]


# 8. Client addresses come from trusted proxies only --------------------------------------

FORWARDED = [f"203.0.113.{n}" for n in range(1, 40)]


async def _public_statuses(client: httpx.AsyncClient, count: int) -> list[int]:
    return [
        (
            await client.get(
                "/api/v1/public/service-units/ABCD1234",
                headers={"X-Forwarded-For": FORWARDED[n]},
            )
        ).status_code
        for n in range(count)
    ]


async def test_forwarded_for_is_ignored_without_trusted_proxies(
    client_with: ClientWith, settings: Settings
) -> None:
    assert settings.trusted_proxies == []
    async with client_with(public_rate_limit_per_address=5) as client:
        statuses = await _public_statuses(client, 8)
    assert statuses[:5] == [404] * 5
    assert statuses[5:] == [429] * 3


async def test_forwarded_for_from_a_trusted_proxy_names_the_client(
    client_with: ClientWith,
) -> None:
    # httpx's ASGI transport connects from 127.0.0.1.
    async with client_with(public_rate_limit_per_address=5, trusted_proxies=["127.0.0.1"]) as c:
        statuses = await _public_statuses(c, 8)
    assert statuses == [404] * 8


async def test_forwarded_for_from_an_untrusted_peer_is_ignored(
    client_with: ClientWith,
) -> None:
    async with client_with(public_rate_limit_per_address=5, trusted_proxies=["10.0.0.0/8"]) as c:
        statuses = await _public_statuses(c, 8)
    assert statuses[5:] == [429] * 3


def test_trusted_proxies_read_from_a_comma_separated_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KINERJA_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.10")
    assert Settings().trusted_proxies == ["10.0.0.0/8", "192.0.2.10"]
    monkeypatch.setenv("KINERJA_TRUSTED_PROXIES", "not-an-address")
    with pytest.raises(ValidationError, match="not-an-address"):
        Settings()


async def test_a_superadmin_request_with_nul_in_its_path_is_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    """Superadmin requests are audited with their path before the route runs: a path holding
    NUL reaches the route's own 422, not a 500 from writing the audit event."""
    response = await client.get("/api/v1/periods/a%00b", headers=await _superadmin(world))
    assert error_fields(response) == {"path.period_id"}


async def test_the_audit_trail_stores_unstorable_text_as_replacement_characters(
    world: World,
) -> None:
    region = await world.region()
    async with AsyncSession(bind=world.connection) as session:
        await record(
            session,
            None,
            "probe.recorded",
            entity_type="probe",
            entity_id=None,
            region_id=region.id,
            after={"path": "/a\x00b", "list": ["c\ud800"], "k\x00": 1},
        )
        await session.flush()
    row = (
        await world.connection.execute(
            text("SELECT changes FROM audit_events WHERE action = 'probe.recorded'")
        )
    ).one()
    assert row.changes == {"after": {"path": "/a\ufffdb", "list": ["c\ufffd"], "k\ufffd": 1}}
