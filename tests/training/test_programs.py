"""The training catalog: managed by training and region administrators, read by everyone of
the region; another region's program is 404."""

import httpx
import pytest

from tests.factories import World
from tests.training.helpers import PROGRAMS, program_body, team


async def test_a_training_admin_adds_a_program_everyone_of_the_region_reads_it(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    created = await client.post(
        PROGRAMS, json=program_body(), headers={**world.auth(t.admin), "Idempotency-Key": "p-1"}
    )
    assert created.status_code == 201, created.text
    program = created.json()
    assert (program["kind"], program["jp"], program["active"]) == ("pelatihan_klasikal", 24, True)
    assert created.headers["Location"] == f"{PROGRAMS}/{program['id']}"
    replay = await client.post(
        PROGRAMS, json=program_body(), headers={**world.auth(t.admin), "Idempotency-Key": "p-1"}
    )
    assert replay.json()["id"] == program["id"]
    for user in (t.staff_user, t.auditor, t.complaint_officer, t.region_admin):
        listed = await client.get(PROGRAMS, headers=world.auth(user))
        assert [p["id"] for p in listed.json()["items"]] == [program["id"]]
    fetched = await client.get(f"{PROGRAMS}/{program['id']}", headers=world.auth(t.staff_user))
    assert fetched.status_code == 200
    assert fetched.headers["ETag"] == '"1"'


async def test_a_program_is_changed_with_if_match_and_filtered(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    program = await world.program(t.region)
    await world.program(t.region, kind="bimbingan_teknis", competency_area="teknis")
    url = f"{PROGRAMS}/{program.id}"
    missing = await client.patch(url, json={"active": False}, headers=world.auth(t.region_admin))
    assert missing.status_code == 428
    changed = await client.patch(
        url,
        json={"active": False, "competency_area": "akuntabel"},
        headers={**world.auth(t.region_admin), "If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["active"], changed.json()["competency_area"]) == (False, "akuntabel")
    stale = await client.patch(
        url, json={"jp": 2}, headers={**world.auth(t.admin), "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    active = await client.get(PROGRAMS, params={"active": "true"}, headers=world.auth(t.admin))
    assert [p["kind"] for p in active.json()["items"]] == ["bimbingan_teknis"]


@pytest.mark.parametrize(
    "change",
    [
        {"jp": 0},
        {"jp": "24"},
        {"name": "Pelatihan\x00"},
        {"kind": "kursus"},
        {"competency_area": "jujur"},
        {"provider": ""},
        {"region_id": "3f0c9a4e-2b7d-4c1a-9e85-6d2f1b0a7c34"},
    ],
)
async def test_an_invalid_program_is_a_422(
    client: httpx.AsyncClient, world: World, change: dict[str, object]
) -> None:
    t = await team(world)
    response = await client.post(PROGRAMS, json=program_body(**change), headers=world.auth(t.admin))
    assert response.status_code == 422, response.text


async def test_only_training_and_region_admins_manage_programs(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    program = await world.program(t.region)
    for user in (t.staff_user, t.boss_user, t.auditor, t.agency_admin, t.complaint_officer):
        created = await client.post(PROGRAMS, json=program_body(), headers=world.auth(user))
        assert created.status_code == 403, user.roles
        changed = await client.patch(
            f"{PROGRAMS}/{program.id}",
            json={"jp": 8},
            headers={**world.auth(user), "If-Match": '"1"'},
        )
        assert changed.status_code == 403, user.roles


async def test_another_regions_program_is_not_found(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await team(world)
    program = await world.program(t.region)
    url = f"{PROGRAMS}/{program.id}"
    for user in (t.foreign_admin, t.foreign_employee_user):
        assert (await client.get(url, headers=world.auth(user))).status_code == 404
        listed = await client.get(PROGRAMS, headers=world.auth(user))
        assert listed.json()["items"] == []
    changed = await client.patch(
        url, json={"jp": 8}, headers={**world.auth(t.foreign_admin), "If-Match": '"1"'}
    )
    assert changed.status_code == 404
