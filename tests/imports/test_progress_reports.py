"""Importing progress reports: on approved plans' indicators (by the plan's NIP and period and the
target's and indicator's numbers), keyed by indicator and day; read back through the progress
API."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.config import Settings
from kinerja_api.core.clock import today_in
from kinerja_api.models.progress import ProgressReport
from tests.factories import World
from tests.imports.helpers import (
    Region,
    a_region,
    errors,
    imported,
    named_csv,
)

COLUMNS = (
    "nip",
    "period",
    "target_no",
    "indicator_no",
    "reported_for",
    "value",
    "note",
    "evidence_url",
    "evidence_title",
    "evidence_kind",
)
REPORTS = "/api/v1/progress-reports"


def reports_csv(rows: list[dict[str, str]]) -> str:
    return named_csv(COLUMNS, rows)


@dataclass
class Setting:
    home: Region
    staff: Any
    period: Any
    plan: Any
    indicators: list[Any]
    year: int
    today: date


async def _approved_plan(world: World) -> Setting:
    """An employee's approved plan: target 1 with indicators 1 and 2."""
    home = await a_region(world)
    today = today_in("Asia/Jakarta")
    period = await world.period(home.region, today.year)
    boss = await world.employee(home.region, home.agency)
    staff = await world.employee(home.region, home.agency, supervisor=boss)
    plan = await world.plan(period, staff, status="approved")
    target = await world.target(plan, position=1)
    indicators = [
        await world.indicator(target, position=1),
        await world.indicator(target, position=2, aggregation="latest"),
    ]
    return Setting(home, staff, period, plan, indicators, today.year, today)


def _row(setting: Setting, indicator_no: str, reported_for: date, **values: str) -> dict[str, str]:
    cells = {
        "nip": setting.staff.nip,
        "period": str(setting.year),
        "target_no": "1",
        "indicator_no": indicator_no,
        "reported_for": reported_for.isoformat(),
        "value": "10",
    }
    cells.update(values)
    return cells


async def _reports(world: World, region: Any) -> int:
    await enter_all_regions(world.connection)
    return int(
        await world.connection.scalar(
            select(func.count())
            .select_from(ProgressReport)
            .where(ProgressReport.region_id == region.id)
        )
        or 0
    )


async def test_reports_are_created_read_back_through_the_progress_api_and_again_change_nothing(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    setting = await _approved_plan(world)
    first_day = date(setting.year, 1, 1)
    rows = [
        _row(
            setting,
            "1",
            first_day,
            value="12,5",
            note="Triwulan I",
            evidence_url="https://arsip.bungo.go.id/bukti/1.pdf",
            evidence_title="Berita acara",
        ),
        _row(
            setting,
            "2",
            setting.today,
            value="3",
            evidence_url="https://arsip.bungo.go.id/foto",
            evidence_title="Foto",
            evidence_kind="photo",
        ),
    ]
    headers = setting.home.headers
    first = await imported(
        client, app, settings, headers, reports_csv(rows), kind="progress_reports"
    )
    assert first["counts"] == {
        "read": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "failed": 0,
    }, await errors(client, headers, first["id"])

    listed = await client.get(
        REPORTS,
        params={"plan_id": str(setting.plan.id), "sort": "reported_for"},
        headers=headers,
    )
    assert listed.status_code == 200, listed.text
    shown = [
        (
            r["indicator_id"],
            r["reported_for"],
            Decimal(r["value"]),
            r["note"],
            r["evidence"],
            r["status"],
            r["quarter"],
            r["employee_id"],
        )
        for r in listed.json()["items"]
    ]
    first_indicator, second_indicator = (str(i.id) for i in setting.indicators)
    assert shown == [
        (
            first_indicator,
            first_day.isoformat(),
            Decimal("12.5"),
            "Triwulan I",
            [
                {
                    "title": "Berita acara",
                    "url": "https://arsip.bungo.go.id/bukti/1.pdf",
                    "kind": "document",
                }
            ],
            "pending",
            1,
            str(setting.staff.id),
        ),
        (
            second_indicator,
            setting.today.isoformat(),
            Decimal(3),
            None,
            [{"title": "Foto", "url": "https://arsip.bungo.go.id/foto", "kind": "photo"}],
            "pending",
            (setting.today.month - 1) // 3 + 1,
            str(setting.staff.id),
        ),
    ]

    again = await imported(
        client, app, settings, headers, reports_csv(rows), kind="progress_reports"
    )
    assert again["counts"] == {"read": 2, "created": 0, "updated": 0, "unchanged": 2, "failed": 0}
    assert await _reports(world, setting.home.region) == 2

    rows[0]["value"] = "14"
    changed = await imported(
        client, app, settings, headers, reports_csv(rows), kind="progress_reports"
    )
    assert changed["counts"] == {"read": 2, "created": 0, "updated": 1, "unchanged": 1, "failed": 0}
    report = (
        await client.get(REPORTS, params={"indicator_id": first_indicator}, headers=headers)
    ).json()["items"][0]
    assert (Decimal(report["value"]), report["version"]) == (Decimal(14), 2)


async def test_a_verified_report_is_not_changed_and_a_plan_not_approved_takes_no_report(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    setting = await _approved_plan(world)
    day = date(setting.year, 1, 2)
    await world.connection.execute(
        ProgressReport.__table__.insert().values(
            region_id=setting.plan.region_id,
            plan_id=setting.plan.id,
            target_id=setting.indicators[0].target_id,
            indicator_id=setting.indicators[0].id,
            employee_id=setting.staff.id,
            agency_id=setting.staff.agency_id,
            value=Decimal(10),
            reported_for=day,
            year=day.year,
            quarter=1,
            status="accepted",
        )
    )
    draft_owner = await world.employee(setting.home.region, setting.home.agency)
    draft = await world.plan(setting.period, draft_owner)
    target = await world.target(draft, position=1)
    await world.indicator(target, position=1)
    rows = [
        _row(setting, "1", day, value="10"),  # what was verified: unchanged
        _row(setting, "1", day, value="11"),  # another value: refused
        _row(setting, "1", date(setting.year, 1, 3), value="1", nip=draft_owner.nip),
    ]
    result = await imported(
        client, app, settings, setting.home.headers, reports_csv(rows[1:]), kind="progress_reports"
    )
    found = {
        (e["row"], e["field"], e["problem"], e["value"])
        for e in await errors(client, setting.home.headers, result["id"])
    }
    assert found == {(1, "reported_for", "conflict", "accepted"), (2, None, "conflict", "draft")}
    unchanged = await imported(
        client, app, settings, setting.home.headers, reports_csv(rows[:1]), kind="progress_reports"
    )
    assert unchanged["counts"]["unchanged"] == 1
    assert await _reports(world, setting.home.region) == 1


async def test_dry_run_and_all_or_nothing_write_nothing_and_every_rule_refuses_its_rows(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, world: World
) -> None:
    setting = await _approved_plan(world)
    foreign = await a_region(world)
    outsider = await world.employee(foreign.region, foreign.agency)
    headers = setting.home.headers
    good = _row(setting, "1", date(setting.year, 1, 5))
    dry = await imported(
        client, app, settings, headers, reports_csv([good]), kind="progress_reports", dry_run=True
    )
    assert dry["counts"]["created"] == 1
    assert await _reports(world, setting.home.region) == 0

    rows = [
        good,
        _row(setting, "1", date(setting.year, 1, 6), nip=outsider.nip),
        _row(setting, "9", date(setting.year, 1, 7)),
        _row(setting, "1", date(setting.year, 1, 8), value="-1"),
        _row(setting, "1", date(setting.year, 1, 9), value="1.23456"),
        _row(setting, "1", date(setting.year - 1, 12, 31)),
        _row(setting, "1", setting.today + timedelta(days=1)),
        {**_row(setting, "1", date(setting.year, 1, 10)), "reported_for": f"{setting.year}-02-30"},
        _row(setting, "1", date(setting.year, 1, 11), evidence_url="ftp://x", evidence_title="X"),
        _row(setting, "1", date(setting.year, 1, 12), evidence_url="https://x.id/a"),
        _row(setting, "1", date(setting.year, 1, 13), evidence_kind="photo"),
        _row(setting, "1", date(setting.year, 1, 14), note="@here"),
        _row(setting, "2", date(setting.year, 1, 15)),
        _row(setting, "2", date(setting.year, 1, 15)),
    ]
    whole = await imported(
        client,
        app,
        settings,
        headers,
        reports_csv(rows),
        kind="progress_reports",
        mode="all_or_nothing",
    )
    assert whole["status"] == "failed"
    assert await _reports(world, setting.home.region) == 0
    assert await _reports(world, foreign.region) == 0
    found = {
        (e["row"], e["field"], e["problem"])
        for e in await errors(client, headers, whole["id"], limit=100)
    }
    future = {(7, "reported_for", "invalid")}
    assert found - future == {
        (2, "nip", "not_found"),
        (3, "indicator_no", "not_found"),
        (4, "value", "formula"),
        (4, "value", "invalid"),
        (5, "value", "invalid"),
        (6, "reported_for", "invalid"),
        (8, "reported_for", "invalid"),
        (9, "evidence_url", "invalid"),
        (10, "evidence_title", "missing"),
        (11, "evidence_url", "missing"),
        (12, "note", "formula"),
        (13, "reported_for", "duplicate"),
        (14, "reported_for", "duplicate"),
    }
    assert future <= found
