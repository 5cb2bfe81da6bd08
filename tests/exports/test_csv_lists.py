"""Every list that answers `Accept: text/csv` answers the JSON list's items (all pages), for the
same filters, sort and caller; a narrower reader (agency administrator, supervisor) gets their
narrower CSV, and another region's rows never appear."""

from datetime import date
from typing import Any

import httpx

from kinerja_api.models.org import Role
from tests.exports.helpers import CSV, assert_csv_equals_json, csv_table
from tests.factories import World
from tests.progress.helpers import report_body
from tests.progress.helpers import team as progress_team
from tests.training.helpers import ENROLLMENTS, SESSIONS
from tests.training.helpers import team as training_team

PLANS = "/api/v1/plans"
REPORTS = "/api/v1/progress-reports"
COMPLAINTS = "/api/v1/complaints"
ASSIGNMENTS = "/api/v1/evaluation-assignments"
COMPLIANCE = "/api/v1/reports/jp-compliance"


def _ids(rows: list[list[str]], column: int = 0) -> set[str]:
    return {row[column] for row in rows}


async def test_plans_and_progress_reports(client: httpx.AsyncClient, world: World) -> None:
    t = await progress_team(world)
    foreign = await progress_team(world)
    for value in ("10", "20.5"):
        created = await client.post(
            REPORTS, json=report_body(t.indicator, value), headers=world.auth(t.staff_user)
        )
        assert created.status_code == 201, created.text
    await client.post(
        REPORTS, json=report_body(foreign.indicator), headers=world.auth(foreign.staff_user)
    )
    await world.plan(t.period, t.peer, status="submitted", approver_id=t.boss.id)
    await world.plan(t.period, t.head)
    admin = world.auth(await world.user(t.region, Role.REGION_ADMIN))
    supervisor = world.auth(t.boss_user)

    plans = await assert_csv_equals_json(client, PLANS, admin)
    assert len(plans) == 3
    assert str(foreign.plan.id) not in _ids(plans)
    assert len(await assert_csv_equals_json(client, PLANS, supervisor)) == 2
    await assert_csv_equals_json(client, PLANS, admin, sort="created_at", status="approved")

    reports = await assert_csv_equals_json(client, REPORTS, admin)
    assert len(reports) == 2
    await assert_csv_equals_json(client, REPORTS, supervisor, sort="updated_at")
    assert await assert_csv_equals_json(client, REPORTS, world.auth(t.peer_user)) == []


async def test_complaints_with_contacts_as_the_officer_sees_them(
    client: httpx.AsyncClient, world: World
) -> None:
    region, foreign = await world.region(), await world.region()
    agency = await world.agency(region)
    for n in range(3):
        await world.complaint(
            region, agency_id=agency.id, contact_name=f"Warga {n}", contact_phone="0812"
        )
    await world.complaint(foreign)
    officer = world.auth(await world.user(region, Role.COMPLAINT_OFFICER))
    auditor = world.auth(await world.user(region, Role.AUDITOR))
    rows = await assert_csv_equals_json(client, COMPLAINTS, officer)
    assert len(rows) == 3
    for sort in ("due_at", "updated_at"):
        await assert_csv_equals_json(client, COMPLAINTS, officer, sort=sort, status="submitted")
    # the auditor's JSON withholds the contact, and so does the CSV
    await assert_csv_equals_json(client, COMPLAINTS, auditor)


async def test_training_sessions_enrollments_and_the_compliance_report(
    client: httpx.AsyncClient, world: World
) -> None:
    t = await training_team(world)
    program = await world.program(t.region)
    first = await world.training_session(
        program, eligible_agency_ids=[t.agency.id, t.sub_agency.id]
    )
    second = await world.training_session(program, eligible_employment_types=["pns", "pppk"])
    for employee in (t.boss, t.staff, t.colleague, t.outsider):
        await world.enrollment(first, employee)
    await world.enrollment(second, t.staff, status="waitlisted")
    await world.jp_entry(t.staff, jp=8, completed_on=date(2026, 3, 1))
    await world.jp_entry(t.outsider, jp=30, completed_on=date(2026, 3, 1))
    foreign_program = await world.program(await world.region())
    await world.training_session(foreign_program)

    organiser = world.auth(t.admin)
    sessions = await assert_csv_equals_json(client, SESSIONS, organiser)
    assert _ids(sessions) == {str(first.id), str(second.id)}
    await assert_csv_equals_json(client, SESSIONS, organiser, sort="updated_at")

    enrollments = await assert_csv_equals_json(client, ENROLLMENTS, organiser)
    assert len(enrollments) == 5
    supervised = await assert_csv_equals_json(client, ENROLLMENTS, world.auth(t.boss_user))
    assert len(supervised) == 4  # their own and their two reports' (staff twice)
    await assert_csv_equals_json(
        client, ENROLLMENTS, organiser, session_id=str(first.id), sort="arrival"
    )

    year: dict[str, Any] = {"year": 2026}
    whole = await assert_csv_equals_json(client, COMPLIANCE, organiser, **year)
    assert len(whole) == 4
    subtree = await assert_csv_equals_json(client, COMPLIANCE, world.auth(t.agency_admin), **year)
    assert _ids(subtree) == {str(t.boss.id), str(t.staff.id), str(t.colleague.id)}
    short = await assert_csv_equals_json(client, COMPLIANCE, organiser, only_short="true", **year)
    assert str(t.outsider.id) not in _ids(short)


async def test_evaluation_assignments_for_administrators_and_raters(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    agency = await world.agency(region)
    boss = await world.employee(region, agency)
    staff = [await world.employee(region, agency, supervisor=boss) for _ in range(2)]
    cycle = await world.cycle(await world.period(region))
    await world.assignment(cycle, staff[0], boss, "supervisor")
    await world.assignment(cycle, staff[0], staff[1], "peer")
    await world.assignment(cycle, staff[1], staff[0], "peer", status="submitted")
    foreign = await world.region()
    foreign_agency = await world.agency(foreign)
    foreign_employee = await world.employee(foreign, foreign_agency)
    foreign_cycle = await world.cycle(await world.period(foreign))
    await world.assignment(foreign_cycle, foreign_employee, foreign_employee, "self")

    admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    rows = await assert_csv_equals_json(client, ASSIGNMENTS, admin)
    assert len(rows) == 3
    await assert_csv_equals_json(client, ASSIGNMENTS, admin, status="pending")
    rater = world.auth(await world.user(region, Role.EMPLOYEE, employee=staff[1]))
    assert len(await assert_csv_equals_json(client, ASSIGNMENTS, rater, mine="true")) == 1
    # what the JSON list refuses, the CSV refuses the same way, before any byte of a file
    refused = await client.get(ASSIGNMENTS, headers={**rater, **CSV})
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"


async def test_formula_cells_are_escaped_and_semicolons_offered(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    await world.complaint(
        region,
        description='=HYPERLINK("http://evil.example";"klik")',
        location="-5",
        contact_name="@SUM(A1)",
        contact_phone="+62 812 3456",
    )
    officer = world.auth(await world.user(region, Role.COMPLAINT_OFFICER))
    response = await client.get(
        COMPLAINTS, params={"csv_separator": "semicolon"}, headers={**officer, **CSV}
    )
    header, rows = csv_table(response, separator=";")
    (row,) = [dict(zip(header, cells, strict=True)) for cells in rows]
    assert row["description"] == '\'=HYPERLINK("http://evil.example";"klik")'
    assert row["contact.name"] == "'@SUM(A1)"
    assert row["contact.phone"] == "'+62 812 3456"
    assert row["location"] == "-5"  # a number, not a formula
    # the raw bytes quote the cell holding the separator, RFC 4180 style
    assert '"\'=HYPERLINK(""http://evil.example"";""klik"")"' in response.text
    assert response.headers["content-disposition"].startswith('attachment; filename="complaints-')


async def test_json_stays_the_default(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    await world.complaint(region)
    officer = world.auth(await world.user(region, Role.COMPLAINT_OFFICER))
    for accept in ("*/*", "application/json", "application/json, text/csv", "text/html"):
        response = await client.get(COMPLAINTS, headers={**officer, "Accept": accept})
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json", accept
    bad = await client.get(COMPLAINTS, params={"csv_separator": "tab"}, headers={**officer, **CSV})
    assert bad.status_code == 422
