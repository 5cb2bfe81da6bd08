from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from kinerja_api.core import clock
from kinerja_api.core.idempotency import REPLAY_HEADER
from kinerja_api.models.org import Role
from kinerja_api.models.plans import Period
from kinerja_api.models.progress import ProgressReport
from tests.factories import World
from tests.progress.helpers import URL, report_body, team


def _fields(response: httpx.Response) -> set[str]:
    assert response.status_code == 422, response.text
    return {error["field"] for error in response.json()["errors"]}


async def _create(client: httpx.AsyncClient, world: World, t: Any, **extra: Any) -> dict[str, Any]:
    response = await client.post(
        URL, json=report_body(t.indicator, **extra), headers=world.auth(t.staff_user)
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_employee_reports_progress_on_an_approved_plan(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    response = await client.post(
        URL, json=report_body(t.indicator, "12.5"), headers=world.auth(t.staff_user)
    )
    assert response.status_code == 201, response.text
    report = response.json()
    assert response.headers["location"] == f"{URL}/{report['id']}"
    assert response.headers["etag"] == '"1"'
    assert report["status"] == "pending"
    assert (report["value"], report["reported_for"], report["quarter"], report["year"]) == (
        "12.5000",
        "2026-05-10",
        2,
        2026,
    )
    assert (report["plan_id"], report["target_id"], report["employee_id"]) == (
        str(t.plan.id),
        str(t.target.id),
        str(t.staff.id),
    )
    assert report["evidence"] == report_body(t.indicator)["evidence"]
    fetched = await client.get(f"{URL}/{report['id']}", headers=world.auth(t.boss_user))
    assert fetched.status_code == 200
    assert fetched.json() == report
    assert await world.audit_actions(report["id"]) == ["progress_report.created"]


async def test_quarter_boundaries(client: httpx.AsyncClient, world: World) -> None:
    t = await team(world)
    for day, quarter in (
        ("2026-01-01", 1),
        ("2026-03-31", 1),
        ("2026-04-01", 2),
        ("2026-10-01", 4),
    ):
        report = await _create(client, world, t, reported_for=day)
        assert report["quarter"] == quarter, day


async def test_reported_for_defaults_to_today_in_the_regions_zone(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 16:30 UTC is 23:30 the same day in WIB (UTC+7) but 00:30 the next day in WITA (UTC+8).
    monkeypatch.setattr(clock, "utc_now", lambda: datetime(2026, 5, 10, 16, 30, tzinfo=UTC))
    for zone, today in (("Asia/Jakarta", "2026-05-10"), ("Asia/Makassar", "2026-05-11")):
        t = await team(world, region=await world.region(timezone=zone))
        body = report_body(t.indicator)
        del body["reported_for"]
        response = await client.post(URL, json=body, headers=world.auth(t.staff_user))
        assert response.status_code == 201, response.text
        assert response.json()["reported_for"] == today, zone
        tomorrow = report_body(t.indicator, reported_for="2026-05-12")
        future = await client.post(URL, json=tomorrow, headers=world.auth(t.staff_user))
        assert _fields(future) == {"body.reported_for"}


async def test_duplicates_with_one_idempotency_key_create_one_report(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    headers = {**world.auth(t.staff_user), "Idempotency-Key": "hp-retry-42"}
    body = report_body(t.indicator)
    first = await client.post(URL, json=body, headers=headers)
    again = await client.post(URL, json=body, headers=headers)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    assert again.headers[REPLAY_HEADER] == "true"
    listed = await client.get(URL, params={"plan_id": str(t.plan.id)}, headers=headers)
    assert [item["id"] for item in listed.json()["items"]] == [first.json()["id"]]
    other_body = await client.post(URL, json={**body, "value": "11"}, headers=headers)
    assert other_body.status_code == 422
    assert await world.audit_actions(first.json()["id"]) == ["progress_report.created"]


async def test_reports_need_an_approved_plan_in_an_open_period(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    draft_plan = await world.plan(
        await world.period(t.region, year=2025), t.peer, status="submitted"
    )
    draft_indicator = await world.indicator(await world.target(draft_plan))
    draft = await client.post(
        URL,
        json=report_body(draft_indicator, reported_for="2025-05-01"),
        headers=world.auth(t.peer_user),
    )
    assert draft.status_code == 409, draft.text
    assert draft.json()["type"].endswith("/invalid-transition")

    closed_plan = await world.plan(
        await world.period(t.region, year=2024, status="closed"), t.peer, status="approved"
    )
    closed_indicator = await world.indicator(await world.target(closed_plan))
    closed = await client.post(
        URL,
        json=report_body(closed_indicator, reported_for="2024-05-01"),
        headers=world.auth(t.peer_user),
    )
    assert closed.status_code == 409, closed.text
    assert closed.json()["type"].endswith("/period-closed")


async def test_a_closed_period_accepts_no_edit_withdrawal_or_verification(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    report = await _create(client, world, t)
    path = f"{URL}/{report['id']}"
    await world.connection.execute(
        update(Period).where(Period.id == t.period.id).values(status="closed")
    )
    staff = {**world.auth(t.staff_user), "If-Match": '"1"'}
    boss = {**world.auth(t.boss_user), "If-Match": '"1"'}
    refused = [
        await client.patch(path, json={"value": "15"}, headers=staff),
        await client.post(f"{path}/withdraw", headers=staff),
        await client.post(f"{path}/verify", json={"decision": "accept"}, headers=boss),
    ]
    for response in refused:
        assert response.status_code == 409, response.text
        assert response.json()["type"].endswith("/period-closed")
    unchanged = await client.get(path, headers=world.auth(t.staff_user))
    assert (unchanged.json()["status"], unchanged.json()["value"]) == ("pending", "10.0000")
    assert await world.audit_actions(report["id"]) == ["progress_report.created"]


async def test_report_input_is_validated(client: httpx.AsyncClient, world: World) -> None:
    t = await team(world)
    headers = world.auth(t.staff_user)
    shape = await client.post(
        URL,
        json={
            "indicator_id": "x",
            "value": "-1",
            "reported_for": "kemarin",
            "evidence": [{"title": "", "url": "ftp://x", "kind": "fax"}],
            "status": "accepted",
        },
        headers=headers,
    )
    assert _fields(shape) == {
        "body.indicator_id",
        "body.value",
        "body.reported_for",
        "body.evidence.0.title",
        "body.evidence.0.url",
        "body.evidence.0.kind",
        "body.status",
    }
    wrong_year = await client.post(
        URL, json=report_body(t.indicator, reported_for="2025-12-31"), headers=headers
    )
    assert _fields(wrong_year) == {"body.reported_for"}
    future = await client.post(
        URL, json=report_body(t.indicator, reported_for="2099-01-01"), headers=headers
    )
    assert _fields(future) == {"body.reported_for"}
    precision = await client.post(URL, json=report_body(t.indicator, "1.23456"), headers=headers)
    assert _fields(precision) == {"body.value"}


async def test_only_the_plans_employee_reports(client: httpx.AsyncClient, world: World) -> None:
    t = await team(world)
    other = await team(world)
    boss = await client.post(URL, json=report_body(t.indicator), headers=world.auth(t.boss_user))
    assert boss.status_code == 403
    peer = await client.post(URL, json=report_body(t.indicator), headers=world.auth(t.peer_user))
    assert _fields(peer) == {"body.indicator_id"}
    foreign = await client.post(
        URL, json=report_body(t.indicator), headers=world.auth(other.staff_user)
    )
    assert _fields(foreign) == {"body.indicator_id"}
    service = await world.service_account(t.region, "progress:read", "org:write")
    refused = await client.post(URL, json=report_body(t.indicator), headers=world.auth(service))
    assert refused.status_code == 403


async def test_patch_own_pending_report_with_if_match(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    report = await _create(client, world, t)
    path = f"{URL}/{report['id']}"
    headers = world.auth(t.staff_user)
    missing = await client.patch(path, json={"value": "15"}, headers=headers)
    assert missing.status_code == 428
    stale = await client.patch(path, json={"value": "15"}, headers={**headers, "If-Match": '"9"'})
    assert stale.status_code == 412
    boss = await client.patch(
        path, json={"value": "15"}, headers={**world.auth(t.boss_user), "If-Match": '"1"'}
    )
    assert boss.status_code == 403
    changed = await client.patch(
        path,
        json={"value": "15", "reported_for": "2026-08-01", "note": None, "evidence": []},
        headers={**headers, "If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["value"], body["quarter"], body["note"], body["evidence"], body["version"]) == (
        "15.0000",
        3,
        None,
        [],
        2,
    )
    assert changed.headers["etag"] == '"2"'
    bad_date = await client.patch(
        path, json={"reported_for": "2027-01-01"}, headers={**headers, "If-Match": '"2"'}
    )
    assert _fields(bad_date) == {"body.reported_for"}


async def test_withdraw_then_nothing_more_changes(client: httpx.AsyncClient, world: World) -> None:
    t = await team(world)
    report = await _create(client, world, t)
    path = f"{URL}/{report['id']}"
    headers = {**world.auth(t.staff_user), "If-Match": '"1"'}
    withdrawn = await client.post(f"{path}/withdraw", headers=headers)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    again = await client.post(f"{path}/withdraw", headers={**headers, "If-Match": '"2"'})
    assert again.status_code == 409
    verify = await client.post(
        f"{path}/verify",
        json={"decision": "accept"},
        headers={**world.auth(t.boss_user), "If-Match": '"2"'},
    )
    assert verify.status_code == 409
    assert await world.audit_actions(report["id"]) == [
        "progress_report.created",
        "progress_report.withdrawn",
    ]


async def test_withdraw_needs_if_match_and_the_owner(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    report = await _create(client, world, t)
    path = f"{URL}/{report['id']}/withdraw"
    missing = await client.post(path, headers=world.auth(t.staff_user))
    assert missing.status_code == 428, missing.text
    boss = await client.post(path, headers={**world.auth(t.boss_user), "If-Match": '"1"'})
    assert boss.status_code == 403, boss.text
    peer = await client.post(path, headers={**world.auth(t.peer_user), "If-Match": '"1"'})
    assert peer.status_code == 404, peer.text
    fetched = await client.get(f"{URL}/{report['id']}", headers=world.auth(t.staff_user))
    assert fetched.json()["status"] == "pending"


async def test_list_filters(client: httpx.AsyncClient, world: World) -> None:
    t = await team(world)
    q1 = await _create(client, world, t, reported_for="2026-02-01")
    q2 = await _create(client, world, t, reported_for="2026-05-01")
    peer_plan = await world.plan(t.period, t.peer, status="approved")
    peer_indicator = await world.indicator(await world.target(peer_plan))
    peer_report = await client.post(
        URL, json=report_body(peer_indicator), headers=world.auth(t.peer_user)
    )
    assert peer_report.status_code == 201
    boss = world.auth(t.boss_user)

    async def ids(**params: Any) -> list[str]:
        response = await client.get(URL, params=params, headers=boss)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    everything = await ids()
    assert set(everything) == {q1["id"], q2["id"], peer_report.json()["id"]}
    assert await ids(employee_id=str(t.staff.id), sort="reported_for") == [q1["id"], q2["id"]]
    assert await ids(quarter=2, plan_id=str(t.plan.id)) == [q2["id"]]
    assert await ids(indicator_id=str(peer_indicator.id)) == [peer_report.json()["id"]]
    assert await ids(status="accepted") == []
    assert set(await ids(under=str(t.agency.id))) == set(everything)
    assert await ids(updated_since="2999-01-01T00:00:00Z") == []
    first = await client.get(URL, params={"limit": 2}, headers=boss)
    rest = await client.get(
        URL, params={"limit": 2, "cursor": first.json()["next_cursor"]}, headers=boss
    )
    assert len(first.json()["items"]) == 2
    assert len(rest.json()["items"]) == 1
    # The peer sees only their own; the staff member only theirs.
    peer_view = await client.get(URL, headers=world.auth(t.peer_user))
    assert [item["id"] for item in peer_view.json()["items"]] == [peer_report.json()["id"]]
    hidden = await client.get(f"{URL}/{q1['id']}", headers=world.auth(t.peer_user))
    assert hidden.status_code == 404


async def test_region_admin_and_service_account_read_the_region(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    other = await team(world)
    report = await _create(client, world, t)
    await _create(client, world, other)
    admin = await world.user(t.region, Role.REGION_ADMIN)
    account = await world.service_account(t.region, "progress:read")
    for reader in (admin, account):
        listed = await client.get(URL, headers=world.auth(reader))
        assert [item["id"] for item in listed.json()["items"]] == [report["id"]]
    no_scope = await world.service_account(t.region, "org:read")
    assert (await client.get(URL, headers=world.auth(no_scope))).status_code == 403


async def test_another_regions_principals_get_404(client: httpx.AsyncClient, world: World) -> None:
    t = await team(world)
    other = await team(world)
    report = await _create(client, world, t)
    path = f"{URL}/{report['id']}"
    plan = f"/api/v1/plans/{t.plan.id}"
    people = [other.staff_user, other.boss_user, await world.user(other.region, Role.REGION_ADMIN)]
    account = await world.service_account(other.region, "progress:read")
    for foreigner in [*people, account]:
        headers = {**world.auth(foreigner), "If-Match": '"1"'}
        responses = {
            "get": await client.get(path, headers=headers),
            "patch": await client.patch(path, json={"value": "1"}, headers=headers),
            "withdraw": await client.post(f"{path}/withdraw", headers=headers),
            "progress": await client.get(f"{plan}/progress", headers=headers),
            "comments": await client.get(f"{plan}/comments", headers=headers),
        }
        statuses = {name: response.status_code for name, response in responses.items()}
        if foreigner is account:
            # Writes need a person: the account is refused before anything is looked up.
            assert statuses.pop("patch") == statuses.pop("withdraw") == 403
        assert set(statuses.values()) == {404}, statuses
    fetched = await client.get(path, headers=world.auth(t.staff_user))
    assert (fetched.json()["value"], fetched.json()["status"]) == ("10.0000", "pending")


async def test_a_service_account_without_progress_read_is_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    report = await _create(client, world, t)
    account = world.auth(await world.service_account(t.region, "org:read"))
    for path in (f"{URL}/{report['id']}", f"/api/v1/plans/{t.plan.id}/progress"):
        response = await client.get(path, headers=account)
        assert response.status_code == 403, (path, response.text)


async def test_list_filters_select_the_right_subset(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    neighbours = await world.agency(t.region)  # another agency of the same region
    neighbour = await world.employee(t.region, neighbours)
    neighbour_plan = await world.plan(t.period, neighbour, status="approved")
    neighbour_indicator = await world.indicator(await world.target(neighbour_plan))
    kept = await _create(client, world, t, reported_for="2026-02-01")
    accepted = await _create(client, world, t, reported_for="2026-05-01")
    posted = await client.post(
        URL,
        json=report_body(neighbour_indicator),
        headers=world.auth(await world.user(t.region, Role.EMPLOYEE, employee=neighbour)),
    )
    assert posted.status_code == 201, posted.text
    elsewhere = posted.json()
    verified = await client.post(
        f"{URL}/{accepted['id']}/verify",
        json={"decision": "accept"},
        headers={**world.auth(t.boss_user), "If-Match": '"1"'},
    )
    assert verified.status_code == 200, verified.text
    await world.connection.execute(
        update(ProgressReport)
        .where(ProgressReport.id == kept["id"])
        .values(updated_at=datetime(2026, 1, 5, tzinfo=UTC))
    )
    admin = world.auth(await world.user(t.region, Role.REGION_ADMIN))

    async def ids(**params: Any) -> set[str]:
        response = await client.get(URL, params=params, headers=admin)
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["items"]}

    assert await ids() == {kept["id"], accepted["id"], elsewhere["id"]}
    assert await ids(under=str(t.agency.id)) == {kept["id"], accepted["id"]}
    assert await ids(under=str(neighbours.id)) == {elsewhere["id"]}
    assert await ids(status="accepted") == {accepted["id"]}
    assert await ids(status="pending") == {kept["id"], elsewhere["id"]}
    assert await ids(updated_since="2026-01-06T00:00:00Z") == {accepted["id"], elsewhere["id"]}


async def test_list_parameters_are_validated(client: httpx.AsyncClient, world: World) -> None:
    t = await team(world)
    await _create(client, world, t)
    await _create(client, world, t)
    headers = world.auth(t.staff_user)
    for params, field in (
        ({"quarter": 5}, "query.quarter"),
        ({"sort": "value"}, "query.sort"),
        ({"limit": 201}, "query.limit"),
        ({"limit": 0}, "query.limit"),
    ):
        response = await client.get(URL, params=params, headers=headers)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert _fields(response) == {field}, params
    first = await client.get(URL, params={"limit": 1}, headers=headers)
    cursor = first.json()["next_cursor"]
    assert cursor
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    for bad in (tampered, "not-a-cursor"):
        response = await client.get(URL, params={"limit": 1, "cursor": bad}, headers=headers)
        assert response.status_code == 400, response.text
        assert response.json()["type"].endswith("/invalid-cursor")
