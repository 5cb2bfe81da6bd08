from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from kinerja_api.core import clock
from kinerja_api.core.i18n import Msg
from kinerja_api.core.idempotency import REPLAY_HEADER
from kinerja_api.models.org import EmploymentType, Role
from kinerja_api.org.employees import nip
from tests.factories import World, nip_for

URL = "/api/v1/employees"
TODAY = date(2026, 11, 22)


# --- NIP rules (pure) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "198503142010011001",
        "198503142010012000",
        "198503142026111999",  # appointed this month
        "200005012018051001",  # appointed in the month of the 18th birthday
        "200002292018031001",  # born on a leap day
    ],
)
def test_valid_pns_nips(number: str) -> None:
    assert nip.nip_error(number, EmploymentType.PNS, TODAY) is None


@pytest.mark.parametrize(
    ("number", "error"),
    [
        ("19850314201001100", nip.NOT_18_DIGITS),
        ("1985031420100110011", nip.NOT_18_DIGITS),
        ("19850314201001100a", nip.NOT_18_DIGITS),
        ("１９８５０３１４２０１００１１００１", nip.NOT_18_DIGITS),
        ("198502302010011001", nip.BAD_BIRTH_DATE),
        ("198513012010011001", nip.BAD_BIRTH_DATE),
        ("000003142010011001", nip.BAD_BIRTH_DATE),
        ("198503142010131001", nip.BAD_APPOINTMENT),
        ("198503142010001001", nip.BAD_APPOINTMENT),
        ("198503142026121001", nip.FUTURE_APPOINTMENT),
        ("198503142027011001", nip.FUTURE_APPOINTMENT),
        ("200005012018041001", nip.UNDERAGE_APPOINTMENT),
        ("198503141990011001", nip.UNDERAGE_APPOINTMENT),
        ("198503142010013001", nip.BAD_SEX_DIGIT),
        ("198503142010010001", nip.BAD_SEX_DIGIT),
    ],
)
def test_invalid_pns_nips(number: str, error: Msg) -> None:
    assert nip.nip_error(number, EmploymentType.PNS, TODAY) == error


def test_pppk_numbers_are_checked_for_shape_only() -> None:
    assert nip.nip_error("198502302099993777", EmploymentType.PPPK, TODAY) is None
    assert nip.nip_error("19850230209999377", EmploymentType.PPPK, TODAY) == nip.NOT_18_DIGITS
    assert nip.nip_error("1985023020999937x7", EmploymentType.PPPK, TODAY) == nip.NOT_18_DIGITS


# --- API ----------------------------------------------------------------------------------


def _body(agency: Any, **extra: Any) -> dict[str, Any]:
    return {
        "nip": nip_for(),
        "employment_type": "pns",
        "name": "Siti Rahmawati",
        "position": "Analis Kepegawaian",
        "grade": "III/a",
        "email": "siti@example.go.id",
        "agency_id": str(agency.id),
        **extra,
    }


def _ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def _fields(response: httpx.Response) -> set[str]:
    assert response.status_code == 422, response.text
    return {error["field"] for error in response.json()["errors"]}


async def _patch(
    client: httpx.AsyncClient,
    employee_id: object,
    body: dict[str, Any],
    headers: dict[str, str],
    etag: str | None = None,
) -> httpx.Response:
    if etag is None:
        admin_view = await client.get(f"{URL}/{employee_id}", headers=headers)
        etag = admin_view.headers.get("etag", '"1"')
    return await client.patch(
        f"{URL}/{employee_id}", json=body, headers={**headers, "If-Match": etag}
    )


async def test_region_admin_creates_reads_and_updates_employees(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    agency, other_agency = await world.agency(region), await world.agency(region)
    boss = await world.employee(region, agency)
    headers = world.auth(await world.user(region, Role.REGION_ADMIN))

    body = _body(agency, supervisor_id=str(boss.id))
    created = await client.post(URL, json=body, headers=headers)
    assert created.status_code == 201, created.text
    employee = created.json()
    assert created.headers["location"] == f"{URL}/{employee['id']}"
    assert created.headers["etag"] == f'"{employee["version"]}"'
    assert {k: employee[k] for k in body} == body
    assert employee["region_id"] == str(region.id)
    assert employee["active"] is True

    fetched = await client.get(f"{URL}/{employee['id']}", headers=headers)
    assert fetched.status_code == 200
    assert fetched.json() == employee
    patch = await client.patch(
        f"{URL}/{employee['id']}",
        json={
            "name": "Siti Rahmawati, S.Pd.",
            "position": "Kepala Seksi",
            "grade": None,
            "email": None,
            "supervisor_id": None,
            "agency_id": str(other_agency.id),
        },
        headers={**headers, "If-Match": fetched.headers["etag"]},
    )
    assert patch.status_code == 200, patch.text
    updated = patch.json()
    assert updated["version"] == employee["version"] + 1
    assert (updated["grade"], updated["email"], updated["supervisor_id"]) == (None, None, None)
    assert updated["agency_id"] == str(other_agency.id)
    assert (updated["nip"], updated["employment_type"]) == (body["nip"], "pns")

    deactivated = await _patch(
        client, employee["id"], {"active": False}, headers, patch.headers["etag"]
    )
    assert deactivated.json()["active"] is False
    assert await world.audit_actions(employee["id"]) == [
        "employee.created",
        "employee.updated",
        "employee.updated",
    ]


async def test_employee_update_needs_the_current_etag(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    employee = await world.employee(region, await world.agency(region))
    headers = world.auth(await world.user(region, Role.REGION_ADMIN))
    missing = await client.patch(f"{URL}/{employee.id}", json={"name": "X"}, headers=headers)
    assert missing.status_code == 428
    stale = await _patch(client, employee.id, {"name": "X"}, headers, '"7"')
    assert stale.status_code == 412
    assert await world.audit_actions(employee.id) == []


async def test_employee_create_replays_with_the_same_idempotency_key(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    agency = await world.agency(region)
    headers = {
        **world.auth(await world.user(region, Role.REGION_ADMIN)),
        "Idempotency-Key": "import-row-17",
    }
    body = _body(agency)
    first = await client.post(URL, json=body, headers=headers)
    again = await client.post(URL, json=body, headers=headers)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    assert again.headers[REPLAY_HEADER] == "true"
    changed = await client.post(URL, json={**body, "name": "Lain"}, headers=headers)
    assert changed.status_code == 422
    assert await world.audit_actions(first.json()["id"]) == ["employee.created"]


async def test_employee_input_is_validated(client: httpx.AsyncClient, world: World) -> None:
    region, other = await world.region(), await world.region()
    agency = await world.agency(region)
    foreign_agency = await world.agency(other)
    foreign_employee = await world.employee(other, foreign_agency)
    headers = world.auth(await world.user(region, Role.REGION_ADMIN))

    shape = await client.post(
        URL,
        json={
            "nip": "12345",
            "employment_type": "honorer",
            "name": "",
            "email": "not-an-email",
            "agency_id": "x",
            "region_id": str(other.id),
        },
        headers=headers,
    )
    assert _fields(shape) == {
        "body.nip",
        "body.employment_type",
        "body.name",
        "body.position",
        "body.email",
        "body.agency_id",
        "body.region_id",
    }
    future = await client.post(URL, json=_body(agency, nip="198503142099011001"), headers=headers)
    assert _fields(future) == {"body.nip"}
    bad_sex = await client.post(URL, json=_body(agency, nip="198503142010013001"), headers=headers)
    assert _fields(bad_sex) == {"body.nip"}
    pppk = await client.post(
        URL,
        json=_body(agency, nip="202301234567890123", employment_type="pppk", grade="IX"),
        headers=headers,
    )
    assert pppk.status_code == 201, pppk.text

    abroad = await client.post(URL, json=_body(foreign_agency), headers=headers)
    assert _fields(abroad) == {"body.agency_id"}
    foreign_boss = await client.post(
        URL, json=_body(agency, supervisor_id=str(foreign_employee.id)), headers=headers
    )
    assert _fields(foreign_boss) == {"body.supervisor_id"}

    employee = await world.employee(region, agency)
    for immutable in ({"nip": nip_for()}, {"employment_type": "pppk"}):
        assert _fields(await _patch(client, employee.id, immutable, headers)) == {
            f"body.{next(iter(immutable))}"
        }
    assert _fields(await _patch(client, employee.id, {"name": None}, headers)) == {"body"}
    moved_abroad = await _patch(client, employee.id, {"agency_id": str(foreign_agency.id)}, headers)
    assert _fields(moved_abroad) == {"body.agency_id"}
    boss_abroad = await _patch(
        client, employee.id, {"supervisor_id": str(foreign_employee.id)}, headers
    )
    assert _fields(boss_abroad) == {"body.supervisor_id"}
    assert await world.audit_actions(employee.id) == []


async def test_titles_and_since_dates_are_kept_validated_and_cleared(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    agency = await world.agency(region)
    headers = world.auth(await world.user(region, Role.REGION_ADMIN))
    titled = {
        "title_prefix": "Dr.",
        "title_suffix": "S.Pd., M.Si.",
        "grade_since": "2022-04-01",
        "position_since": "2023-01-02",
    }
    created = await client.post(URL, json=_body(agency, **titled), headers=headers)
    assert created.status_code == 201, created.text
    employee = created.json()
    assert {key: employee[key] for key in titled} == titled

    refused = await client.post(
        URL,
        json=_body(
            agency,
            title_prefix="",
            title_suffix="x" * 101,
            grade_since="1949-12-31",
            position_since="01-02-2023",
        ),
        headers=headers,
    )
    assert _fields(refused) == {
        "body.title_prefix",
        "body.title_suffix",
        "body.grade_since",
        "body.position_since",
    }

    cleared = await _patch(
        client,
        employee["id"],
        {"title_prefix": None, "grade_since": None, "position_since": "2024-07-01"},
        headers,
    )
    assert cleared.status_code == 200, cleared.text
    body = cleared.json()
    assert (body["title_prefix"], body["title_suffix"]) == (None, "S.Pd., M.Si.")
    assert (body["grade_since"], body["position_since"]) == (None, "2024-07-01")
    listed = await client.get(
        URL, params={"agency_id": str(agency.id)}, headers={**headers, "Accept": "text/csv"}
    )
    assert listed.status_code == 200, listed.text
    header = listed.text.lstrip("\ufeff").splitlines()[0].split(",")
    assert {"title_prefix", "title_suffix", "grade_since", "position_since"} <= set(header)
    assert ",2024-07-01," in listed.text


async def test_nip_is_registered_once(client: httpx.AsyncClient, world: World) -> None:
    region, other = await world.region(), await world.region()
    existing = await world.employee(region, await world.agency(region))
    headers = world.auth(await world.user(other, Role.REGION_ADMIN))
    duplicate = await client.post(
        URL, json=_body(await world.agency(other), nip=existing.nip), headers=headers
    )
    assert duplicate.status_code == 409, duplicate.text
    assert duplicate.json()["type"].endswith("/conflict")


async def test_supervisor_chain_cannot_loop(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    agency = await world.agency(region)
    head = await world.employee(region, agency)
    middle = await world.employee(region, agency, head)
    bottom = await world.employee(region, agency, middle)
    other = await world.employee(region, agency)
    headers = world.auth(await world.user(region, Role.REGION_ADMIN))

    for candidate in (head, middle, bottom):
        looped = await _patch(client, head.id, {"supervisor_id": str(candidate.id)}, headers)
        assert _fields(looped) == {"body.supervisor_id"}
    reassigned = await _patch(client, bottom.id, {"supervisor_id": str(head.id)}, headers)
    assert reassigned.status_code == 200, reassigned.text
    under_other = await _patch(client, head.id, {"supervisor_id": str(other.id)}, headers)
    assert under_other.status_code == 200, under_other.text
    assert await world.audit_actions(head.id) == ["employee.updated"]


async def test_subordinates_lists_the_chain_with_depth(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    agency = await world.agency(region)
    head = await world.employee(region, agency, name="A Kepala")
    report_b = await world.employee(region, agency, head, name="B Kabid")
    report_c = await world.employee(region, agency, head, name="C Kabid")
    staff = await world.employee(region, agency, report_b, name="D Staf")
    intern = await world.employee(region, agency, staff, name="E Staf")
    supervisor = world.auth(await world.user(region, Role.EMPLOYEE, employee=head))
    url = f"{URL}/{head.id}/subordinates"

    direct = await client.get(url, headers=supervisor)
    assert _ids(direct) == [str(report_b.id), str(report_c.id)]
    assert {item["depth"] for item in direct.json()["items"]} == {1}
    deep = await client.get(url, params={"depth": 10}, headers=supervisor)
    assert _ids(deep) == [str(x.id) for x in (report_b, report_c, staff, intern)]
    assert [item["depth"] for item in deep.json()["items"]] == [1, 1, 2, 3]
    assert deep.json()["items"][2]["nip"] == staff.nip
    two = await client.get(url, params={"depth": 2}, headers=supervisor)
    assert _ids(two) == [str(x.id) for x in (report_b, report_c, staff)]

    first = await client.get(url, params={"depth": 3, "limit": 3}, headers=supervisor)
    assert _ids(first) == [str(x.id) for x in (report_b, report_c, staff)]
    rest = await client.get(
        url,
        params={"depth": 3, "limit": 3, "cursor": first.json()["next_cursor"]},
        headers=supervisor,
    )
    assert _ids(rest) == [str(intern.id)]
    assert rest.json()["next_cursor"] is None
    other_depth = await client.get(
        url, params={"depth": 2, "cursor": first.json()["next_cursor"]}, headers=supervisor
    )
    assert other_depth.status_code == 400
    for depth in (0, 11, "all"):
        refused = await client.get(url, params={"depth": depth}, headers=supervisor)
        assert _fields(refused) == {"query.depth"}

    middle = world.auth(await world.user(region, Role.EMPLOYEE, employee=report_b))
    assert _ids(await client.get(f"{URL}/{report_b.id}/subordinates", headers=middle)) == [
        str(staff.id)
    ]
    assert (await client.get(url, headers=middle)).status_code == 404
    peer = await client.get(f"{URL}/{report_c.id}/subordinates", headers=middle)
    assert peer.status_code == 404
    assert _ids(await client.get(f"{URL}/{intern.id}/subordinates", headers=supervisor)) == []


async def test_employee_list_filters_sorts_and_pages(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    top = await world.agency(region)
    child = await world.agency(region, top)
    elsewhere = await world.agency(region)
    boss = await world.employee(region, top, name="Budi Santoso")
    staff = await world.employee(region, child, boss, name="Ani Lestari")
    loner = await world.employee(region, elsewhere, name="Citra Dewi")
    headers = world.auth(await world.user(region, Role.REGION_ADMIN))
    contract = await client.post(
        URL,
        json=_body(elsewhere, nip="202301234567890123", employment_type="pppk", name="Dodi"),
        headers=headers,
    )
    assert contract.status_code == 201, contract.text
    pppk = contract.json()["id"]
    assert (await _patch(client, loner.id, {"active": False}, headers)).status_code == 200

    def listed(**params: Any) -> Any:
        return client.get(URL, params=params, headers=headers)

    by_name = [str(staff.id), str(boss.id), str(loner.id), pppk]
    assert _ids(await listed()) == by_name
    assert _ids(await listed(agency_id=str(child.id))) == [str(staff.id)]
    assert _ids(await listed(under=str(top.id))) == [str(staff.id), str(boss.id)]
    assert _ids(await listed(supervisor_id=str(boss.id))) == [str(staff.id)]
    assert _ids(await listed(employment_type="pppk")) == [pppk]
    assert _ids(await listed(active=False)) == [str(loner.id)]
    assert _ids(await listed(q="SANTOSO")) == [str(boss.id)]
    assert _ids(await listed(q="2023012345")) == [pppk]
    assert _ids(await listed(q="_")) == []
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert _ids(await listed(updated_since=future)) == []
    assert set(_ids(await listed(sort="updated_at"))) == set(by_name)

    first = await listed(limit=3)
    assert _ids(first) == by_name[:3]
    second = await listed(limit=3, cursor=first.json()["next_cursor"])
    assert _ids(second) == by_name[3:]
    reused = await listed(limit=3, active=True, cursor=first.json()["next_cursor"])
    assert reused.status_code == 400
    assert (await listed(sort="nip")).status_code == 422
    assert (await listed(employment_type="honorer")).status_code == 422
    assert _fields(await listed(q="a\x00")) == {"query.q"}


async def test_employees_see_themselves_and_their_reports(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    agency = await world.agency(region)
    boss = await world.employee(region, agency)
    me = await world.employee(region, agency, boss)
    report = await world.employee(region, agency, me)
    report_of_report = await world.employee(region, agency, report)
    peer = await world.employee(region, agency, boss)
    headers = world.auth(await world.user(region, Role.EMPLOYEE, employee=me))

    visible = {str(x.id) for x in (me, report, report_of_report)}
    assert set(_ids(await client.get(URL, headers=headers))) == visible
    for hidden in (boss, peer):
        assert (await client.get(f"{URL}/{hidden.id}", headers=headers)).status_code == 404
    assert (await client.get(f"{URL}/{report_of_report.id}", headers=headers)).status_code == 200
    assert (await client.post(URL, json=_body(agency), headers=headers)).status_code == 403
    refused = await _patch(client, report.id, {"name": "X"}, headers)
    assert refused.status_code == 403


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.TRAINING_ADMIN, Role.COMPLAINT_OFFICER])
async def test_roles_that_may_not_write_employees(
    client: httpx.AsyncClient, world: World, role: Role
) -> None:
    region = await world.region()
    agency = await world.agency(region)
    employee = await world.employee(region, agency)
    headers = world.auth(await world.user(region, role))
    listed = await client.get(URL, headers=headers)
    expected = [str(employee.id)] if role == Role.AUDITOR else []
    assert _ids(listed) == expected
    assert (await client.post(URL, json=_body(agency), headers=headers)).status_code == 403
    assert (await _patch(client, employee.id, {"name": "X"}, headers)).status_code == 403


async def test_agency_admin_manages_employees_inside_their_subtree(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    top = await world.agency(region)
    mine = await world.agency(region, top)
    below = await world.agency(region, mine)
    sibling = await world.agency(region, top)
    inside = await world.employee(region, below)
    outside = await world.employee(region, sibling)
    own_record = await world.employee(region, mine)
    reports_abroad = await world.employee(region, sibling, own_record)
    headers = world.auth(
        await world.user(region, Role.AGENCY_ADMIN, agency=mine, employee=own_record)
    )

    assert set(_ids(await client.get(URL, headers=headers))) == {
        str(inside.id),
        str(own_record.id),
        str(reports_abroad.id),
    }
    assert (await client.get(f"{URL}/{outside.id}", headers=headers)).status_code == 404
    created = await client.post(
        URL, json=_body(below, supervisor_id=str(outside.id)), headers=headers
    )
    assert created.status_code == 201, created.text
    outside_agency = await client.post(URL, json=_body(sibling), headers=headers)
    assert _fields(outside_agency) == {"body.agency_id"}

    assert (
        await _patch(client, inside.id, {"agency_id": str(mine.id)}, headers)
    ).status_code == 200
    moved_out = await _patch(client, inside.id, {"agency_id": str(sibling.id)}, headers)
    assert _fields(moved_out) == {"body.agency_id"}
    hidden = await _patch(client, outside.id, {"name": "X"}, headers)
    assert hidden.status_code == 404
    # Visible as a report, but outside the subtree this administrator manages.
    read_only = await _patch(client, reports_abroad.id, {"name": "X"}, headers)
    assert read_only.status_code == 403
    assert await world.audit_actions(outside.id) == []


async def test_superadmin_reads_every_region_but_does_not_write(
    client: httpx.AsyncClient, world: World
) -> None:
    first, second = await world.region(), await world.region()
    ours = await world.employee(first, await world.agency(first))
    theirs_agency = await world.agency(second)
    theirs = await world.employee(second, theirs_agency)
    headers = world.auth(await world.user(None, Role.SUPERADMIN))
    assert {str(ours.id), str(theirs.id)} <= set(_ids(await client.get(URL, headers=headers)))
    assert (await client.get(f"{URL}/{theirs.id}", headers=headers)).status_code == 200
    assert (await client.post(URL, json=_body(theirs_agency), headers=headers)).status_code == 403


async def test_service_accounts_need_org_scopes(client: httpx.AsyncClient, world: World) -> None:
    region = await world.region()
    agency = await world.agency(region)
    employee = await world.employee(region, agency)
    reader = world.auth(await world.service_account(region, "org:read"))
    writer = world.auth(await world.service_account(region, "org:write"))
    unrelated = world.auth(await world.service_account(region, "audit:read"))

    assert _ids(await client.get(URL, headers=reader)) == [str(employee.id)]
    assert (
        await client.get(f"{URL}/{employee.id}/subordinates", headers=reader)
    ).status_code == 200
    assert (await client.post(URL, json=_body(agency), headers=reader)).status_code == 403
    assert (await client.get(URL, headers=writer)).status_code == 403
    assert (await client.get(URL, headers=unrelated)).status_code == 403
    created = await client.post(URL, json=_body(agency), headers=writer)
    assert created.status_code == 201, created.text
    patched = await _patch(
        client,
        created.json()["id"],
        {"position": "Pranata Komputer"},
        writer,
        created.headers["etag"],
    )
    assert patched.status_code == 200, patched.text
    assert await world.audit_actions(created.json()["id"]) == [
        "employee.created",
        "employee.updated",
    ]


async def test_another_regions_principals_never_see_an_employee(
    client: httpx.AsyncClient, world: World
) -> None:
    region, other = await world.region(), await world.region()
    agency = await world.agency(region)
    boss = await world.employee(region, agency)
    employee = await world.employee(region, agency, boss)
    writers = [
        await world.user(other, Role.REGION_ADMIN),
        await world.service_account(other, "org:read", "org:write"),
    ]
    for principal in [await world.user(other, Role.AUDITOR), *writers]:
        headers = world.auth(principal)
        assert _ids(await client.get(URL, headers=headers)) == []
        assert _ids(await client.get(URL, params={"under": str(agency.id)}, headers=headers)) == []
        for path in (f"{URL}/{employee.id}", f"{URL}/{boss.id}/subordinates"):
            assert (await client.get(path, headers=headers)).status_code == 404
    for principal in writers:
        headers = world.auth(principal)
        assert (await _patch(client, employee.id, {"name": "X"}, headers, '"1"')).status_code == 404
    assert (await client.get(URL)).status_code == 401


async def test_appointment_month_is_judged_by_the_regions_calendar(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 31 May 16:30 UTC is still May in WIB (23:30) but already 1 June in WITA (00:30).
    monkeypatch.setattr(clock, "utc_now", lambda: datetime(2026, 5, 31, 16, 30, tzinfo=UTC))
    appointed_in_june = "198503142026061001"
    for zone, status in (("Asia/Jakarta", 422), ("Asia/Makassar", 201)):
        region = await world.region(timezone=zone)
        agency = await world.agency(region)
        headers = world.auth(await world.user(region, Role.REGION_ADMIN))
        response = await client.post(
            URL, json=_body(agency, nip=appointed_in_june), headers=headers
        )
        assert response.status_code == status, (zone, response.text)
