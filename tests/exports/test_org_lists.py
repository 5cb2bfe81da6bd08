"""Employees as CSV: the JSON list's items for the same filters, sort and caller, whatever the
caller's view (region administrator, agency administrator, supervisor, service account)."""

import httpx

from kinerja_api.models.org import Role
from tests.exports.helpers import CSV, assert_csv_equals_json, csv_table
from tests.factories import World

EMPLOYEES = "/api/v1/employees"
COLUMNS = [
    "id",
    "region_id",
    "agency_id",
    "supervisor_id",
    "nip",
    "employment_type",
    "name",
    "title_prefix",
    "title_suffix",
    "position",
    "position_since",
    "grade",
    "grade_since",
    "email",
    "active",
    "version",
    "created_at",
    "updated_at",
]


async def test_employees_csv_equals_the_json_list_for_each_kind_of_reader(
    client: httpx.AsyncClient, world: World
) -> None:
    region, foreign = await world.region(), await world.region()
    top = await world.agency(region)
    sub = await world.agency(region, parent=top)
    other = await world.agency(region)
    boss = await world.employee(region, top, name="Bu Kepala")
    staff = [await world.employee(region, sub, supervisor=boss) for _ in range(3)]
    outsider = await world.employee(region, other)
    foreign_employee = await world.employee(foreign, await world.agency(foreign))
    readers = {
        "region admin": await world.user(region, Role.REGION_ADMIN),
        "agency admin": await world.user(region, Role.AGENCY_ADMIN, agency=sub),
        "supervisor": await world.user(region, Role.EMPLOYEE, employee=boss),
        "service account": await world.service_account(region, "org:read"),
    }
    seen: dict[str, set[str]] = {}
    for who, reader in readers.items():
        headers = world.auth(reader)
        rows = await assert_csv_equals_json(client, EMPLOYEES, headers)
        seen[who] = {row[0] for row in rows}
        for sort in ("name", "updated_at"):
            await assert_csv_equals_json(client, EMPLOYEES, headers, sort=sort, under=str(top.id))
    everyone = {str(e.id) for e in (boss, *staff, outsider)}
    assert seen["region admin"] == everyone
    assert seen["service account"] == everyone
    assert seen["agency admin"] == {str(e.id) for e in staff}
    assert seen["supervisor"] == {str(e.id) for e in (boss, *staff)}
    assert str(foreign_employee.id) not in set().union(*seen.values())


async def test_the_csv_has_the_json_field_names_a_bom_and_a_dated_file_name(
    client: httpx.AsyncClient, world: World
) -> None:
    region = await world.region()
    await world.employee(region, await world.agency(region))
    admin = world.auth(await world.user(region, Role.REGION_ADMIN))
    response = await client.get(EMPLOYEES, headers={**admin, **CSV})
    header, rows = csv_table(response)
    assert header == COLUMNS
    assert len(rows) == 1
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="employees-20')
    assert disposition.endswith('.csv"')
