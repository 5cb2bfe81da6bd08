"""Importing SKP plans: one row per indicator, grouped into plans, targets and indicators; drafts
created and updated, submitted or approved plans refused; read back through the plans API."""

import json
from decimal import Decimal
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.config import Settings
from kinerja_api.models.plans import Indicator, Plan, Target
from tests.factories import World
from tests.imports.helpers import (
    NDJSON,
    Region,
    a_region,
    errors,
    failed_whole,
    imported,
    named_csv,
)

COLUMNS = (
    "nip",
    "period",
    "target_no",
    "target_kind",
    "target_title",
    "target_description",
    "target_public",
    "indicator_no",
    "aspect",
    "indicator",
    "target_value",
    "unit",
    "aggregation",
    "weight",
)
API = "/api/v1"


def plans_csv(rows: list[dict[str, str]]) -> str:
    return named_csv(COLUMNS, rows)


def row(nip: str, target_no: str, indicator_no: str, **values: str) -> dict[str, str]:
    cells = {
        "nip": nip,
        "period": "2026",
        "target_no": target_no,
        "target_kind": "utama",
        "target_title": f"Sasaran {target_no}",
        "indicator_no": indicator_no,
        "aspect": "kuantitas",
        "indicator": f"Indikator {target_no}.{indicator_no}",
        "target_value": "12",
        "unit": "dokumen",
    }
    cells.update(values)
    return cells


def a_plan_file(nip: str) -> list[dict[str, str]]:
    """Two targets: the first with two indicators, the second with one."""
    return [
        row(
            nip,
            "1",
            "1",
            target_title="Meningkatnya layanan adminduk",
            target_description="Layanan cepat",
            target_public="ya",
            target_value="120,5",
            weight="40",
        ),
        row(
            nip,
            "1",
            "2",
            target_title="Meningkatnya layanan adminduk",
            target_description="Layanan cepat",
            target_public="ya",
            aspect="waktu",
            unit="hari",
            target_value="3",
            aggregation="average",
            weight="35",
        ),
        row(
            nip,
            "2",
            "1",
            target_kind="tambahan",
            target_title="Tugas tambahan",
            aspect="kualitas",
            unit="persen",
            target_value="90",
            aggregation="latest",
            weight="25",
        ),
    ]


async def _plan_as_api_shows(
    client: httpx.AsyncClient, headers: dict[str, str], employee_id: object
) -> dict[str, Any]:
    """The employee's plan, its targets and each target's indicators, as the plans API reads."""
    plans = await client.get(
        f"{API}/plans", params={"employee_id": str(employee_id)}, headers=headers
    )
    assert plans.status_code == 200, plans.text
    (plan,) = plans.json()["items"]
    targets = await client.get(f"{API}/plans/{plan['id']}/targets", headers=headers)
    assert targets.status_code == 200, targets.text
    shown = []
    for target in targets.json()["items"]:
        indicators = await client.get(f"{API}/targets/{target['id']}/indicators", headers=headers)
        assert indicators.status_code == 200, indicators.text
        shown.append({**target, "indicators": indicators.json()["items"]})
    return {**plan, "targets": shown}


async def _counts(world: World, region: Any) -> tuple[int, int, int]:
    await enter_all_regions(world.connection)
    found = []
    for model in (Plan, Target, Indicator):
        found.append(
            int(
                await world.connection.scalar(
                    select(func.count()).select_from(model).where(model.region_id == region.id)
                )
                or 0
            )
        )
    return found[0], found[1], found[2]


async def _home_with_staff(world: World) -> tuple[Region, Any, Any]:
    home = await a_region(world)
    await world.period(home.region, 2026)
    return home, await world.employee(home.region, home.agency), home.agency


async def test_a_file_creates_draft_plans_that_read_back_as_the_file_said_and_again_changes_nothing(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home, staff, _agency = await _home_with_staff(world)
    body = plans_csv(a_plan_file(staff.nip))
    small = settings.model_copy(update={"import_batch_rows": 2})  # a plan across two batches
    first = await imported(client, app, small, home.headers, body, kind="plans")
    assert first["counts"] == {
        "read": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "failed": 0,
    }, await errors(client, home.headers, first["id"])

    plan = await _plan_as_api_shows(client, home.headers, staff.id)
    assert plan["status"] == "draft"
    assert plan["agency_id"] == str(staff.agency_id)
    shown = [
        (
            t["position"],
            t["kind"],
            t["title"],
            t["description"],
            t["public"],
            [
                (
                    i["position"],
                    i["aspect"],
                    i["description"],
                    Decimal(i["target_value"]),
                    i["unit"],
                    i["aggregation"],
                    Decimal(i["weight"]),
                )
                for i in t["indicators"]
            ],
        )
        for t in plan["targets"]
    ]
    assert shown == [
        (
            1,
            "utama",
            "Meningkatnya layanan adminduk",
            "Layanan cepat",
            True,
            [
                (1, "kuantitas", "Indikator 1.1", Decimal("120.5"), "dokumen", "sum", Decimal(40)),
                (2, "waktu", "Indikator 1.2", Decimal(3), "hari", "average", Decimal(35)),
            ],
        ),
        (
            2,
            "tambahan",
            "Tugas tambahan",
            None,
            False,
            [(1, "kualitas", "Indikator 2.1", Decimal(90), "persen", "latest", Decimal(25))],
        ),
    ]

    again = await imported(client, app, small, home.headers, body, kind="plans")
    assert again["counts"] == {"read": 3, "created": 0, "updated": 0, "unchanged": 3, "failed": 0}
    assert await _counts(world, home.region) == (1, 2, 3)
    # The imported plan is complete: its employee may submit it as it is.
    assert (await _plan_as_api_shows(client, home.headers, staff.id))["version"] == plan["version"]


async def test_a_draft_is_updated_and_a_new_indicator_added(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home, staff, _agency = await _home_with_staff(world)
    rows = a_plan_file(staff.nip)
    await imported(client, app, settings, home.headers, plans_csv(rows), kind="plans")
    before = await _plan_as_api_shows(client, home.headers, staff.id)

    rows[2]["target_value"] = "95"
    rows.append(
        row(staff.nip, "2", "2", **{k: rows[2][k] for k in ("target_kind", "target_title")})
    )
    result = await imported(
        client, app, settings, home.headers, plans_csv(rows), kind="plans", mode="all_or_nothing"
    )
    assert result["counts"] == {"read": 4, "created": 1, "updated": 1, "unchanged": 2, "failed": 0}

    after = await _plan_as_api_shows(client, home.headers, staff.id)
    extra = after["targets"][1]["indicators"]
    assert [Decimal(i["target_value"]) for i in extra] == [Decimal(95), Decimal(12)]
    assert extra[0]["version"] == before["targets"][1]["indicators"][0]["version"] + 1
    assert after["targets"][0] == before["targets"][0]


async def test_a_submitted_or_approved_plan_is_refused_and_left_alone_a_returned_one_changes(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home, staff, agency = await _home_with_staff(world)
    other = await world.employee(home.region, agency)
    period = await world.period(home.region, 2027)
    submitted = await world.plan(period, staff, status="submitted")
    approved = await world.plan(period, other, status="approved")
    kept = await world.target(approved, title="Tetap")
    third = await world.employee(home.region, agency)
    returned = await world.plan(period, third, status="returned")
    rows = [
        row(staff.nip, "1", "1", period="2027"),
        row(other.nip, "1", "1", period="2027"),
        row(third.nip, "1", "1", period="2027"),
    ]
    result = await imported(client, app, settings, home.headers, plans_csv(rows), kind="plans")
    assert (result["counts"]["failed"], result["counts"]["created"]) == (2, 1)
    found = await errors(client, home.headers, result["id"])
    assert {(e["row"], e["problem"], e["value"]) for e in found} == {
        (1, "conflict", "submitted"),
        (2, "conflict", "approved"),
    }
    await enter_all_regions(world.connection)
    targets = (
        await world.connection.execute(
            select(Target.plan_id, Target.title).where(
                Target.plan_id.in_([submitted.id, approved.id])
            )
        )
    ).all()
    assert targets == [(approved.id, kept.title)]
    written = await client.get(f"{API}/plans/{returned.id}/targets", headers=home.headers)
    assert [t["title"] for t in written.json()["items"]] == ["Sasaran 1"]


async def test_a_dry_run_writes_nothing_and_all_or_nothing_writes_nothing_when_a_row_fails(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home, staff, _agency = await _home_with_staff(world)
    rows = a_plan_file(staff.nip)
    dry = await imported(
        client, app, settings, home.headers, plans_csv(rows), kind="plans", dry_run=True
    )
    assert dry["counts"] == {"read": 3, "created": 3, "updated": 0, "unchanged": 0, "failed": 0}
    assert await _counts(world, home.region) == (0, 0, 0)

    rows.append(row(staff.nip, "3", "1", target_value="0"))
    await failed_whole(client, app, settings, home.headers, plans_csv(rows), kind="plans")
    assert await _counts(world, home.region) == (0, 0, 0)


async def test_every_rule_refuses_its_rows_and_another_regions_nip_is_not_found(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home, staff, _agency = await _home_with_staff(world)
    foreign = await a_region(world)
    await world.period(foreign.region, 2026)
    outsider = await world.employee(foreign.region, foreign.agency)
    await world.period(home.region, 2020, status="closed")
    rows = [
        row(outsider.nip, "1", "1"),
        row(staff.nip, "1", "1", period="2031"),
        row(staff.nip, "1", "2", period="2020"),
        row(staff.nip, "x", "1"),
        row(staff.nip, "5", "1", target_kind="inti"),
        row(staff.nip, "1", "4", aspect="mutu"),
        row(staff.nip, "1", "5", target_value="-3"),
        row(staff.nip, "1", "6", target_value="1.23456"),
        row(staff.nip, "1", "7", weight="101"),
        row(staff.nip, "1", "8", aggregation="max"),
        row(staff.nip, "6", "1", target_public="mungkin"),
        row(staff.nip, "2", "1", target_title="Satu"),
        row(staff.nip, "2", "2", target_title="Dua"),
        row(staff.nip, "1", "10", indicator="=HYPERLINK(1)"),
        row(staff.nip, "1", "11"),
        row(staff.nip, "1", "11"),
    ]
    result = await imported(client, app, settings, home.headers, plans_csv(rows), kind="plans")
    found = {
        (e["row"], e["field"], e["problem"])
        for e in await errors(client, home.headers, result["id"])
    }
    assert found == {
        (1, "nip", "not_found"),
        (2, "period", "not_found"),
        (3, "period", "conflict"),
        (4, "target_no", "invalid"),
        (5, "target_kind", "invalid"),
        (6, "aspect", "invalid"),
        (7, "target_value", "formula"),
        (7, "target_value", "invalid"),
        (8, "target_value", "invalid"),
        (9, "weight", "invalid"),
        (10, "aggregation", "invalid"),
        (11, "target_public", "invalid"),
        (12, "target_title", "conflict"),
        (13, "target_title", "conflict"),
        (14, "indicator", "formula"),
        (15, "indicator_no", "duplicate"),
        (16, "indicator_no", "duplicate"),
    }
    assert result["counts"]["created"] == 0
    assert await _counts(world, home.region) == (0, 0, 0)
    assert await _counts(world, foreign.region) == (0, 0, 0)


async def test_an_ndjson_file_with_numbers_and_booleans_imports_like_its_csv(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home, staff, _agency = await _home_with_staff(world)
    line = {
        "nip": staff.nip,
        "period": 2026,
        "target_no": 1,
        "target_kind": "utama",
        "target_title": "Sasaran NDJSON",
        "target_public": True,
        "indicator_no": 0,
        "aspect": "kuantitas",
        "indicator": "Dokumen",
        "target_value": 7.25,
        "unit": "dokumen",
    }
    result = await imported(
        client,
        app,
        settings,
        home.headers,
        json.dumps(line) + "\n",
        kind="plans",
        content_type=NDJSON,
    )
    assert result["counts"]["created"] == 1, await errors(client, home.headers, result["id"])
    (target,) = (await _plan_as_api_shows(client, home.headers, staff.id))["targets"]
    assert (target["public"], target["position"]) == (True, 1)
    (indicator,) = target["indicators"]
    assert (Decimal(indicator["target_value"]), indicator["position"]) == (Decimal("7.25"), 0)


async def test_an_ambiguous_number_and_a_shared_indicators_unit_are_refused(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    home = await a_region(world)
    period = await world.period(home.region, 2026)
    boss = await world.employee(home.region, home.agency)
    staff = await world.employee(home.region, home.agency, supervisor=boss)
    above = await world.target(await world.plan(period, boss), position=1)
    shared = await world.indicator(above, position=1)
    draft = await world.plan(period, staff)
    below = await world.target(
        draft, position=1, title="Turunan", parent_target_id=above.id, cascade_mode="direct"
    )
    await world.indicator(below, position=1, parent_indicator_id=shared.id)
    await world.target(draft, position=5, title="Lima")
    await world.target(draft, position=5, title="Lima")
    rows = [
        row(staff.nip, "1", "1", target_title="Turunan", unit="berkas"),
        row(staff.nip, "5", "1", target_title="Lima"),
        row(boss.nip, "1", "1", unit="berkas", target_title=above.title),
    ]
    result = await imported(client, app, settings, home.headers, plans_csv(rows), kind="plans")
    found = {
        (e["row"], e["field"], e["problem"])
        for e in await errors(client, home.headers, result["id"])
    }
    assert found == {
        (1, "unit", "conflict"),
        (2, "target_no", "conflict"),
        (3, "unit", "conflict"),
    }
