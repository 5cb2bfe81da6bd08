"""Public IKM survey submission, moderation, and the IKM report."""

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.models.feedback import IKM_ELEMENTS, FeedbackResponse
from kinerja_api.models.org import Role
from kinerja_api.progress.stream import STREAM_FAMILIES
from tests.conftest import ClientWith
from tests.factories import World

SUBMIT = "/api/v1/public/feedback"
REPORT = "/api/v1/reports/ikm"
HAND_EXAMPLE = [
    [4, 4, 4, 4, 4, 4, 4, 4, 4],
    [3, 3, 3, 3, 3, 3, 3, 3, 3],
    [4, 3, 4, 3, 4, 3, 4, 3, 4],
    [2, 3, 3, 4, 3, 3, 3, 2, 3],
]
JUNE = datetime(2026, 6, 10, 3, tzinfo=UTC)


def _body(unit: Any, score: int = 3, **extra: Any) -> dict[str, Any]:
    return {"unit_code": unit.code, **dict.fromkeys(IKM_ELEMENTS, score), **extra}


async def _count(connection: AsyncConnection) -> int:
    await enter_all_regions(connection)
    return int(await connection.scalar(select(func.count()).select_from(FeedbackResponse)) or 0)


async def _unit(world: World, timezone: str = "Asia/Jakarta") -> tuple[Any, Any, Any]:
    region = await world.region(timezone=timezone)
    agency = await world.agency(region)
    return region, agency, await world.service_unit(agency)


# --- public submission --------------------------------------------------------------------


async def test_a_citizen_submits_a_survey_without_a_token(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    region, agency, unit = await _unit(world)
    employee = await world.employee(region, agency)
    staff = await world.staff(unit, employee, label="Petugas Loket 2")
    body = _body(
        unit,
        staff_code=staff.code.lower(),
        comment="Pelayanan cepat.",
        respondent={"age_band": "30_39", "sex": "perempuan", "education": "s1"},
    )
    response = await client.post(SUBMIT, json=body)
    assert response.status_code == 201, response.text
    assert set(response.json()) == {"status", "service_unit_name", "received_at"}
    assert response.json()["service_unit_name"] == unit.name
    await enter_all_regions(connection)
    row = (await connection.execute(select(FeedbackResponse))).one()
    assert (row.staff_id, row.agency_id, row.comment) == (staff.id, agency.id, "Pelayanan cepat.")
    assert (row.age_band, row.sex, row.education, row.occupation) == (
        "30_39",
        "perempuan",
        "s1",
        None,
    )
    assert [getattr(row, e) for e in IKM_ELEMENTS] == [3] * 9
    assert await world.audit_actions(row.id) == ["feedback.received"]
    audited = await connection.scalar(
        text("select changes from audit_events where entity_id = :id"), {"id": str(row.id)}
    )
    assert audited["after"]["persyaratan"] == 3
    assert "staff_id" not in audited["after"]
    event = await connection.scalar(
        text("select type from outbox_events where entity_id = :id"), {"id": row.id}
    )
    assert event == "survey.received"


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"persyaratan": 0}, {"body.persyaratan"}),
        ({"sarana": 5, "waktu": "x"}, {"body.sarana", "body.waktu"}),
        (
            {"respondent": {"sex": "x", "age_band": "7"}},
            {"body.respondent.sex", "body.respondent.age_band"},
        ),
        ({"unit_code": "??"}, {"body.unit_code"}),
        ({"region_id": "x"}, {"body.region_id"}),
    ],
)
async def test_invalid_surveys_list_every_field(
    client: httpx.AsyncClient, world: World, change: dict[str, Any], fields: set[str]
) -> None:
    _, _, unit = await _unit(world)
    response = await client.post(SUBMIT, json={**_body(unit), **change})
    assert response.status_code == 422, response.text
    assert {error["field"] for error in response.json()["errors"]} == fields


async def test_a_missing_element_is_refused(client: httpx.AsyncClient, world: World) -> None:
    _, _, unit = await _unit(world)
    body = _body(unit)
    del body["pengaduan"]
    response = await client.post(SUBMIT, json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.pengaduan"


async def test_unknown_inactive_or_foreign_codes_are_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    region, agency, unit = await _unit(world)
    closed = await world.service_unit(agency, active=False)
    _, _, other_unit = await _unit(world)
    other_staff = await world.staff(other_unit, await world.employee(region, agency))
    for body, field in [
        (_body(unit, unit_code="ZZZZ-ZZZZ"), "body.unit_code"),
        (_body(closed), "body.unit_code"),
        (_body(unit, staff_code=other_staff.code), "body.staff_code"),
    ]:
        response = await client.post(SUBMIT, json=body)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == field


async def test_the_honeypot_answers_like_success_and_stores_nothing(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    _, _, unit = await _unit(world)
    response = await client.post(SUBMIT, json=_body(unit, website="http://spam.example"))
    assert response.status_code == 201
    assert set(response.json()) == {"status", "service_unit_name", "received_at"}
    assert await _count(connection) == 0


async def test_the_same_survey_twice_within_minutes_is_refused(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    _, _, unit = await _unit(world)
    assert (await client.post(SUBMIT, json=_body(unit, comment="Bagus"))).status_code == 201
    again = await client.post(SUBMIT, json=_body(unit, comment="Bagus"))
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert (await client.post(SUBMIT, json=_body(unit, comment="Bagus sekali"))).status_code == 201
    assert await _count(connection) == 2


async def test_an_idempotent_retry_replays_instead_of_conflicting(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    _, _, unit = await _unit(world)
    headers = {"Idempotency-Key": "survey-1"}
    first = await client.post(SUBMIT, json=_body(unit), headers=headers)
    retry = await client.post(SUBMIT, json=_body(unit), headers=headers)
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert await _count(connection) == 1


async def test_public_endpoints_are_rate_limited_per_address_and_per_unit(
    client_with: ClientWith, world: World
) -> None:
    _, _, unit = await _unit(world)
    async with client_with(public_rate_limit_per_address=2, public_rate_window_seconds=120) as http:
        statuses = [
            (await http.post(SUBMIT, json=_body(unit, score))).status_code for score in (1, 2, 3)
        ]
        assert statuses == [201, 201, 429]
        limited = await http.get(f"/api/v1/public/service-units/{unit.code}")
        assert limited.status_code == 429
        assert limited.headers["content-type"] == "application/problem+json"
        assert 1 <= int(limited.headers["retry-after"]) <= 120
    async with client_with(public_rate_limit_per_unit=1) as http:
        _, _, fresh = await _unit(world)
        assert (await http.post(SUBMIT, json=_body(fresh, 4))).status_code == 201
        assert (await http.post(SUBMIT, json=_body(fresh, 1))).status_code == 429


async def test_oversized_bodies_are_refused_with_413(
    client: httpx.AsyncClient, world: World
) -> None:
    _, _, unit = await _unit(world)
    response = await client.post(SUBMIT, json=_body(unit, comment="x" * 20_000))
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


# --- staff: reading and moderation --------------------------------------------------------


async def test_officers_hide_abusive_comments_and_the_scores_stay(
    client: httpx.AsyncClient, world: World
) -> None:
    region, agency, unit = await _unit(world)
    row = await world.feedback(unit, 2, comment="kata-kata kasar", submitted_at=JUNE)
    officer = world.auth(await world.user(region, Role.COMPLAINT_OFFICER))
    url = f"/api/v1/feedback/{row.id}"
    read = await client.get(url, headers=officer)
    assert read.json()["comment"] == "kata-kata kasar"
    body = {"reason": "Kata-kata kasar"}
    missing = await client.post(f"{url}/hide-comment", json=body, headers=officer)
    assert missing.status_code == 428
    admin = world.auth(await world.user(region, Role.AGENCY_ADMIN, agency=agency))
    refused = await client.post(
        f"{url}/hide-comment", json=body, headers={**admin, "If-Match": read.headers["etag"]}
    )
    assert refused.status_code == 403
    hidden = await client.post(
        f"{url}/hide-comment", json=body, headers={**officer, "If-Match": read.headers["etag"]}
    )
    assert hidden.status_code == 200, hidden.text
    assert (hidden.json()["comment"], hidden.json()["comment_hidden"]) == (None, True)
    assert hidden.json()["persyaratan"] == 2
    assert await world.audit_actions(row.id) == ["feedback.comment_hidden"]
    listed = await client.get("/api/v1/feedback?comment_hidden=true", headers=officer)
    assert [(i["id"], i["comment"]) for i in listed.json()["items"]] == [(str(row.id), None)]
    report = await client.get(
        REPORT, params={"date_from": "2026-06-01", "date_to": "2026-06-30"}, headers=officer
    )
    assert report.json()["respondents"] == 1


async def test_staff_see_only_their_scope_and_other_regions_are_404(
    client: httpx.AsyncClient, world: World
) -> None:
    region, agency, unit = await _unit(world)
    sibling = await world.agency(region)
    row = await world.feedback(await world.service_unit(sibling), 3)
    mine = await world.feedback(unit, 3)
    foreign_region, _, foreign_unit = await _unit(world)
    foreign = await world.feedback(foreign_unit, 3)
    officer = world.auth(await world.user(region, Role.COMPLAINT_OFFICER, agency=agency))
    listed = await client.get("/api/v1/feedback", headers=officer)
    assert [item["id"] for item in listed.json()["items"]] == [str(mine.id)]
    for hidden in (row, foreign):
        assert (
            await client.get(f"/api/v1/feedback/{hidden.id}", headers=officer)
        ).status_code == 404
    employee = world.auth(await world.user(region, Role.EMPLOYEE))
    assert (await client.get("/api/v1/feedback", headers=employee)).status_code == 403
    del foreign_region


# --- the IKM report -----------------------------------------------------------------------


async def test_report_for_a_unit_matches_the_hand_computed_example(
    client: httpx.AsyncClient, world: World
) -> None:
    region, _, unit = await _unit(world)
    for scores in HAND_EXAMPLE:
        await world.feedback(unit, scores, submitted_at=JUNE)
    headers = world.auth(await world.user(region, Role.AUDITOR))
    params = {"unit_id": str(unit.id), "date_from": "2026-01-01", "date_to": "2026-12-31"}
    response = await client.get(REPORT, params=params, headers=headers)
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["scope"], report["scope_id"], report["timezone"]) == (
        "unit",
        str(unit.id),
        "Asia/Jakarta",
    )
    assert report["respondents"] == 4
    assert report["ikm"] == "84.03"
    assert report["category"] == {"grade": "B", "label": "Baik"}
    assert [(e["element"], e["nrr"]) for e in report["elements"]] == list(
        zip(
            IKM_ELEMENTS,
            ["3.250", "3.250", "3.500", "3.500", "3.500", "3.250", "3.500", "3.000", "3.500"],
            strict=True,
        )
    )
    assert [(q["year"], q["quarter"], q["respondents"], q["ikm"]) for q in report["quarters"]] == [
        (2026, 2, 4, "84.03")
    ]


async def test_dates_are_read_in_the_regions_time_zone_and_quarters_trend(
    client: httpx.AsyncClient, world: World
) -> None:
    region, _, unit = await _unit(world, timezone="Asia/Makassar")
    # 31 March 16:30 UTC is already 1 April 00:30 WITA: second quarter, outside March.
    await world.feedback(unit, 4, submitted_at=datetime(2026, 3, 31, 16, 30, tzinfo=UTC))
    await world.feedback(unit, 2, submitted_at=datetime(2026, 3, 31, 15, 30, tzinfo=UTC))
    await world.feedback(unit, 3, submitted_at=datetime(2026, 7, 1, 1, tzinfo=UTC))
    headers = world.auth(await world.user(region, Role.REGION_ADMIN))
    march = await client.get(
        REPORT, params={"date_from": "2026-03-01", "date_to": "2026-03-31"}, headers=headers
    )
    assert (march.json()["respondents"], march.json()["ikm"]) == (1, "50.00")
    year = await client.get(
        REPORT, params={"date_from": "2026-01-01", "date_to": "2026-12-31"}, headers=headers
    )
    assert year.json()["scope"] == "region"
    quarters = [(q["quarter"], q["ikm"], q["category"]["grade"]) for q in year.json()["quarters"]]
    assert quarters == [(1, "50.00", "D"), (2, "100.00", "A"), (3, "75.00", "C")]
    empty = await client.get(
        REPORT, params={"date_from": "2025-01-01", "date_to": "2025-12-31"}, headers=headers
    )
    assert (empty.json()["respondents"], empty.json()["ikm"], empty.json()["category"]) == (
        0,
        None,
        None,
    )


async def test_staff_figures_need_at_least_five_responses(
    client: httpx.AsyncClient, world: World
) -> None:
    region, agency, unit = await _unit(world)
    five = await world.staff(unit, await world.employee(region, agency), label="Loket 1")
    four = await world.staff(unit, await world.employee(region, agency), label="Loket 2")
    for _ in range(5):
        await world.feedback(unit, 4, staff=five, submitted_at=JUNE)
    for _ in range(4):
        await world.feedback(unit, 1, staff=four, submitted_at=JUNE)
    headers = world.auth(await world.user(region, Role.AGENCY_ADMIN, agency=agency))
    report = await client.get(
        REPORT,
        params={"agency_id": str(agency.id), "date_from": "2026-06-01", "date_to": "2026-06-30"},
        headers=headers,
    )
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["respondents"] == 9
    assert [(s["code"], s["respondents"], s["ikm"]) for s in body["staff"]] == [
        (five.code, 5, "100.00")
    ]


async def test_report_scope_is_enforced(client: httpx.AsyncClient, world: World) -> None:
    region, agency, unit = await _unit(world)
    sibling_unit = await world.service_unit(await world.agency(region))
    _, foreign_agency, foreign_unit = await _unit(world)
    headers = world.auth(await world.user(region, Role.AGENCY_ADMIN, agency=agency))
    dates = {"date_from": "2026-01-01", "date_to": "2026-12-31"}
    own = await client.get(REPORT, params={**dates, "unit_id": str(unit.id)}, headers=headers)
    assert own.status_code == 200
    for params in (
        {"unit_id": str(sibling_unit.id)},
        {"unit_id": str(foreign_unit.id)},
        {"agency_id": str(foreign_agency.id)},
    ):
        response = await client.get(REPORT, params={**dates, **params}, headers=headers)
        assert response.status_code == 404, params
    for bad in (
        {"date_from": "2026-02-01", "date_to": "2026-01-01"},
        {"date_from": "0001-01-01", "date_to": "2026-01-01"},
        {"date_from": "2026-01-01", "date_to": "9999-12-31"},
    ):
        refused = await client.get(REPORT, params=bad, headers=headers)
        assert refused.status_code == 422, bad
    employee = world.auth(await world.user(region, Role.EMPLOYEE))
    assert (await client.get(REPORT, params=dates, headers=employee)).status_code == 403


# --- events, privacy, superadmins and roles -----------------------------------------------


async def test_survey_events_stay_out_of_the_staff_progress_streams(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    region, agency, unit = await _unit(world)
    staff = await world.staff(unit, await world.employee(region, agency))
    response = await client.post(SUBMIT, json=_body(unit, staff_code=staff.code))
    assert response.status_code == 201, response.text
    event_type, payload = (
        await connection.execute(
            text(
                "select type, payload from outbox_events "
                "where entity_type = 'feedback' order by id desc limit 1"
            )
        )
    ).one()
    assert event_type == "survey.received"
    assert event_type.split(".")[0] not in STREAM_FAMILIES
    assert "staff_id" not in payload
    assert str(staff.id) not in str(payload)


async def test_the_raw_list_never_ties_a_response_to_a_staff_member(
    client: httpx.AsyncClient, world: World
) -> None:
    region, agency, unit = await _unit(world)
    rated = await world.staff(unit, await world.employee(region, agency))
    once = await world.feedback(unit, 1, staff=rated, submitted_at=JUNE)
    other = await world.feedback(unit, 4, submitted_at=JUNE)
    for role in (Role.REGION_ADMIN, Role.COMPLAINT_OFFICER, Role.AUDITOR):
        headers = world.auth(await world.user(region, role))
        listed = await client.get(
            "/api/v1/feedback", params={"staff_id": str(rated.id)}, headers=headers
        )
        assert listed.status_code == 200, listed.text
        assert {item["id"] for item in listed.json()["items"]} == {str(once.id), str(other.id)}
        assert all("staff_id" not in item for item in listed.json()["items"])
        assert str(rated.id) not in listed.text
        assert rated.code not in listed.text
        detail = await client.get(f"/api/v1/feedback/{once.id}", headers=headers)
        assert "staff_id" not in detail.json()
        assert str(rated.id) not in detail.text
    report = await client.get(
        REPORT, params={"date_from": "2026-06-01", "date_to": "2026-06-30"}, headers=headers
    )
    assert (report.json()["respondents"], report.json()["staff"]) == (2, [])


async def test_the_feedback_list_sorts_and_syncs(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    region, _, unit = await _unit(world)
    old = await world.feedback(unit, 2, submitted_at=JUNE)
    new = await world.feedback(unit, 3, submitted_at=datetime(2026, 7, 1, tzinfo=UTC))
    await connection.execute(
        text("update feedback_responses set updated_at = :at where id = :id"),
        {"at": datetime(2026, 1, 1, tzinfo=UTC), "id": new.id},
    )
    headers = world.auth(await world.user(region, Role.AUDITOR))
    newest = await client.get("/api/v1/feedback", headers=headers)
    assert [i["id"] for i in newest.json()["items"]] == [str(new.id), str(old.id)]
    by_update = await client.get("/api/v1/feedback", params={"sort": "updated_at"}, headers=headers)
    assert [i["id"] for i in by_update.json()["items"]] == [str(new.id), str(old.id)]
    synced = await client.get(
        "/api/v1/feedback", params={"updated_since": "2026-06-01T00:00:00Z"}, headers=headers
    )
    assert [i["id"] for i in synced.json()["items"]] == [str(old.id)]
    bad = await client.get("/api/v1/feedback", params={"sort": "staff_id"}, headers=headers)
    assert bad.status_code == 422


@pytest.mark.parametrize("role", [Role.REGION_ADMIN, Role.AUDITOR, Role.EMPLOYEE])
async def test_only_complaint_officers_hide_comments(
    client: httpx.AsyncClient, world: World, role: Role
) -> None:
    # DESIGN §2: complaint officers moderate feedback; region administrators manage, auditors
    # and employees only read (if at all).
    region, agency, unit = await _unit(world)
    row = await world.feedback(unit, 2, comment="kasar", submitted_at=JUNE)
    officer = world.auth(await world.user(region, Role.COMPLAINT_OFFICER))
    etag = (await client.get(f"/api/v1/feedback/{row.id}", headers=officer)).headers["etag"]
    employee = await world.employee(region, agency)
    caller = world.auth(await world.user(region, role, employee=employee))
    refused = await client.post(
        f"/api/v1/feedback/{row.id}/hide-comment",
        json={"reason": "Kasar"},
        headers={**caller, "If-Match": etag},
    )
    assert refused.status_code == 403, refused.text
    assert await world.audit_actions(row.id) == []


@pytest.mark.parametrize("role", [Role.EMPLOYEE, Role.TRAINING_ADMIN])
async def test_the_ikm_report_is_refused_to_roles_without_oversight(
    client: httpx.AsyncClient, world: World, role: Role
) -> None:
    region, agency, unit = await _unit(world)
    await world.feedback(unit, 4, submitted_at=JUNE)
    caller = world.auth(
        await world.user(region, role, employee=await world.employee(region, agency))
    )
    for params in ({}, {"unit_id": str(unit.id)}, {"agency_id": str(agency.id)}):
        refused = await client.get(
            REPORT,
            params={"date_from": "2026-01-01", "date_to": "2026-12-31", **params},
            headers=caller,
        )
        assert refused.status_code == 403, (params, refused.text)
        assert "respondents" not in refused.text


async def test_the_report_over_an_agency_covers_its_child_agencies_units(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    parent = await world.agency(region)
    child = await world.agency(region, parent=parent)
    sibling = await world.agency(region)
    await world.feedback(await world.service_unit(parent), 4, submitted_at=JUNE)
    await world.feedback(await world.service_unit(child), 2, submitted_at=JUNE)
    await world.feedback(await world.service_unit(sibling), 1, submitted_at=JUNE)
    headers = world.auth(await world.user(region, Role.REGION_ADMIN))
    dates = {"date_from": "2026-06-01", "date_to": "2026-06-30"}
    whole = await client.get(REPORT, params={**dates, "agency_id": str(parent.id)}, headers=headers)
    assert whole.status_code == 200, whole.text
    assert (whole.json()["scope"], whole.json()["respondents"], whole.json()["ikm"]) == (
        "agency",
        2,
        "75.00",
    )
    only_child = await client.get(
        REPORT, params={**dates, "agency_id": str(child.id)}, headers=headers
    )
    assert (only_child.json()["respondents"], only_child.json()["ikm"]) == (1, "50.00")


async def test_superadmins_read_lists_and_reports_of_any_region(
    client: httpx.AsyncClient, world: World
) -> None:
    region, agency, unit = await _unit(world, timezone="Asia/Makassar")
    row = await world.feedback(unit, 4, comment="Ramah", submitted_at=JUNE)
    superadmin = world.auth(await world.user(None, Role.SUPERADMIN))
    listed = await client.get(
        "/api/v1/feedback", params={"service_unit_id": str(unit.id)}, headers=superadmin
    )
    assert [i["id"] for i in listed.json()["items"]] == [str(row.id)]
    dates = {"date_from": "2026-06-01", "date_to": "2026-06-30"}
    report = await client.get(
        REPORT, params={**dates, "agency_id": str(agency.id)}, headers=superadmin
    )
    assert report.status_code == 200, report.text
    assert (report.json()["respondents"], report.json()["timezone"]) == (1, "Asia/Makassar")
    by_unit = await client.get(
        REPORT, params={**dates, "unit_id": str(unit.id)}, headers=superadmin
    )
    assert by_unit.json()["respondents"] == 1
    unnamed = await client.get(REPORT, params=dates, headers=superadmin)
    assert unnamed.status_code == 422
    assert unnamed.json()["errors"][0]["field"] == "query.unit_id"
    refused = await client.post(
        f"/api/v1/feedback/{row.id}/hide-comment",
        json={"reason": "x"},
        headers={**superadmin, "If-Match": '"1"'},
    )
    assert refused.status_code == 403
    del region
