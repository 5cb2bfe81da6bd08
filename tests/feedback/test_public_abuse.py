"""Abuse controls on the public endpoints: what counts toward which limit, duplicates compared in
stored form, and chunked bodies over the size limit. The counters' purge is a periodic job
(tests/core/test_jobs.py)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncConnection, async_sessionmaker

from kinerja_api.config import Settings
from kinerja_api.main import create_app
from kinerja_api.models.feedback import IKM_ELEMENTS
from tests.conftest import ClientWith
from tests.factories import World

SURVEY = "/api/v1/public/feedback"
COMPLAINT = "/api/v1/public/complaints"


def _survey(unit_code: str, score: int = 3, **extra: Any) -> dict[str, Any]:
    return {"unit_code": unit_code, **dict.fromkeys(IKM_ELEMENTS, score), **extra}


def _complaint(unit_code: str, location: str = "Loket 2") -> dict[str, Any]:
    return {
        "unit_code": unit_code,
        "category": "waiting_time",
        "description": "Antrean KTP lebih dari tiga jam tanpa kejelasan.",
        "location": location,
    }


@asynccontextmanager
async def _from_addresses(
    settings: Settings, connection: AsyncConnection, *addresses: str, **overrides: Any
) -> AsyncIterator[list[httpx.AsyncClient]]:
    """One app, one client per client address, nested in the test's transaction."""
    application = create_app(settings.model_copy(update=overrides))
    application.state.db.sessions = async_sessionmaker(
        bind=connection,
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
        autoflush=False,
    )
    clients = [
        httpx.AsyncClient(
            transport=httpx.ASGITransport(
                app=application, raise_app_exceptions=False, client=(address, 4000)
            ),
            base_url="http://testserver",
        )
        for address in addresses
    ]
    try:
        yield clients
    finally:
        for http in clients:
            await http.aclose()


async def _unit(world: World) -> Any:
    region = await world.region()
    return await world.service_unit(await world.agency(region))


def _retry_after(response: httpx.Response, window: int) -> int:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    seconds = int(response.headers["retry-after"])
    assert 1 <= seconds <= window
    return seconds


# --- rate limits --------------------------------------------------------------------------


async def test_complaint_filing_is_limited_per_address(
    client_with: ClientWith, world: World
) -> None:
    unit = await _unit(world)
    async with client_with(public_rate_limit_per_address=2, public_rate_window_seconds=300) as http:
        first = await http.post(COMPLAINT, json=_complaint(unit.code, "Loket 1"))
        second = await http.post(COMPLAINT, json=_complaint(unit.code, "Loket 2"))
        assert (first.status_code, second.status_code) == (201, 201)
        _retry_after(await http.post(COMPLAINT, json=_complaint(unit.code, "Loket 3")), 300)


async def test_tracking_code_look_ups_are_limited_per_address(
    client_with: ClientWith, world: World
) -> None:
    complaint = await world.complaint(await world.region())
    url = f"{COMPLAINT}/{complaint.tracking_code}"
    async with client_with(public_rate_limit_per_address=2, public_rate_window_seconds=60) as http:
        assert [(await http.get(url)).status_code for _ in range(2)] == [200, 200]
        _retry_after(await http.get(url), 60)
        # Guessing other codes is refused the same way, found or not.
        _retry_after(await http.get(f"{COMPLAINT}/ZZZZZZZZZZZZZZZZ"), 60)


async def test_the_unit_limit_holds_across_client_addresses(
    settings: Settings, connection: AsyncConnection, world: World
) -> None:
    unit = await _unit(world)
    async with _from_addresses(
        settings,
        connection,
        "198.51.100.1",
        "198.51.100.2",
        public_rate_limit_per_unit=2,
        public_rate_window_seconds=900,
    ) as (first, second):
        assert (await first.post(SURVEY, json=_survey(unit.code, 1))).status_code == 201
        assert (await second.post(SURVEY, json=_survey(unit.code, 2))).status_code == 201
        _retry_after(await first.post(SURVEY, json=_survey(unit.code, 3)), 900)
        _retry_after(await second.post(COMPLAINT, json=_complaint(unit.code)), 900)


async def test_invalid_bodies_count_toward_the_address_limit(
    client_with: ClientWith, world: World
) -> None:
    unit = await _unit(world)
    async with client_with(public_rate_limit_per_address=2) as http:
        for broken in ({"unit_code": unit.code}, _survey(unit.code, 9)):
            assert (await http.post(SURVEY, json=broken)).status_code == 422
        _retry_after(await http.post(SURVEY, json=_survey(unit.code)), 600)


# --- duplicates ---------------------------------------------------------------------------


def _typed(code: str) -> str:
    """The code as a person might type it: lower case, a hyphen and a space in it."""
    lowered = code.lower()
    return f"{lowered[:4]}-{lowered[4:]} "


async def test_duplicates_compare_codes_as_stored(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    agency = await world.agency(region)
    unit = await world.service_unit(agency)
    staff = await world.staff(unit, await world.employee(region, agency))
    first = await client.post(SURVEY, json=_survey(unit.code, staff_code=staff.code))
    assert first.status_code == 201, first.text
    again = await client.post(
        SURVEY, json=_survey(_typed(unit.code), staff_code=_typed(staff.code))
    )
    assert again.status_code == 409, again.text
    filed = await client.post(COMPLAINT, json=_complaint(unit.code))
    assert filed.status_code == 201, filed.text
    twin = await client.post(COMPLAINT, json=_complaint(_typed(unit.code)))
    assert twin.status_code == 409, twin.text


# --- body size ----------------------------------------------------------------------------


async def test_a_chunked_body_over_the_limit_is_413(
    client: httpx.AsyncClient, world: World
) -> None:
    unit = await _unit(world)
    payload = ('{"unit_code": "' + unit.code + '", "comment": "' + "x" * 40_000 + '"}').encode()

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(payload), 4096):
            yield payload[start : start + 4096]

    response = await client.post(
        SURVEY, content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.request.headers.get("content-length") is None
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
