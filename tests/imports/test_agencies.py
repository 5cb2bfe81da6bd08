"""Importing agencies: a tree whose parents may come later in the file, renamed on a second
import, never moved by one."""

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.config import Settings
from kinerja_api.models.org import Agency
from tests.factories import World
from tests.imports.helpers import a_region, errors, imported

HEADER = "code,name,kind,parent_code"


async def _agencies(world: World, region: object) -> dict[str, Agency]:
    await enter_all_regions(world.connection)
    rows = await world.connection.execute(
        select(Agency).where(Agency.region_id == region.id)  # type: ignore[attr-defined]
    )
    return {row.code: row for row in rows}


async def test_a_tree_is_created_parents_first_or_not_and_a_rename_is_an_update(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home = await a_region(world)
    lines = [
        HEADER,
        "uptd-pkm-1,Puskesmas Satu,uptd,dinkes",  # its parent comes later
        f"dinkes,Dinas Kesehatan,dinas,{home.agency.code}",
        "setda,Sekretariat Daerah,sekretariat,",
        "bagian-umum,Bagian Umum,bidang,setda",
    ]
    small = settings.model_copy(update={"import_batch_rows": 1})
    result = await imported(client, app, small, home.headers, "\n".join(lines), kind="agencies")
    assert result["counts"] == {"read": 4, "created": 4, "updated": 0, "unchanged": 0, "failed": 0}
    tree = await _agencies(world, home.region)
    dinkes, puskesmas = tree["dinkes"], tree["uptd-pkm-1"]
    assert dinkes.parent_id == home.agency.id
    assert dinkes.path == f"{home.agency.path}{dinkes.id}/"
    assert puskesmas.parent_id == dinkes.id
    assert puskesmas.path == f"{dinkes.path}{puskesmas.id}/"
    assert tree["setda"].path == f"/{tree['setda'].id}/"
    assert tree["bagian-umum"].path == f"{tree['setda'].path}{tree['bagian-umum'].id}/"

    lines[3] = "setda,Sekretariat Daerah Kabupaten,sekretariat,"
    again = await imported(client, app, small, home.headers, "\n".join(lines), kind="agencies")
    assert again["counts"] == {"read": 4, "created": 0, "updated": 1, "unchanged": 3, "failed": 0}
    after = await _agencies(world, home.region)
    assert after["setda"].name == "Sekretariat Daerah Kabupaten"
    assert {code: a.path for code, a in after.items()} == {code: a.path for code, a in tree.items()}


async def test_moves_loops_and_bad_codes_are_refused(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home = await a_region(world)
    lines = [
        HEADER,
        f"{home.agency.code},Pindah,dinas,{home.other_agency.code}",  # a move
        "lingkar-a,A,dinas,lingkar-b",
        "lingkar-b,B,dinas,lingkar-a",
        "Huruf Besar,C,dinas,",
        "anak,D,kantor,",
        "yatim,E,dinas,tidak-ada",
        "cucu,F,dinas,yatim",
    ]
    before = await _agencies(world, home.region)
    result = await imported(client, app, settings, home.headers, "\n".join(lines), kind="agencies")
    found = {
        (e["row"], e["field"], e["problem"])
        for e in await errors(client, home.headers, result["id"])
    }
    assert found == {
        (1, "parent_code", "conflict"),
        (2, "parent_code", "cycle"),
        (3, "parent_code", "cycle"),
        (4, "code", "invalid"),
        (5, "kind", "invalid"),
        (6, "parent_code", "not_found"),
        (7, "parent_code", "not_found"),
    }
    assert await _agencies(world, home.region) == before
