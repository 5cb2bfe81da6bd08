"""Complaints in SP4N-LAPOR!'s disposition shape: the example file round-trips (a complaint
filed and followed as the file describes exports as the file reads), no citizen's contact is
exported, each reader sees only what they oversee, and the period is checked."""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from kinerja_api.core import clock
from kinerja_api.models.org import Role
from tests.exchange.helpers import Example, example, health_office
from tests.factories import World

URL = "/api/v1/exchange/lapor/complaints"
SUBMIT = "/api/v1/public/complaints"
STAFF = "/api/v1/complaints"
WIB = ZoneInfo("Asia/Jakarta")
CONTACT = {"name": "Rina Marlina", "phone": "+62 812-3456-7890", "email": "rina@example.com"}


def _today() -> dict[str, str]:
    today = clock.utc_now().astimezone(WIB).date().isoformat()
    return {"received_from": today, "received_to": today}


async def _act(
    client: httpx.AsyncClient, complaint_id: str, action: str, body: Any, headers: Any
) -> None:
    current = await client.get(f"{STAFF}/{complaint_id}", headers=headers)
    response = await client.post(
        f"{STAFF}/{complaint_id}/{action}",
        json=body,
        headers={**headers, "If-Match": current.headers["etag"]},
    )
    assert response.status_code == 200, response.text


async def _followed_complaint(
    client: httpx.AsyncClient, world: World, ex: Example
) -> tuple[str, Any]:
    unit = await world.service_unit(ex.centre, name="Loket Imunisasi")
    ex.spellings[unit.code] = "PKMMB01"
    submitted = await client.post(
        SUBMIT,
        json={
            "unit_code": unit.code,
            "category": "waiting_time",
            "description": "Antrean imunisasi terlalu lama. Kami menunggu lebih dari tiga jam "
            "dan hanya ada satu petugas.",
            "location": "Puskesmas Muara Bungo, ruang imunisasi",
            "contact": CONTACT,
        },
    )
    assert submitted.status_code == 201, submitted.text
    tracking_code = submitted.json()["tracking_code"]
    ex.spellings[tracking_code] = "LPR7K2M9QX4T"
    officer = world.auth(await world.user(ex.region, Role.COMPLAINT_OFFICER))
    (item,) = (await client.get(STAFF, headers=officer)).json()["items"]
    await _act(client, item["id"], "triage", {"agency_id": str(ex.office.id)}, officer)
    await _act(client, item["id"], "assign", {"assignee_employee_id": str(ex.staff.id)}, officer)
    await _act(
        client,
        item["id"],
        "respond",
        {"body": "Catatan internal: jadwal petugas.", "visibility": "internal"},
        officer,
    )
    await _act(
        client,
        item["id"],
        "resolve",
        {"resolution": "Mulai bulan depan imunisasi dibuka dalam dua sesi dengan dua petugas."},
        officer,
    )
    return tracking_code, officer


def _as_example(ex: Example, document: Any, expected: Any) -> Any:
    """The export with generated codes spelled as the example's, and each instant (all are
    now, on this run) checked (in WIB, the history in order) and then taken from the
    example."""
    spelled = ex.spelled_as_example(document)
    spelled["periode"] = expected["periode"]
    for report, wanted in zip(spelled["laporan"], expected["laporan"], strict=True):
        history = [step["waktu"] for step in report["riwayat_status"]]
        assert history == sorted(history, key=datetime.fromisoformat)
        instants = [report["tanggal_laporan"], report["batas_waktu"], *history]
        assert all(t.endswith("+07:00") for t in instants), instants
        due = datetime.fromisoformat(report["batas_waktu"])
        assert due > datetime.fromisoformat(report["tanggal_laporan"]) + timedelta(days=1)
        for key in ("tanggal_laporan", "batas_waktu"):
            report[key] = wanted[key]
        for name in ("disposisi", "riwayat_status", "tindak_lanjut"):
            for step, wanted_step in zip(report[name], wanted[name], strict=True):
                step["waktu"] = wanted_step["waktu"]
    return spelled


async def test_the_example_file_is_what_a_followed_complaint_exports(
    client: httpx.AsyncClient, world: World
) -> None:
    ex = await health_office(world)
    await _followed_complaint(client, world, ex)
    admin = await world.user(ex.region, Role.REGION_ADMIN)
    response = await client.get(URL, params=_today(), headers=world.auth(admin))
    assert response.status_code == 200, response.text
    for secret in CONTACT.values():
        assert secret not in response.text
    assert "jadwal petugas" not in response.text  # internal notes stay inside
    expected = example("sp4n-lapor-disposisi.json")
    assert _as_example(ex, response.json(), expected) == expected


async def test_each_reader_exports_what_they_oversee(
    client: httpx.AsyncClient, world: World
) -> None:
    ex = await health_office(world)
    tracking_code, officer = await _followed_complaint(client, world, ex)

    def codes(response: httpx.Response) -> list[str]:
        assert response.status_code == 200, response.text
        return [report["nomor_tiket"] for report in response.json()["laporan"]]

    office_admin = await world.user(ex.region, Role.AGENCY_ADMIN, agency=ex.office)
    other_admin = await world.user(ex.region, Role.AGENCY_ADMIN, agency=ex.other_agency)
    auditor = await world.user(ex.region, Role.AUDITOR)
    for reader in (office_admin, auditor):
        assert codes(await client.get(URL, params=_today(), headers=world.auth(reader))) == [
            tracking_code
        ]
    assert codes(await client.get(URL, params=_today(), headers=officer)) == [tracking_code]
    assert codes(await client.get(URL, params=_today(), headers=world.auth(other_admin))) == []
    elsewhere = await world.user(await world.region(), Role.REGION_ADMIN)
    assert codes(await client.get(URL, params=_today(), headers=world.auth(elsewhere))) == []
    yesterday = (clock.utc_now().astimezone(WIB) - timedelta(days=1)).date().isoformat()
    before = {"received_from": yesterday, "received_to": yesterday}
    assert codes(await client.get(URL, params=before, headers=world.auth(auditor))) == []


async def test_refusals_and_the_period_checked(client: httpx.AsyncClient, world: World) -> None:
    ex = await health_office(world)
    admin = world.auth(await world.user(ex.region, Role.REGION_ADMIN))
    for refused in (
        await world.user(ex.region, Role.EMPLOYEE, employee=ex.staff),
        await world.user(ex.region, Role.TRAINING_ADMIN),
        await world.service_account(ex.region, "exchange:read", "plans:read"),
    ):
        response = await client.get(URL, params=_today(), headers=world.auth(refused))
        assert response.status_code == 403, response.text
    assert (await client.get(URL, params=_today())).status_code == 401
    backwards = {"received_from": "2026-03-02", "received_to": "2026-03-01"}
    too_long = {"received_from": "2025-01-01", "received_to": "2026-01-02"}
    for period in (backwards, too_long, {"received_from": "2026-02-30"}):
        response = await client.get(URL, params=period, headers=admin)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    a_year = {"received_from": "2025-01-01", "received_to": "2025-12-31"}
    assert (await client.get(URL, params=a_year, headers=admin)).status_code == 200
