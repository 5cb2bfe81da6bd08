"""The JP compliance report: an agency subtree's employees with their JP and shortfall, paged
by cursor in one statement a page, `only_short`, its readers, refusals and another region's
404."""

from datetime import date

import httpx
from sqlalchemy import event, update
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.models.org import Employee
from tests.factories import World
from tests.training.helpers import Team, team

REPORT = "/api/v1/reports/jp-compliance"


async def _ledger(world: World, t: Team) -> None:
    await world.jp_entry(t.boss, jp=20, completed_on=date(2026, 3, 1))
    await world.jp_entry(t.staff, jp=8, completed_on=date(2026, 3, 1))
    await world.jp_entry(t.staff, jp=4, completed_on=date(2026, 9, 1))
    await world.jp_entry(t.staff, jp=30, completed_on=date(2025, 9, 1))
    await world.jp_entry(t.outsider, jp=2, completed_on=date(2026, 3, 1))


async def test_the_report_lists_a_subtree_with_jp_and_shortfall(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    t = await team(world)
    await _ledger(world, t)
    await connection.execute(
        update(Employee).where(Employee.id == t.colleague.id).values(employment_type="pppk")
    )
    params: dict[str, str | int] = {"year": 2026, "agency_id": str(t.agency.id)}
    response = await client.get(REPORT, params=params, headers=world.auth(t.admin))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["year"], body["timezone"], body["next_cursor"]) == (2026, "Asia/Jakarta", None)
    rows = {row["employee_id"]: row for row in body["items"]}
    assert set(rows) == {str(t.boss.id), str(t.staff.id), str(t.colleague.id)}
    assert [row["name"] for row in body["items"]] == sorted(row["name"] for row in body["items"])
    figures = {k: (r["total_jp"], r["minimum_jp"], r["shortfall_jp"]) for k, r in rows.items()}
    assert figures == {
        str(t.boss.id): ("20", "20", "0"),
        str(t.staff.id): ("12", "20", "8"),
        str(t.colleague.id): ("0", None, None),
    }
    short = await client.get(
        REPORT, params={**params, "only_short": "true"}, headers=world.auth(t.admin)
    )
    assert [row["employee_id"] for row in short.json()["items"]] == [str(t.staff.id)]
    sub = await client.get(
        REPORT,
        params={"year": 2026, "agency_id": str(t.sub_agency.id)},
        headers=world.auth(t.auditor),
    )
    assert [row["employee_id"] for row in sub.json()["items"]] == [str(t.staff.id)]
    whole = await client.get(REPORT, params={"year": 2026}, headers=world.auth(t.region_admin))
    assert len(whole.json()["items"]) == 4


async def test_pages_follow_the_cursor_with_one_statement_each(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    t = await team(world)
    await _ledger(world, t)
    for number in range(5):
        employee = await world.employee(t.region, t.sub_agency, name=f"Zaenal {number}")
        await world.jp_entry(employee, jp=number + 1, completed_on=date(2026, 5, 5))
    statements: list[str] = []

    def count(*args: object) -> None:
        statement = str(args[2])
        if "jp_ledger" in statement:
            statements.append(statement)

    sync_engine = connection.sync_connection
    assert sync_engine is not None
    event.listen(sync_engine, "before_cursor_execute", count)
    try:
        seen: list[str] = []
        cursor = None
        pages = 0
        while True:
            params: dict[str, str | int] = {"year": 2026, "agency_id": str(t.agency.id), "limit": 3}
            if cursor is not None:
                params["cursor"] = cursor
            response = await client.get(REPORT, params=params, headers=world.auth(t.admin))
            assert response.status_code == 200, response.text
            pages += 1
            seen += [row["employee_id"] for row in response.json()["items"]]
            cursor = response.json()["next_cursor"]
            if cursor is None:
                break
    finally:
        event.remove(sync_engine, "before_cursor_execute", count)
    assert len(seen) == len(set(seen)) == 8
    assert pages == 3
    assert len(statements) == pages
    other = await client.get(
        REPORT,
        params={"year": 2025, "agency_id": str(t.agency.id), "limit": 3, "cursor": cursor or "x"},
        headers=world.auth(t.admin),
    )
    assert other.status_code == 400


async def test_an_agency_admin_reports_on_their_subtree_only(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    await _ledger(world, t)
    own = await client.get(REPORT, params={"year": 2026}, headers=world.auth(t.agency_admin))
    assert {row["employee_id"] for row in own.json()["items"]} == {
        str(t.boss.id),
        str(t.staff.id),
        str(t.colleague.id),
    }
    elsewhere = await client.get(
        REPORT,
        params={"year": 2026, "agency_id": str(t.other_agency.id)},
        headers=world.auth(t.agency_admin),
    )
    # an agency outside their subtree is one they cannot read
    assert elsewhere.status_code == 404


async def test_who_may_not_read_the_report_and_another_region_404(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    for user in (t.staff_user, t.boss_user, t.complaint_officer):
        response = await client.get(REPORT, params={"year": 2026}, headers=world.auth(user))
        assert response.status_code == 403, response.text
    assert (await client.get(REPORT)).status_code == 401
    foreign = await client.get(
        REPORT, params={"agency_id": str(t.agency.id)}, headers=world.auth(t.foreign_admin)
    )
    assert foreign.status_code == 404
    bad_year = await client.get(REPORT, params={"year": 3000}, headers=world.auth(t.admin))
    assert bad_year.status_code == 422
