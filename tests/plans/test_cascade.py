"""GET /plans/{id}/cascade: targets above, below, and the numeric alignment of direct cascades."""

import re
from decimal import Decimal

import httpx
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.models.org import Role
from tests.plans.conftest import PLANS, Team, statements
from tests.plans.test_targets import INDICATORS, TARGETS


async def test_cascade_from_the_agency_head_down(client: httpx.AsyncClient, team: Team) -> None:
    world = team.world
    second = await world.employee(team.region, team.unit, supervisor=team.head)
    head_plan = await world.plan(team.period, team.head, status="approved")
    head_target = await world.target(head_plan, title="Kinerja dinas")
    head_indicator = await world.indicator(head_target, target_value=100)
    head_quality = await world.indicator(
        head_target, target_value=Decimal("4.5"), aspect="kualitas"
    )

    boss_plan = await world.plan(team.period, team.supervisor)
    boss_target = await world.target(
        boss_plan, title="Bidang A", parent_target_id=head_target.id, cascade_mode="direct"
    )
    boss_indicator = await world.indicator(
        boss_target, target_value=60, parent_indicator_id=head_indicator.id
    )
    other_target = await world.target(
        await world.plan(team.period, second),
        title="Bidang B",
        parent_target_id=head_target.id,
        cascade_mode="direct",
    )
    await world.indicator(other_target, target_value=40, parent_indicator_id=head_indicator.id)

    staff_plan = await world.plan(team.period, team.staff)
    staff_target = await world.target(
        staff_plan, title="Tugas staf", parent_target_id=boss_target.id, cascade_mode="direct"
    )
    await world.indicator(
        staff_target, target_value=Decimal("70.5"), parent_indicator_id=boss_indicator.id
    )
    supporting = await world.target(
        staff_plan, title="Dukungan", parent_target_id=boss_target.id, cascade_mode="indirect"
    )
    await world.indicator(supporting, target_value=5, parent_indicator_id=boss_indicator.id)

    middle = await client.get(
        f"{PLANS}/{boss_plan.id}/cascade", headers=team.auth(team.supervisor_user)
    )
    assert middle.status_code == 200, middle.text
    view = middle.json()
    assert [(t["id"], t["level"]) for t in view["above"]] == [(str(head_target.id), -1)]
    assert view["above"][0]["employee_id"] == str(team.head.id)
    assert [t["id"] for t in view["targets"]] == [str(boss_target.id)]
    assert {(t["id"], t["level"]) for t in view["below"]} == {
        (str(staff_target.id), 1),
        (str(supporting.id), 1),
    }
    # Only the direct child counts: 70.5 of 60 is over; the indirect one's share is ignored.
    [split] = view["alignment"]
    assert split["indicator_id"] == str(boss_indicator.id)
    assert (Decimal(split["children_total"]), split["children"], split["alignment"]) == (
        Decimal("70.5"),
        1,
        "over",
    )

    admin = world.auth(await world.user(team.region, Role.REGION_ADMIN))
    top = (await client.get(f"{PLANS}/{head_plan.id}/cascade", headers=admin)).json()
    assert top["above"] == []
    assert {(t["title"], t["level"]) for t in top["below"]} == {
        ("Bidang A", 1),
        ("Bidang B", 1),
        ("Tugas staf", 2),
        ("Dukungan", 2),
    }
    alignment = {a["indicator_id"]: a for a in top["alignment"]}
    assert {i: a["alignment"] for i, a in alignment.items()} == {
        str(head_indicator.id): "aligned",
        str(boss_indicator.id): "over",
        # Nobody shares the quality indicator: it is not split, so it is not "under".
        str(head_quality.id): "not_cascaded",
    }
    assert (
        alignment[str(head_quality.id)]["children"],
        alignment[str(head_quality.id)]["children_total"],
    ) == (0, "0")

    bottom = (
        await client.get(f"{PLANS}/{staff_plan.id}/cascade", headers=team.auth(team.staff_user))
    ).json()
    assert [(t["title"], t["level"]) for t in bottom["above"]] == [
        ("Bidang A", -1),
        ("Kinerja dinas", -2),
    ]
    assert bottom["below"] == []
    assert bottom["alignment"] == []


async def test_cascade_look_ups_name_the_region(
    client: httpx.AsyncClient, team: Team, connection: AsyncConnection
) -> None:
    """Every look-up by parent names the region, so the (region_id, parent_...) indexes serve it
    instead of row-level security's OR."""
    world = team.world
    boss_target = await world.target(await world.plan(team.period, team.supervisor))
    boss_indicator = await world.indicator(boss_target)
    child = await world.target(
        await world.plan(team.period, team.staff),
        parent_target_id=boss_target.id,
        cascade_mode="direct",
    )
    await world.indicator(child, parent_indicator_id=boss_indicator.id)
    boss = {**team.auth(team.supervisor_user), "If-Match": "*"}

    with statements(connection) as seen:
        view = await client.get(f"{PLANS}/{boss_target.plan_id}/cascade", headers=boss)
        assert [t["id"] for t in view.json()["below"]] == [str(child.id)]
        assert (await client.delete(f"{TARGETS}/{boss_target.id}", headers=boss)).status_code == 409
        indicator = f"{INDICATORS}/{boss_indicator.id}"
        assert (await client.delete(indicator, headers=boss)).status_code == 409

    by_parent = [
        (statement, match.group(1))
        for statement in seen
        for match in re.finditer(r"(\w+)\.parent_(?:target|indicator)_id (?:=|IN) ", statement)
    ]
    assert len(by_parent) >= 3
    for statement, table in by_parent:
        assert f"{table}.region_id = " in statement, statement


async def _share(
    client: httpx.AsyncClient,
    target_id: object,
    parent_indicator_id: object,
    headers: dict[str, str],
    unit: str = "dokumen",
) -> httpx.Response:
    body = {
        "aspect": "kuantitas",
        "description": "Bagian",
        "target_value": "10",
        "unit": unit,
        "parent_indicator_id": str(parent_indicator_id),
    }
    return await client.post(f"{TARGETS}/{target_id}/indicators", json=body, headers=headers)


def _error(response: httpx.Response) -> tuple[str, str]:
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    return error["field"], error["code"]


async def test_a_shared_indicator_belongs_to_a_direct_cascade_in_the_parents_unit(
    client: httpx.AsyncClient, team: Team
) -> None:
    world = team.world
    boss_target = await world.target(await world.plan(team.period, team.supervisor))
    boss_indicator = await world.indicator(boss_target)  # in "dokumen"
    plan = await world.plan(team.period, team.staff)
    direct = await world.target(plan, parent_target_id=boss_target.id, cascade_mode="direct")
    indirect = await world.target(plan, parent_target_id=boss_target.id, cascade_mode="indirect")
    staff = team.auth(team.staff_user)

    on_indirect = await _share(client, indirect.id, boss_indicator.id, staff)
    assert _error(on_indirect) == ("body.parent_indicator_id", "not_direct")
    other_unit = await _share(client, direct.id, boss_indicator.id, staff, unit="berkas")
    assert _error(other_unit) == ("body.unit", "unit_mismatch")
    assert "dokumen" in other_unit.json()["detail"]

    shared = await _share(client, direct.id, boss_indicator.id, staff)
    assert shared.status_code == 201, shared.text
    path = f"{INDICATORS}/{shared.json()['id']}"
    drift = await client.patch(path, json={"unit": "berkas"}, headers={**staff, "If-Match": "*"})
    assert _error(drift) == ("body.unit", "unit_mismatch")
    unshared = await world.indicator(indirect)
    moved = await client.patch(
        f"{INDICATORS}/{unshared.id}",
        json={"parent_indicator_id": str(boss_indicator.id)},
        headers={**staff, "If-Match": "*"},
    )
    assert _error(moved) == ("body.parent_indicator_id", "not_direct")

    # The supervisor cannot change the unit their staff share either.
    boss = {**team.auth(team.supervisor_user), "If-Match": "*"}
    parent = await client.patch(
        f"{INDICATORS}/{boss_indicator.id}", json={"unit": "berkas"}, headers=boss
    )
    assert _error(parent) == ("body.unit", "unit_mismatch")
    renamed = await client.patch(
        f"{INDICATORS}/{boss_indicator.id}", json={"description": "Tetap"}, headers=boss
    )
    assert renamed.status_code == 200, renamed.text


async def test_a_target_that_turns_indirect_stops_sharing_its_parents_indicators(
    client: httpx.AsyncClient, team: Team
) -> None:
    world = team.world
    boss_target = await world.target(await world.plan(team.period, team.supervisor))
    boss_indicator = await world.indicator(boss_target)
    plan = await world.plan(team.period, team.staff)
    target = await world.target(plan, parent_target_id=boss_target.id, cascade_mode="direct")
    share = await world.indicator(target, parent_indicator_id=boss_indicator.id)
    staff = team.auth(team.staff_user)

    turned = await client.patch(
        f"{TARGETS}/{target.id}",
        json={"cascade_mode": "indirect"},
        headers={**staff, "If-Match": "*"},
    )
    assert turned.status_code == 200, turned.text
    assert (turned.json()["parent_target_id"], turned.json()["cascade_mode"]) == (
        str(boss_target.id),
        "indirect",
    )
    indicator = (await client.get(f"{INDICATORS}/{share.id}", headers=staff)).json()
    assert (indicator["parent_indicator_id"], indicator["version"]) == (None, 2)
    boss = team.auth(team.supervisor_user)
    view = (await client.get(f"{PLANS}/{boss_target.plan_id}/cascade", headers=boss)).json()
    assert view["alignment"] == []
