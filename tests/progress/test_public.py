"""Public transparency: public targets with achievement, and nothing personal."""

import httpx

from tests.conftest import ClientWith
from tests.factories import World
from tests.progress.helpers import URL, report_body, team


async def test_public_progress_lists_public_targets_without_personal_data(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    public_target = await world.target(t.plan, public=True, title="Penurunan stunting")
    indicator = await world.indicator(public_target, target_value=40, aggregation="sum")
    draft_plan = await world.plan(t.period, t.peer, status="draft")
    await world.target(draft_plan, public=True)  # not approved: not published
    other = await team(world)
    await world.target(other.plan, public=True)  # another region's
    created = await client.post(
        URL, json=report_body(indicator, "10"), headers=world.auth(t.staff_user)
    )
    verified = await client.post(
        f"{URL}/{created.json()['id']}/verify",
        json={"decision": "accept"},
        headers={**world.auth(t.boss_user), "If-Match": '"1"'},
    )
    assert verified.status_code == 200

    response = await client.get(f"/api/v1/public/regions/{t.region.code}/progress")
    assert response.status_code == 200, response.text
    (item,) = response.json()["items"]
    assert (item["id"], item["title"], item["year"], item["percent"]) == (
        str(public_target.id),
        "Penurunan stunting",
        2026,
        "25.00",
    )
    assert item["agency"]["id"] == str(t.agency.id)
    (published,) = item["indicators"]
    assert (published["id"], published["achieved_value"], published["percent"]) == (
        str(indicator.id),
        "10.0000",
        "25.00",
    )
    text = response.text
    for personal in (
        str(t.staff.id),
        str(t.boss.id),
        str(t.plan.id),
        t.staff.nip,
        t.staff.name,
        "employee",
        "nip",
    ):
        assert personal not in text
    later = await client.get(
        f"/api/v1/public/regions/{t.region.code}/progress", params={"year": 2025}
    )
    assert later.json()["items"] == []


async def test_unknown_region_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/public/regions/tidak-ada/progress")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_the_stream_refuses_before_it_opens(client: httpx.AsyncClient, world: World) -> None:
    t = await team(world)
    stream = "/api/v1/progress/stream"
    assert (await client.get(stream)).status_code == 401
    no_scope = await world.service_account(t.region, "org:read")
    assert (await client.get(stream, headers=world.auth(no_scope))).status_code == 403
    headers = world.auth(t.staff_user)
    bad_type = await client.get(stream, params={"types": "survey.received"}, headers=headers)
    assert {e["field"] for e in bad_type.json()["errors"]} == {"query.types.0"}
    bad_resume = await client.get(stream, headers={**headers, "Last-Event-ID": "abc"})
    assert bad_resume.status_code == 422


async def test_public_progress_is_rate_limited_per_address(
    client_with: ClientWith, world: World
) -> None:
    t = await team(world)
    async with client_with(public_rate_limit_per_address=2, public_rate_window_seconds=60) as http:
        path = f"/api/v1/public/regions/{t.region.code}/progress"
        statuses = [(await http.get(path)).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        stream = await http.get(f"{path}/stream")
        assert stream.status_code == 429
        assert stream.headers["content-type"] == "application/problem+json"
        assert 1 <= int(stream.headers["retry-after"]) <= 60
