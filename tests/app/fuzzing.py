"""What the contract fuzz test (test_contract_fuzz.py) needs besides schemathesis: the app on a
rolled-back transaction behind a `requests` adapter, the data and principals it is fuzzed as,
hostile values for every kind of parameter, and the checks schemathesis does not have."""

import asyncio
import io
import itertools
import json
import re
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

import jsonschema_rs
import requests
import schemathesis
from fastapi import FastAPI
from requests.adapters import HTTPAdapter
from schemathesis.core import NOT_SET
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncTransaction, async_sessionmaker
from urllib3 import HTTPResponse
from urllib3._collections import HTTPHeaderDict

from kinerja_api.auth.access import SCOPES
from kinerja_api.config import Settings
from kinerja_api.core.broker import OutboxBroker, StreamEvent, Subscription
from kinerja_api.core.schemas import DECIMAL_PATTERN
from kinerja_api.db import create_engine
from kinerja_api.main import create_app
from kinerja_api.models.org import Role
from kinerja_api.models.progress import ProgressReport
from tests.factories import World

BASE_URL = "http://testserver"
REQUEST_TIMEOUT_SECONDS = 10.0
# Public endpoints are rate limited per address and per service unit, and identical feedback is
# refused for a while: lifted, or the fuzzing meets 429s instead of the code behind them.
UNLIMITED = {
    "public_rate_limit_per_address": 10**9,
    "public_rate_limit_per_unit": 10**9,
    "public_duplicate_window_seconds": 0,
    "public_rate_purge_fraction": 0.0,
}

# --- Hostile values -----------------------------------------------------------------------------

NUL = "a\x00b"
# A lone surrogate cannot be encoded in a URL or a header by `requests`; this private-use
# character stands for it and the adapter puts the surrogate's bytes on the wire (ED A0 80, what
# a client that does not validate its strings sends). In a JSON body it travels as "\ud800".
SURROGATE_MARK = "\U0010fffd"
SURROGATE_WIRE = b"\xed\xa0\x80"
LONE_SURROGATE = "\ud800"
EXTREME_DATETIMES = ("9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+00:01")
DEEP_NESTING_LEVELS = 1000
# Spellings Python's Decimal() or int() accept but a plain decimal is not.
LOOSE_DECIMALS = ("1_000", "\u0663", "\uff11", "1e2")
PLAIN_DECIMAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


# Neither can `requests` serialize these (json.dumps recurses; Python refuses int->str beyond
# 4,300 digits), so the case holds a marker string and the adapter puts the bytes on the wire.
DEEP_JSON_MARK = "<1000 nested arrays>"
HUGE_INTEGER_MARK = "<5000-digit integer>"
WIRE_FOR_MARK = {
    json.dumps(DEEP_JSON_MARK).encode(): b"[" * DEEP_NESTING_LEVELS + b"]" * DEEP_NESTING_LEVELS,
    json.dumps(HUGE_INTEGER_MARK).encode(): b"9" * 5000,
}


def hostile_strings(in_body: bool) -> tuple[str, ...]:
    return (NUL, f"a{LONE_SURROGATE if in_body else SURROGATE_MARK}b")


@dataclass(frozen=True)
class Mutation:
    """One hostile change to an otherwise plain request."""

    location: str  # "query", "path", "header" or "body" (name "" for the whole body)
    name: str
    value: Any

    def __str__(self) -> str:
        return f"{self.location} {self.name}={_short(self.value)}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 60 else f"{text[:40]}...<{len(text)} chars>"


def resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        target: Any = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def alternatives(schema: dict[str, Any], document: dict[str, Any]) -> list[dict[str, Any]]:
    """The non-null branches of a schema (its anyOf/oneOf, flattened), resolved."""
    schema = resolve(schema, document)
    branches = schema.get("anyOf") or schema.get("oneOf")
    if not branches:
        return [] if schema.get("type") == "null" else [schema]
    return [alt for branch in branches for alt in alternatives(branch, document)]


def is_nullable(schema: dict[str, Any], document: dict[str, Any]) -> bool:
    schema = resolve(schema, document)
    branches = schema.get("anyOf") or schema.get("oneOf") or []
    return any(resolve(b, document).get("type") == "null" for b in branches)


def is_decimal(schema: dict[str, Any], document: dict[str, Any]) -> bool:
    """The contract's spelling of a Decimal: a string with the decimal pattern."""
    return any(alt.get("pattern") == DECIMAL_PATTERN for alt in alternatives(schema, document))


def values_for(schema: dict[str, Any], document: dict[str, Any], in_body: bool) -> list[Any]:
    """Hostile values for one parameter or property, by what the contract says it holds."""
    branches = alternatives(schema, document)
    types = {alt.get("type") for alt in branches}
    formats = {alt.get("format") for alt in branches}
    values: list[Any] = []
    if is_decimal(schema, document):
        values += [*LOOSE_DECIMALS, True, HUGE_INTEGER_MARK]
    elif types & {"integer", "number"}:
        values += [True, HUGE_INTEGER_MARK] if in_body else ["9" * 5000]
    if "date-time" in formats:
        values += EXTREME_DATETIMES
    if "string" in types or not types:
        values += hostile_strings(in_body)
    if in_body and is_nullable(schema, document):
        values.append(None)
    return values


# --- Known data and principals ------------------------------------------------------------------

PRINCIPALS = ("anonymous", "employee", "supervisor", "region_admin", "superadmin", "service")


@dataclass
class Known:
    """Real rows created before fuzzing, so path parameters and ids in bodies can hit them."""

    ids: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    # Which principal a token belongs to, for checks that read the request's headers.
    principal_of_token: dict[str, str] = field(default_factory=dict)

    def headers_for(self, principal: str) -> dict[str, str]:
        token = self.tokens.get(principal)
        return {"Authorization": f"Bearer {token}"} if token else {}

    def path_value(self, path: str, name: str) -> str | None:
        if name == "code":
            return self.ids["unit_code" if "service-units" in path else "region_code"]
        return self.ids.get(name)

    def body_value(self, name: str) -> str | None:
        return self.ids.get(name)


async def build_known(world: World) -> Known:
    region = await world.region(code="fuzzland")
    agency = await world.agency(region)
    child = await world.agency(region, parent=agency)
    boss = await world.employee(region, agency, name="Atasan Uji")
    staffer = await world.employee(region, child, supervisor=boss, name="Pegawai Uji")
    period = await world.period(region)
    plan = await world.plan(period, staffer)
    target = await world.target(plan)
    indicator = await world.indicator(target)
    report = await world._insert(
        ProgressReport,
        region_id=region.id,
        plan_id=plan.id,
        target_id=target.id,
        indicator_id=indicator.id,
        employee_id=staffer.id,
        agency_id=staffer.agency_id,
        value=Decimal(5),
        reported_for=date(2026, 2, 10),
        year=2026,
        quarter=1,
    )
    unit = await world.service_unit(agency)
    counter = await world.staff(unit, staffer)
    feedback = await world.feedback(unit, staff=counter)
    holiday = await world.holiday(region, date(2026, 8, 17))
    complaint = await world.complaint(region, service_unit_id=unit.id, agency_id=agency.id)
    subscription = await world.webhook_subscription(region)
    delivery = await world.webhook_delivery(subscription)
    users = {
        "employee": await world.user(region, Role.EMPLOYEE, employee=staffer),
        "supervisor": await world.user(region, Role.EMPLOYEE, employee=boss),
        "region_admin": await world.user(region, Role.REGION_ADMIN),
        "superadmin": await world.user(None, Role.SUPERADMIN),
    }
    account = await world.service_account(region, *SCOPES)
    tokens = {name: world.token(user) for name, user in users.items()}
    tokens["service"] = world.service_token(account)
    ids = {
        "region_id": region.id,
        "region_code": region.code,
        "agency_id": agency.id,
        "parent_id": agency.id,
        "under": agency.id,
        "employee_id": staffer.id,
        "supervisor_id": boss.id,
        "assignee_employee_id": staffer.id,
        "period_id": period.id,
        "plan_id": plan.id,
        "target_id": target.id,
        "parent_target_id": target.id,
        "indicator_id": indicator.id,
        "report_id": report.id,
        "unit_id": unit.id,
        "service_unit_id": unit.id,
        "unit_code": unit.code,
        "staff_id": counter.id,
        "staff_code": counter.code,
        "feedback_id": feedback.id,
        "holiday_id": holiday.id,
        "complaint_id": complaint.id,
        "tracking_code": complaint.tracking_code,
        "user_id": users["employee"].id,
        "account_id": account.id,
        "subscription_id": subscription.id,
        "delivery_id": delivery.id,
        "revision": 1,
    }
    return Known(
        ids={name: str(value) for name, value in ids.items()},
        tokens=tokens,
        principal_of_token={token: name for name, token in tokens.items()},
    )


# --- The app on a rolled-back transaction -------------------------------------------------------


@asynccontextmanager
async def rolled_back_app(settings: Settings) -> AsyncIterator[tuple[FastAPI, AsyncConnection]]:
    """The app as the `app` fixture builds it, rate limits lifted, on the running loop;
    everything it writes is rolled back on exit."""
    assert settings.database_url
    engine = create_engine(settings.database_url, settings, app_role=settings.db_app_role)
    app = create_app(settings.model_copy(update=UNLIMITED))
    app.state.stream_broker = EndingBroker(
        settings.database_url, app_role=settings.db_app_role, queue_size=1
    )
    try:
        async with engine.connect() as connection:
            transaction = await connection.begin()
            app.state.db.sessions = async_sessionmaker(
                bind=connection,
                join_transaction_mode="create_savepoint",
                expire_on_commit=False,
                autoflush=False,
            )
            try:
                yield app, connection
            finally:
                await transaction.rollback()
    finally:
        # The app's own engine serves the endpoints that do not use a session (readiness).
        await app.state.db.dispose()
        await engine.dispose()


@dataclass
class Exchange:
    status: int = 0
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: list[bytes] = field(default_factory=list)


def _wire(text: str) -> bytes:
    """A URL or header value as bytes, the surrogate mark replaced by the surrogate's bytes."""
    encoded = text.encode("utf-8")
    return encoded.replace(SURROGATE_MARK.encode(), SURROGATE_WIRE).replace(
        b"%F4%8F%BF%BD", b"%ED%A0%80"
    )


def asgi_scope(request: requests.PreparedRequest) -> dict[str, Any]:
    url = _wire(str(request.url)).removeprefix(BASE_URL.encode())
    raw_path, _, query = url.partition(b"?")
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": str(request.method),
        "scheme": "http",
        "path": unquote(raw_path.decode("latin-1"), errors="replace"),
        "raw_path": raw_path,
        "root_path": "",
        "query_string": query,
        "headers": [(k.lower().encode("latin-1"), _wire(v)) for k, v in request.headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


async def exchange(app: FastAPI, request: requests.PreparedRequest) -> Exchange:
    """Runs one request through the app, the marked bodies replaced by their bytes."""
    body = request.body or b""
    content = body.encode() if isinstance(body, str) else bytes(body)
    for mark, wire in WIRE_FOR_MARK.items():
        content = content.replace(mark, wire)
    result = Exchange()
    delivered = False

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": content, "more_body": False}
        await asyncio.Event().wait()  # the client never disconnects first
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            result.status = message["status"]
            result.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            result.body.append(message.get("body", b""))

    async with asyncio.timeout(REQUEST_TIMEOUT_SECONDS):
        await app(asgi_scope(request), receive, send)
    return result


class EndingBroker(OutboxBroker):
    """Every stream ends after its replay, as when a subscriber falls behind and is told to
    resume: a stream answered in full, instead of one that never ends."""

    def subscribe(self, admits: Callable[[StreamEvent], bool]) -> Subscription:
        subscription = super().subscribe(admits)
        subscription.close()
        return subscription


class ASGIAdapter(HTTPAdapter):
    """A `requests` transport adapter that sends each prepared request to an ASGI app on the
    given runner's loop, byte for byte, and returns the response undecoded."""

    def __init__(self, runner: asyncio.Runner, app: FastAPI) -> None:
        super().__init__()
        self.runner = runner
        self.app = app

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        result = self.runner.run(exchange(self.app, request))
        headers = HTTPHeaderDict()
        for name, value in result.headers:
            headers.add(name.decode("latin-1"), value.decode("latin-1"))
        return self.build_response(
            request,
            HTTPResponse(
                body=io.BytesIO(b"".join(result.body)),
                headers=headers,
                status=result.status,
                version=11,
                preload_content=False,
                request_method=request.method,
            ),
        )


@dataclass
class Fuzzing:
    """One rolled-back app with its known data, reached through `session`."""

    runner: asyncio.Runner
    connection: AsyncConnection
    session: requests.Session
    known: Known

    async def _begin_nested(self) -> AsyncTransaction:
        return await self.connection.begin_nested()

    @contextmanager
    def isolated(self) -> Iterator[None]:
        """A savepoint around one operation's requests, so its writes (a deleted holiday, a
        deactivated user) do not change what the next operation meets."""
        savepoint = self.runner.run(self._begin_nested())
        try:
            yield
        finally:
            if savepoint.is_active:
                self.runner.run(savepoint.rollback())


# --- Checks schemathesis does not have -----------------------------------------------------------


def _body_schema(case: schemathesis.Case) -> dict[str, Any] | None:
    if case.media_type is None:
        return None
    alternative = case.operation.get_body_for_media_type(case.media_type)
    return None if alternative is None else dict(alternative.validation_schema)


def _json_body(case: schemathesis.Case) -> dict[str, Any] | None:
    return case.body if isinstance(case.body, dict) else None


def body_is_contract_valid(case: schemathesis.Case) -> bool | None:
    """Whether the JSON body matches the contract (formats included); None without one."""
    schema = _body_schema(case)
    body = case.body
    if schema is None or body is NOT_SET or isinstance(body, bytes) or body == DEEP_JSON_MARK:
        return None
    try:
        return bool(jsonschema_rs.validator_for(schema, validate_formats=True).is_valid(body))
    except (ValueError, OverflowError):
        return False


def _problem(response: schemathesis.Response) -> dict[str, Any]:
    try:
        parsed = json.loads(response.content)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


@schemathesis.check
def refuses_bodies_the_contract_forbids(
    ctx: Any, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """A body the contract does not allow (e.g. `true` for an integer) must not be stored."""
    if 200 <= response.status_code < 300 and body_is_contract_valid(case) is False:
        raise AssertionError(
            f"A body the contract forbids was accepted with {response.status_code}"
        )
    return None


@schemathesis.check
def decimals_are_plain(
    ctx: Any, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """A decimal the contract takes as a string must be spelled as one: ASCII digits, an
    optional point, no `_`, exponent or other scripts' digits."""
    body, schema = _json_body(case), body_schema_of(case.operation)
    if body is None or schema is None or not 200 <= response.status_code < 300:
        return None
    properties = schema.get("properties", {})
    document = case.operation.schema.raw_schema
    for name, value in body.items():
        if (
            name in properties
            and is_decimal(properties[name], document)
            and isinstance(value, str)
            and value != HUGE_INTEGER_MARK
            and not PLAIN_DECIMAL.match(value.strip())
        ):
            raise AssertionError(f"Decimal `{name}` accepted the spelling {value!r}")
    return None


@schemathesis.check
def admits_principals_the_contract_describes(
    ctx: Any, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """A service account holding every scope must not be refused an operation that needs only
    scopes it holds, nor one whose answer describes a service account (`kind`)."""
    if response.status_code != 403:
        return None
    authorization = response.request.headers.get("Authorization", "")
    principal = KNOWN_PRINCIPALS.get(authorization.removeprefix("Bearer "))
    if principal != "service":
        return None
    definition = case.operation.definition.raw
    required = [set(req.get("OAuth2", [])) for req in definition.get("security", [])]
    if any(scopes and scopes <= set(SCOPES) for scopes in required) or _describes_service_account(
        case
    ):
        raise AssertionError(
            "A service account holding every scope was refused (403) an operation its "
            "contract admits it to"
        )
    return None


def _describes_service_account(case: schemathesis.Case) -> bool:
    document = case.operation.schema.raw_schema
    for status, answer in case.operation.definition.raw.get("responses", {}).items():
        if not str(status).startswith("2"):
            continue
        for media in answer.get("content", {}).values():
            schema = resolve(media.get("schema", {}), document)
            kind = resolve(schema.get("properties", {}).get("kind", {}), document)
            if "service_account" in kind.get("enum", []) or kind.get("const") == "service_account":
                return True
    return False


# Tokens of the principals of the running test, by token; set by the fixture.
KNOWN_PRINCIPALS: dict[str, str] = {}

# Characters the app refuses in any text on purpose (PostgreSQL cannot store them).
_HOSTILE_TEXT = ("\x00", LONE_SURROGATE)


def _holds_hostile_text(value: Any) -> bool:
    if isinstance(value, str):
        return any(mark in value for mark in _HOSTILE_TEXT)
    if isinstance(value, dict):
        return any(_holds_hostile_text(item) for item in value.values())
    if isinstance(value, list):
        return any(_holds_hostile_text(item) for item in value)
    return False


def _holds_loose_number(case: schemathesis.Case) -> bool:
    """A 5,000-digit number, a decimal string that is not a plain decimal, or an integer
    written as a float (`118.0`, an integer to JSON Schema, not to a strict count): refusing
    any of them is right."""
    body, schema = _json_body(case), body_schema_of(case.operation)
    if body is None or schema is None:
        return False
    properties = schema.get("properties", {})
    document = case.operation.schema.raw_schema
    return any(
        value == HUGE_INTEGER_MARK
        or (
            name in properties
            and is_decimal(properties[name], document)
            and isinstance(value, str)
            and not PLAIN_DECIMAL.match(value)
        )
        or (
            name in properties
            and isinstance(value, float)
            and any(
                alt.get("type") == "integer" for alt in alternatives(properties[name], document)
            )
        )
        for name, value in body.items()
    )


@schemathesis.check
def accepts_bodies_the_contract_allows(
    ctx: Any, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """The request's own validation must not refuse what the contract allows: `null` for a
    property the contract declares nullable, or a value of the type the contract declares (a
    pydantic `*_type` error on a body the contract accepts). Rules the contract cannot express
    (a NIP's birth date, an unknown code, NUL in text) are the service's to refuse."""
    if response.status_code != 422 or not body_is_contract_valid(case):
        return None
    if _holds_hostile_text(case.body) or _holds_loose_number(case):
        return None
    errors = [e for e in _problem(response).get("errors") or [] if isinstance(e, dict)]
    nulls = _nullable_properties_sent_as_null(case)
    for error in errors:
        field_name, message = str(error.get("field", "")), str(error.get("message", ""))
        names_a_null = any(
            field_name == f"body.{name}" or (field_name == "body" and f"{name} " in message)
            for name in nulls
        )
        # The request's validation speaks in pydantic's codes; a service rule that refuses a
        # null (a user outside any region) uses its own, e.g. `missing`.
        code = str(error.get("code", ""))
        from_validation = code == "value_error" or code.endswith("_type")
        wrong_type = field_name.startswith("body") and code.endswith("_type")
        if (names_a_null and from_validation) or wrong_type:
            raise AssertionError(f"A body the contract allows was refused: {error}")
    return None


def _nullable_properties_sent_as_null(case: schemathesis.Case) -> list[str]:
    body, schema = _json_body(case), body_schema_of(case.operation)
    if body is None or schema is None:
        return []
    properties = schema.get("properties", {})
    document = case.operation.schema.raw_schema
    return [
        name
        for name, value in body.items()
        if value is None and name in properties and is_nullable(properties[name], document)
    ]


# --- Mutations and plain requests ---------------------------------------------------------------


def body_schema_of(operation: Any) -> dict[str, Any] | None:
    document = operation.schema.raw_schema
    content = operation.definition.raw.get("requestBody", {}).get("content", {})
    media = content.get("application/json")
    return None if media is None else resolve(media.get("schema", {}), document)


def mutations_of(operation: Any) -> list[Mutation]:
    """Every hostile value for every parameter and top-level body property of an operation,
    and the two bodies no JSON parser should choke on."""
    document = operation.schema.raw_schema
    mutations: list[Mutation] = []
    for parameter in operation.definition.raw.get("parameters", []):
        location = parameter["in"]
        for value in values_for(parameter.get("schema", {}), document, in_body=False):
            mutations.append(Mutation(location, parameter["name"], value))
    body = body_schema_of(operation)
    if body is not None:
        for name, schema in body.get("properties", {}).items():
            for value in values_for(schema, document, in_body=True):
                mutations.append(Mutation("body", name, value))
        mutations.append(Mutation("body", "", DEEP_JSON_MARK))
    return mutations


_emails = itertools.count(1)


def plain_value(name: str, schema: dict[str, Any], document: dict[str, Any], known: Known) -> Any:
    """A simple value the contract allows, a known id where the name says which."""
    if name in known.ids and name not in {"revision"}:
        return known.ids[name]
    branches = alternatives(schema, document)
    if not branches:
        return None
    chosen = branches[0]
    if "enum" in chosen:
        return chosen["enum"][0]
    if "const" in chosen:
        return chosen["const"]
    if chosen.get("examples"):
        return chosen["examples"][0]
    kind = chosen.get("type")
    if kind in {"integer", "number"}:
        low = chosen.get("minimum", chosen.get("exclusiveMinimum", 0) + 1)
        return min(int(low) if low == int(low) else low, chosen.get("maximum", 10**6))
    if kind == "boolean":
        return True
    if kind == "array":
        return (
            []
            if not chosen.get("minItems")
            else [plain_value("", chosen["items"], document, known)]
        )
    if kind == "object":
        return plain_object(chosen, document, known)
    fmt = chosen.get("format")
    by_format = {
        "uuid": known.ids["region_id"],
        "date": "2026-03-02",
        "date-time": "2026-03-02T08:00:00+07:00",
        "email": f"fuzz.{next(_emails)}@kinerja.go.id",
        "uri": "https://kinerja.go.id/bukti",
    }
    if fmt in by_format:
        return by_format[fmt]
    return "Uji" + "x" * max(0, chosen.get("minLength", 1) - 3)


# Optional properties a plain body names anyway: without them, rules the contract cannot
# express (a complaint names a unit or a region; a user made by a superadmin names a region)
# refuse the plain request before the hostile value is looked at.
ALWAYS_NAMED = ("region_id", "region_code", "unit_code")


def plain_object(schema: dict[str, Any], document: dict[str, Any], known: Known) -> dict[str, Any]:
    properties = schema.get("properties", {})
    names = [*schema.get("required", []), *(n for n in ALWAYS_NAMED if n in properties)]
    return {
        name: plain_value(name, properties[name], document, known) for name in dict.fromkeys(names)
    }


def plain_case(operation: Any, known: Known) -> schemathesis.Case:
    """A request to known rows with the required query parameters and body properties only."""
    document = operation.schema.raw_schema
    path_parameters: dict[str, Any] = {}
    query: dict[str, Any] = {}
    for parameter in operation.definition.raw.get("parameters", []):
        name = parameter["name"]
        if parameter["in"] == "path":
            path_parameters[name] = known.path_value(operation.path, name)
        elif parameter["in"] == "query" and parameter.get("required"):
            query[name] = plain_value(name, parameter.get("schema", {}), document, known)
    body = body_schema_of(operation)
    if body is None:
        return operation.Case(path_parameters=path_parameters, query=query)
    return operation.Case(
        path_parameters=path_parameters,
        query=query,
        body=plain_object(body, document, known),
        media_type="application/json",
    )


def apply(case: schemathesis.Case, mutation: Mutation) -> None:
    if mutation.location == "query":
        case.query = {**(case.query or {}), mutation.name: mutation.value}
    elif mutation.location == "path":
        case.path_parameters = {**(case.path_parameters or {}), mutation.name: mutation.value}
    elif mutation.location == "header":
        case.headers = {**dict(case.headers or {}), mutation.name: mutation.value}
    elif mutation.location == "cookie":
        case.cookies = {**(case.cookies or {}), mutation.name: mutation.value}
    elif mutation.name == "":
        case.body = mutation.value
        case.media_type = "application/json"
    else:
        current = case.body if isinstance(case.body, dict) else {}
        case.body = {**current, mutation.name: mutation.value}
        case.media_type = "application/json"
    if _holds_hostile_text(mutation.value):
        # schemathesis revalidates an edited case against the schema, with a validator that
        # cannot encode a lone surrogate: the mutated case is taken as the case's start instead.
        case._record_starting_state()


def with_known_ids(case: schemathesis.Case, known: Known) -> None:
    case.path_parameters = {
        name: known.path_value(case.path, name) or value
        for name, value in (case.path_parameters or {}).items()
    }
