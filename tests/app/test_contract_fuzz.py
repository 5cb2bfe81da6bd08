"""Property-based contract test: every operation of the OpenAPI document the app serves is sent
as each of six principals (no token, an employee, a supervisor, a region administrator, a
superadmin, and a service account holding every scope), and every response must be free of 5xx
and match the contract (documented status code, content type, headers and body schema), plus
rules the contract implies but schemathesis does not check (tests/app/fuzzing.py): a body the
contract forbids is not accepted, one it allows is not refused by the request's validation, a
decimal string is a plain decimal, and a service account is admitted where the contract says.

Two tests per operation:
- `test_generated_requests_honour_the_contract`: schemathesis generates requests (valid and
  invalid ones); Hypothesis also decides, per case, whether the path parameters name real rows
  (a region, agencies, employees, a period, a plan with a target and an indicator, a progress
  report, a service unit with staff and feedback, a holiday, a complaint) and which hostile value
  (below), if any, replaces one parameter or body property.
- `test_hostile_values_are_refused_cleanly`: every hostile value in every parameter (query, path,
  header) and top-level body property, one at a time, in an otherwise plain request to real rows:
  NUL and lone surrogates in strings, date-times at the ends of the calendar with offsets (year
  0 or 10000 in UTC), a 5,000-digit integer and `true` where numbers go, `1_000`, `1e2` and
  non-ASCII digits where decimals go, `null` where the contract allows it, and a body nested
  1,000 levels deep.

Where the requests run: the app must live on one event loop with the database connection its
sessions use (asyncpg connections belong to the loop that opened them). schemathesis' own ASGI
client runs apps on a private loop in another thread, and the suite's async fixtures live on
pytest-asyncio's loop, which is idle while a synchronous Hypothesis test runs. So this module
builds, on an `asyncio.Runner` of its own, the same arrangement as the `app` fixture: every
request's unit of work is a savepoint inside one transaction that is rolled back at the end, and
each operation's requests run in a savepoint of their own, so one operation's writes do not
change what the next one meets. schemathesis serializes each case into a `requests` request as
it would for a real server; a transport adapter hands those bytes to the app and gives the raw
response back to schemathesis' checks. Rate limits are lifted for the app under test.

Determinism: a fixed seed, Hypothesis' derandomized mode and no example database, so CI runs
the same cases every time. `KINERJA_FUZZ_EXAMPLES` (default 3) sets how many cases are generated
per operation; `KINERJA_FUZZ_EXAMPLES=500 make test-fuzz` is the nightly-sized run.
"""

import asyncio
import os
from collections.abc import Iterator
from contextlib import AsyncExitStack

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.core.failures import FailureGroup

from kinerja_api.config import Settings
from kinerja_api.openapi_export import contract
from tests.app.fuzzing import (
    BASE_URL,
    DEEP_JSON_MARK,
    EXTREME_DATETIMES,
    HUGE_INTEGER_MARK,
    KNOWN_PRINCIPALS,
    LONE_SURROGATE,
    LOOSE_DECIMALS,
    NUL,
    PRINCIPALS,
    SURROGATE_MARK,
    ASGIAdapter,
    Fuzzing,
    accepts_bodies_the_contract_allows,
    admits_principals_the_contract_describes,
    apply,
    build_known,
    decimals_are_plain,
    mutations_of,
    plain_case,
    refuses_bodies_the_contract_forbids,
    rolled_back_app,
    with_known_ids,
)
from tests.factories import World

MAX_EXAMPLES = int(os.environ.get("KINERJA_FUZZ_EXAMPLES", "3"))
# What the contract promises, checked on every response.
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
OWN_CHECKS = [
    refuses_bodies_the_contract_forbids,
    accepts_bodies_the_contract_allows,
    decimals_are_plain,
    admits_principals_the_contract_describes,
]
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20261122,
        "generation": {
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",
            "mode": "all",
        },
        # The explicit hostile values replace the examples and coverage phases; Hypothesis'
        # `data` (known rows, hostile values) cannot be combined with schema examples.
        "phases": {"examples": {"enabled": False}, "coverage": {"enabled": False}},
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
    }
)


@pytest.fixture(scope="module")
def fuzzing(settings: Settings) -> Iterator[Fuzzing]:
    """The rolled-back app with its known rows and principals, for the whole module."""
    with asyncio.Runner(loop_factory=asyncio.new_event_loop) as runner:
        stack = AsyncExitStack()
        try:
            app, connection = runner.run(stack.enter_async_context(rolled_back_app(settings)))
            known = runner.run(build_known(World(connection, app)))
            KNOWN_PRINCIPALS.update(known.principal_of_token)
            with requests.Session() as session:
                session.mount(BASE_URL, ASGIAdapter(runner, app))
                yield Fuzzing(runner, connection, session, known)
        finally:
            KNOWN_PRINCIPALS.clear()
            runner.run(stack.aclose())


@pytest.fixture
def fuzz(fuzzing: Fuzzing) -> Iterator[Fuzzing]:
    with fuzzing.isolated():
        yield fuzzing


def send_as_everyone(case: schemathesis.Case, fuzz: Fuzzing) -> None:
    """Sends the case as each principal in turn; one error lists every principal's failures."""
    failures: list[str] = []
    for principal in PRINCIPALS:
        try:
            case.call_and_validate(
                base_url=BASE_URL,
                session=fuzz.session,
                headers=fuzz.known.headers_for(principal),
                additional_checks=OWN_CHECKS,
            )
        except FailureGroup as group:
            failures += [f"as {principal}: {describe(failure)}" for failure in group.exceptions]
    if failures:
        raise AssertionError(f"{case.as_curl_command()}\n" + "\n".join(failures))


def describe(failure: BaseException) -> str:
    title = getattr(failure, "title", type(failure).__name__)
    message = " ".join(str(getattr(failure, "message", failure)).split())
    return f"{title}: {message[:300]}"


# The app's own OpenAPI document, as `make openapi` writes it (test_openapi_contract.py checks
# that it equals the committed contract). Loaded at import so that pytest collects one test per
# operation.
schema = schemathesis.openapi.from_dict(contract(), config=CONFIG)
OPERATIONS = [result.ok() for result in schema.get_all_operations()]


@schema.parametrize()
@schema.given(data=st.data())
# `function_scoped_fixture`: one savepoint spans all of an operation's examples, so later
# examples see earlier ones' writes, as they would on a real server. `too_slow` times data
# generation on a machine that also runs PostgreSQL, and must not make CI flaky.
@hypothesis_settings(
    # No shrinking: each step would resend the case as six principals; the failure report
    # shows the request as sent, which is what a fix needs.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_generated_requests_honour_the_contract(
    case: schemathesis.Case, data: st.DataObject, fuzz: Fuzzing
) -> None:
    if data.draw(st.booleans(), label="path parameters name known rows"):
        with_known_ids(case, fuzz.known)
    # A lone surrogate in a body is left to the sweep below: schemathesis re-validates an
    # edited generated body against the schema, and its validator cannot encode one.
    hostile = [
        mutation
        for mutation in mutations_of(case.operation)
        if not (mutation.location == "body" and LONE_SURROGATE in str(mutation.value))
    ]
    if hostile:
        mutation = data.draw(st.none() | st.sampled_from(hostile), label="hostile value")
        if mutation is not None:
            apply(case, mutation)
    send_as_everyone(case, fuzz)


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_hostile_values_are_refused_cleanly(operation: object, fuzz: Fuzzing) -> None:
    failures: list[str] = []
    for mutation in [None, *mutations_of(operation)]:
        case = plain_case(operation, fuzz.known)
        if mutation is not None:
            apply(case, mutation)
        try:
            send_as_everyone(case, fuzz)
        except AssertionError as failure:
            failures.append(f"--- {mutation or 'plain request'}: {failure}")
    assert not failures, "\n".join(failures)


def test_every_operation_is_fuzzed_with_every_hostile_value() -> None:
    """Guards against the parametrized tests above silently collecting nothing, and against a
    hostile value no longer reaching the parameters it is meant for."""
    assert {"/health/live", "/api/v1/me", "/api/v1/public/feedback"} <= {
        operation.path for operation in OPERATIONS
    }
    sent = {(m.location, repr(m.value)) for op in OPERATIONS for m in mutations_of(op)}
    expected = {
        *((location, repr(NUL)) for location in ("query", "path", "header", "body")),
        *((location, repr(f"a{SURROGATE_MARK}b")) for location in ("query", "path", "header")),
        ("body", repr(f"a{LONE_SURROGATE}b")),
        *(("query", repr(value)) for value in EXTREME_DATETIMES),
        *(("body", repr(value)) for value in (*LOOSE_DECIMALS, True, None, HUGE_INTEGER_MARK)),
        ("body", repr(DEEP_JSON_MARK)),
        ("query", repr("9" * 5000)),
    }
    assert expected <= sent, expected - sent
