from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from kinerja_api.core.idempotency import REPLAY_HEADER
from kinerja_api.models.org import Role
from tests.factories import World

URL = "/api/v1/agencies"


def _body(code: str = "dinas-pendidikan", **extra: Any) -> dict[str, Any]:
    return {"code": code, "name": "Dinas Pendidikan", "kind": "dinas", **extra}


def _ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def _fields(response: httpx.Response) -> set[str]:
    assert response.status_code == 422, response.text
    return {error["field"] for error in response.json()["errors"]}


async def _patch(
    client: httpx.AsyncClient, agency_id: object, body: dict[str, Any], headers: dict[str, str]
) -> httpx.Response:
    current = await client.get(f"{URL}/{agency_id}", headers=headers)
    assert current.status_code == 200, current.text
    return await client.patch(
        f"{URL}/{agency_id}", json=body, headers={**headers, "If-Match": current.headers["etag"]}
    )


async def test_region_admin_creates_reads_and_updates_agencies(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    headers = world.auth(await world.user(region, Role.REGION_ADMIN))

    root = await client.post(URL, json=_body(), headers=headers)
    assert root.status_code == 201, root.text
    parent = root.json()
    assert root.headers["location"] == f"{URL}/{parent['id']}"
    assert root.headers["etag"] == f'"{parent["version"]}"'
    assert parent["path"] == f"/{parent['id']}/"
    assert parent["region_id"] == str(region.id)
    assert parent["parent_id"] is None
    assert parent["active"] is True

    child = await client.post(
        URL, json=_body("bidang-sd", kind="bidang", parent_id=parent["id"]), headers=headers
    )
    assert child.status_code == 201, child.text
    assert child.json()["path"] == f"/{parent['id']}/{child.json()['id']}/"

    fetched = await client.get(f"{URL}/{parent['id']}", headers=headers)
    assert fetched.status_code == 200
    etag = fetched.headers["etag"]
    patch = await client.patch(
        f"{URL}/{parent['id']}",
        json={"name": "Dinas Pendidikan dan Kebudayaan", "code": "disdikbud", "kind": "badan"},
        headers={**headers, "If-Match": etag},
    )
    assert patch.status_code == 200, patch.text
    updated = patch.json()
    assert (updated["name"], updated["code"], updated["kind"]) == (
        "Dinas Pendidikan dan Kebudayaan",
        "disdikbud",
        "badan",
    )
    assert updated["version"] == parent["version"] + 1
    assert patch.headers["etag"] == f'"{updated["version"]}"'

    deactivated = await client.patch(
        f"{URL}/{parent['id']}",
        json={"active": False},
        headers={**headers, "If-Match": patch.headers["etag"]},
    )
    assert deactivated.json()["active"] is False
    assert await world.audit_actions(parent["id"]) == [
        "agency.created",
        "agency.updated",
        "agency.updated",
    ]
    assert await world.audit_actions(child.json()["id"]) == ["agency.created"]


async def test_agency_update_needs_the_current_etag(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    agency = await world.agency(region)
    headers = world.auth(await world.user(region, Role.REGION_ADMIN))
    missing = await client.patch(f"{URL}/{agency.id}", json={"name": "X"}, headers=headers)
    assert missing.status_code == 428
    stale = await client.patch(
        f"{URL}/{agency.id}", json={"name": "X"}, headers={**headers, "If-Match": '"99"'}
    )
    assert stale.status_code == 412
    assert await world.audit_actions(agency.id) == []


async def test_agency_create_replays_with_the_same_idempotency_key(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    headers = {
        **world.auth(await world.user(region, Role.REGION_ADMIN)),
        "Idempotency-Key": "agency-1",
    }
    first = await client.post(URL, json=_body(), headers=headers)
    again = await client.post(URL, json=_body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers[REPLAY_HEADER] == "true"
    assert again.headers["location"] == first.headers["location"]
    other_body = await client.post(URL, json=_body("lain"), headers=headers)
    assert other_body.status_code == 422
    assert await world.audit_actions(first.json()["id"]) == ["agency.created"]


async def test_agency_input_is_validated(client: httpx.AsyncClient, world: World) -> None:
    region, other = await world.region(), await world.region()
    foreign = await world.agency(other)
    headers = world.auth(await world.user(region, Role.REGION_ADMIN))
    bad = await client.post(
        URL,
        json={
            "code": "Bad Code",
            "name": "",
            "kind": "kementerian",
            "region_id": str(other.id),
            "path": "/x/",
        },
        headers=headers,
    )
    assert _fields(bad) == {
        "body.code",
        "body.name",
        "body.kind",
        "body.region_id",
        "body.path",
    }
    assert _fields(await client.post(URL, json={}, headers=headers)) == {
        "body.code",
        "body.name",
        "body.kind",
    }
    foreign_parent = await client.post(URL, json=_body(parent_id=str(foreign.id)), headers=headers)
    assert _fields(foreign_parent) == {"body.parent_id"}

    agency = await world.agency(region)
    null_name = await _patch(client, agency.id, {"name": None}, headers)
    assert _fields(null_name) == {"body"}
    assert "name cannot be null" in null_name.json()["errors"][0]["message"]
    assert _fields(await _patch(client, agency.id, {"id": "x", "path": "/"}, headers)) == {
        "body.id",
        "body.path",
    }
    moved_abroad = await _patch(client, agency.id, {"parent_id": str(foreign.id)}, headers)
    assert _fields(moved_abroad) == {"body.parent_id"}
    assert (await client.get(f"{URL}/not-a-uuid", headers=headers)).status_code == 422


async def test_agency_code_is_unique_within_a_region(
    client: httpx.AsyncClient, world: World
) -> None:
    region, other = await world.region(), await world.region()
    await world.agency(region, code="bappeda")
    taken = await world.agency(region, code="inspektorat")
    headers = world.auth(await world.user(region, Role.REGION_ADMIN))
    duplicate = await client.post(URL, json=_body("bappeda"), headers=headers)
    assert duplicate.status_code == 409
    assert duplicate.json()["type"].endswith("/conflict")
    renamed = await _patch(client, taken.id, {"code": "bappeda"}, headers)
    assert renamed.status_code == 409

    elsewhere = world.auth(await world.user(other, Role.REGION_ADMIN))
    assert (await client.post(URL, json=_body("bappeda"), headers=elsewhere)).status_code == 201


async def test_moving_an_agency_rewrites_its_subtree_paths(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    top = await world.agency(region)
    middle = await world.agency(region, top)
    leaf = await world.agency(region, middle)
    other_root = await world.agency(region)
    headers = world.auth(await world.user(region, Role.REGION_ADMIN))

    moved = await _patch(client, middle.id, {"parent_id": str(other_root.id)}, headers)
    assert moved.status_code == 200, moved.text
    assert moved.json()["parent_id"] == str(other_root.id)
    assert moved.json()["path"] == f"{other_root.path}{middle.id}/"
    leaf_now = (await client.get(f"{URL}/{leaf.id}", headers=headers)).json()
    assert leaf_now["path"] == f"{other_root.path}{middle.id}/{leaf.id}/"
    assert leaf_now["version"] == leaf.version + 1
    subtree = await client.get(URL, params={"under": str(other_root.id)}, headers=headers)
    assert set(_ids(subtree)) == {str(other_root.id), str(middle.id), str(leaf.id)}

    into_own_subtree = await _patch(client, other_root.id, {"parent_id": str(leaf.id)}, headers)
    assert _fields(into_own_subtree) == {"body.parent_id"}
    under_itself = await _patch(client, middle.id, {"parent_id": str(middle.id)}, headers)
    assert _fields(under_itself) == {"body.parent_id"}

    to_root = await _patch(client, middle.id, {"parent_id": None}, headers)
    assert to_root.status_code == 200, to_root.text
    assert to_root.json()["path"] == f"/{middle.id}/"
    leaf_now = (await client.get(f"{URL}/{leaf.id}", headers=headers)).json()
    assert leaf_now["path"] == f"/{middle.id}/{leaf.id}/"
    assert await world.audit_actions(middle.id) == ["agency.updated", "agency.updated"]


async def test_agency_list_filters_sorts_and_pages(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    root = (
        await client.post(URL, json=_body("a-root", name="Sekretariat Daerah"), headers=admin)
    ).json()
    created = {}
    for code, name, kind in [
        ("c-bidang", "Bidang 100% Mutu", "bidang"),
        ("b-uptd", "UPTD Puskesmas", "uptd"),
    ]:
        response = await client.post(
            URL,
            json={"code": code, "name": name, "kind": kind, "parent_id": root["id"]},
            headers=admin,
        )
        created[code] = response.json()
    inactive = created["b-uptd"]["id"]
    assert (await _patch(client, inactive, {"active": False}, admin)).status_code == 200
    all_ids = {root["id"], *(a["id"] for a in created.values())}

    def listed(**params: Any) -> Any:
        return client.get(URL, params=params, headers=admin)

    assert set(_ids(await listed())) == all_ids
    assert set(_ids(await listed(parent_id=root["id"]))) == all_ids - {root["id"]}
    assert set(_ids(await listed(under=created["c-bidang"]["id"]))) == {created["c-bidang"]["id"]}
    assert _ids(await listed(kind="uptd")) == [inactive]
    assert _ids(await listed(active=False)) == [inactive]
    assert _ids(await listed(q="puskes")) == [inactive]
    assert _ids(await listed(q="100%")) == [created["c-bidang"]["id"]]
    assert _ids(await listed(q="%")) == [created["c-bidang"]["id"]]
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert _ids(await listed(updated_since=future)) == []
    by_code = [root["id"], created["b-uptd"]["id"], created["c-bidang"]["id"]]
    assert _ids(await listed(sort="code")) == by_code
    by_name = [created["c-bidang"]["id"], root["id"], created["b-uptd"]["id"]]
    assert _ids(await listed()) == by_name
    assert len(_ids(await listed(sort="updated_at"))) == 3

    first = await listed(sort="code", limit=2)
    assert _ids(first) == by_code[:2]
    cursor = first.json()["next_cursor"]
    second = await listed(sort="code", limit=2, cursor=cursor)
    assert _ids(second) == by_code[2:]
    assert second.json()["next_cursor"] is None
    assert (await listed(sort="name", limit=2, cursor=cursor)).status_code == 400
    assert (await listed(sort="size")).status_code == 422
    assert (await listed(kind="desa")).status_code == 422
    assert _fields(await listed(q="a\x00")) == {"query.q"}


async def test_agency_admin_works_inside_their_subtree_only(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    top = await world.agency(region)
    mine = await world.agency(region, top)
    below = await world.agency(region, mine)
    sibling = await world.agency(region, top)
    headers = world.auth(await world.user(region, Role.AGENCY_ADMIN, agency=mine))

    assert set(_ids(await client.get(URL, headers=headers))) == {str(mine.id), str(below.id)}
    assert (await client.get(f"{URL}/{sibling.id}", headers=headers)).status_code == 404
    assert (await client.get(f"{URL}/{top.id}", headers=headers)).status_code == 404
    assert _ids(await client.get(URL, params={"under": str(top.id)}, headers=headers)) == []

    created = await client.post(URL, json=_body(parent_id=str(below.id)), headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["path"] == f"{below.path}{created.json()['id']}/"
    root = await client.post(URL, json=_body("akar"), headers=headers)
    assert _fields(root) == {"body.parent_id"}
    outside = await client.post(URL, json=_body("luar", parent_id=str(sibling.id)), headers=headers)
    assert _fields(outside) == {"body.parent_id"}

    renamed = await _patch(client, below.id, {"name": "Bidang Baru", "active": False}, headers)
    assert renamed.status_code == 200, renamed.text
    moved_out = await _patch(client, below.id, {"parent_id": str(sibling.id)}, headers)
    assert _fields(moved_out) == {"body.parent_id"}
    to_root = await _patch(client, below.id, {"parent_id": None}, headers)
    assert _fields(to_root) == {"body.parent_id"}
    own_root_down = await _patch(client, mine.id, {"parent_id": str(below.id)}, headers)
    assert _fields(own_root_down) == {"body.parent_id"}
    hidden = await client.patch(
        f"{URL}/{sibling.id}", json={"name": "X"}, headers={**headers, "If-Match": '"1"'}
    )
    assert hidden.status_code == 404


@pytest.mark.parametrize(
    "role", [Role.EMPLOYEE, Role.TRAINING_ADMIN, Role.COMPLAINT_OFFICER, Role.AUDITOR]
)
async def test_other_people_of_the_region_read_agencies_but_cannot_write(
    client: httpx.AsyncClient, world: World, role: Role
) -> None:
    region = await world.region()
    top = await world.agency(region)
    child = await world.agency(region, top)
    headers = world.auth(await world.user(region, role))
    assert set(_ids(await client.get(URL, headers=headers))) == {str(top.id), str(child.id)}
    assert (await client.get(f"{URL}/{child.id}", headers=headers)).status_code == 200
    assert (await client.post(URL, json=_body(), headers=headers)).status_code == 403
    refused = await client.patch(
        f"{URL}/{child.id}", json={"name": "X"}, headers={**headers, "If-Match": '"1"'}
    )
    assert refused.status_code == 403


async def test_superadmin_reads_every_region_but_does_not_write(
    client: httpx.AsyncClient, world: World
) -> None:
    first, second = await world.region(), await world.region()
    ours, theirs = await world.agency(first), await world.agency(second)
    headers = world.auth(await world.user(None, Role.SUPERADMIN))
    assert {str(ours.id), str(theirs.id)} <= set(_ids(await client.get(URL, headers=headers)))
    assert (await client.get(f"{URL}/{theirs.id}", headers=headers)).status_code == 200
    assert (await client.post(URL, json=_body(), headers=headers)).status_code == 403


async def test_service_accounts_need_org_scopes(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    agency = await world.agency(region)
    reader = world.auth(await world.service_account(region, "org:read"))
    writer = world.auth(await world.service_account(region, "org:write"))
    nothing = world.auth(await world.service_account(region, "audit:read"))

    assert _ids(await client.get(URL, headers=reader)) == [str(agency.id)]
    assert (await client.post(URL, json=_body(), headers=reader)).status_code == 403
    assert (await client.get(URL, headers=writer)).status_code == 403
    assert (await client.get(URL, headers=nothing)).status_code == 403
    created = await client.post(URL, json=_body(parent_id=str(agency.id)), headers=writer)
    assert created.status_code == 201, created.text
    patched = await client.patch(
        f"{URL}/{created.json()['id']}",
        json={"parent_id": None},
        headers={**writer, "If-Match": created.headers["etag"]},
    )
    assert patched.status_code == 200, patched.text
    assert await world.audit_actions(created.json()["id"]) == ["agency.created", "agency.updated"]


async def test_another_regions_principals_never_see_an_agency(
    client: httpx.AsyncClient, world: World
) -> None:
    region, other = await world.region(), await world.region()
    agency = await world.agency(region)
    reader = await world.user(other, Role.EMPLOYEE)
    writers = [
        await world.user(other, Role.REGION_ADMIN),
        await world.service_account(other, "org:read", "org:write"),
    ]
    for principal in [reader, *writers]:
        headers = world.auth(principal)
        assert str(agency.id) not in _ids(await client.get(URL, headers=headers))
        assert _ids(await client.get(URL, params={"under": str(agency.id)}, headers=headers)) == []
        assert (await client.get(f"{URL}/{agency.id}", headers=headers)).status_code == 404
    for principal in writers:
        headers = world.auth(principal)
        patch = await client.patch(
            f"{URL}/{agency.id}", json={"name": "X"}, headers={**headers, "If-Match": '"1"'}
        )
        assert patch.status_code == 404
        child = await client.post(URL, json=_body(parent_id=str(agency.id)), headers=headers)
        assert _fields(child) == {"body.parent_id"}
    assert (await client.get(URL)).status_code == 401
