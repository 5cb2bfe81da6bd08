import httpx

from kinerja_api.models.org import Role
from tests.factories import World


async def test_superadmin_creates_lists_and_updates_regions(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = await world.user(None, Role.SUPERADMIN)
    headers = world.auth(admin)
    body = {
        "code": "gorontalo",
        "name": "Kota Gorontalo",
        "kind": "kota",
        "timezone": "Asia/Makassar",
    }
    created = await client.post("/api/v1/regions", json=body, headers=headers)
    assert created.status_code == 201, created.text
    region = created.json()
    assert created.headers["location"] == f"/api/v1/regions/{region['id']}"
    assert region["timezone"] == "Asia/Makassar"

    fetched = await client.get(f"/api/v1/regions/{region['id']}", headers=headers)
    etag = fetched.headers["etag"]
    patch = await client.patch(
        f"/api/v1/regions/{region['id']}",
        json={"name": "Kota Gorontalo (baru)"},
        headers={**headers, "If-Match": etag},
    )
    assert patch.status_code == 200, patch.text
    assert patch.json()["version"] == region["version"] + 1
    stale = await client.patch(
        f"/api/v1/regions/{region['id']}",
        json={"active": False},
        headers={**headers, "If-Match": etag},
    )
    assert stale.status_code == 412
    assert await world.audit_actions(region["id"]) == ["region.created", "region.updated"]


async def test_region_admin_sees_only_own_region(client: httpx.AsyncClient, world: World) -> None:
    mine, other = await world.region(), await world.region()
    admin = await world.user(mine, Role.REGION_ADMIN)
    listed = await client.get("/api/v1/regions", headers=world.auth(admin))
    assert [r["id"] for r in listed.json()["items"]] == [str(mine.id)]
    hidden = await client.get(f"/api/v1/regions/{other.id}", headers=world.auth(admin))
    assert hidden.status_code == 404
    refused = await client.post(
        "/api/v1/regions",
        json={"code": "x", "name": "X", "kind": "kota", "timezone": "Asia/Jakarta"},
        headers=world.auth(admin),
    )
    assert refused.status_code == 403


async def test_region_input_is_validated(client: httpx.AsyncClient, world: World) -> None:
    admin = await world.user(None, Role.SUPERADMIN)
    response = await client.post(
        "/api/v1/regions",
        json={
            "code": "Bad Code",
            "name": "",
            "kind": "desa",
            "timezone": "Mars/Olympus",
            "id": "x",
        },
        headers=world.auth(admin),
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"body.code", "body.name", "body.kind", "body.timezone", "body.id"}


async def test_region_list_pages_through_every_region(
    client: httpx.AsyncClient, world: World
) -> None:
    for _ in range(3):
        await world.region()
    admin = await world.user(None, Role.SUPERADMIN)
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = (
            await client.get("/api/v1/regions", params=params, headers=world.auth(admin))
        ).json()
        seen.extend(r["id"] for r in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) >= 3


async def test_nul_characters_are_a_validation_error(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = await world.user(None, Role.SUPERADMIN)
    response = await client.post(
        "/api/v1/regions",
        json={"code": "nul", "name": "Bad\u0000Name", "kind": "kota", "timezone": "Asia/Jakarta"},
        headers=world.auth(admin),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.name"
