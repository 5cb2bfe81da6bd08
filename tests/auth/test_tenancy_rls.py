"""Row-level security: the database itself hides other regions' rows, even from a query that
forgets its tenant filter."""

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.auth.tenancy import enter_all_regions, enter_region
from kinerja_api.models.org import Role
from tests.factories import World

TENANT_TABLES = ("agencies", "employees", "users", "service_accounts", "audit_events")


async def _populate(world: World) -> tuple[object, object]:
    first, second = await world.region(), await world.region()
    for region in (first, second):
        agency = await world.agency(region)
        employee = await world.employee(region, agency)
        await world.user(region, Role.EMPLOYEE, employee=employee)
        await world.service_account(region, "org:read")
    return first, second


async def test_application_role_does_not_bypass_rls(connection: AsyncConnection) -> None:
    bypass = await connection.scalar(
        text("select rolbypassrls or rolsuper from pg_roles where rolname = current_user")
    )
    assert bypass is False


@pytest.mark.parametrize("table", ["agencies", "employees", "users", "service_accounts"])
async def test_unscoped_select_sees_only_the_transactions_region(
    world: World, connection: AsyncConnection, table: str
) -> None:
    first, _second = await _populate(world)
    await enter_all_regions(connection)
    total = await connection.scalar(text(f"select count(*) from {table}"))  # noqa: S608
    await enter_region(connection, first.id)
    regions = (
        await connection.scalars(text(f"select distinct region_id from {table}"))  # noqa: S608
    ).all()
    assert regions == [first.id]
    assert total is not None
    assert total > 1


async def test_no_region_means_no_tenant_rows(world: World, connection: AsyncConnection) -> None:
    await _populate(world)
    await enter_region(connection, None)
    for table in TENANT_TABLES:
        assert await connection.scalar(text(f"select count(*) from {table}")) == 0  # noqa: S608


async def test_writing_into_another_region_is_rejected(
    world: World, connection: AsyncConnection
) -> None:
    first, second = await _populate(world)
    await enter_region(connection, first.id)
    with pytest.raises(DBAPIError, match="row-level security"):
        async with connection.begin_nested():
            await connection.execute(
                text(
                    "insert into agencies (region_id, code, name, kind, path) "
                    "values (:region, 'x', 'X', 'dinas', '/x/')"
                ),
                {"region": second.id},
            )


async def test_superadmin_cross_region_reads_are_audited(
    client: httpx.AsyncClient, world: World, connection: AsyncConnection
) -> None:
    superadmin = await world.user(None, Role.SUPERADMIN)
    response = await client.get("/api/v1/regions", headers=world.auth(superadmin))
    assert response.status_code == 200
    await enter_all_regions(connection)
    trail = (
        (
            await connection.execute(
                text(
                    "select changes from audit_events where action = 'superadmin.access' "
                    "and actor_id = :actor"
                ),
                {"actor": superadmin.id},
            )
        )
        .scalars()
        .all()
    )
    assert trail == [{"after": {"method": "GET", "path": "/api/v1/regions"}}]


async def test_every_table_with_a_region_has_forced_row_level_security(
    connection: AsyncConnection,
) -> None:
    unprotected = await connection.scalars(
        text(
            "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "join information_schema.columns col on col.table_schema = n.nspname "
            "and col.table_name = c.relname and col.column_name = 'region_id' "
            "where n.nspname = 'public' and c.relkind = 'r' "
            "and not (c.relrowsecurity and c.relforcerowsecurity)"
        )
    )
    assert unprotected.all() == []


_POLICY_FORM = (
    "((region_id = ( SELECT kinerja_current_region() AS kinerja_current_region)) "
    "OR ( SELECT kinerja_all_regions() AS kinerja_all_regions))"
)

_SHARED_READ_FORM = "((region_id IS NULL) OR " + _POLICY_FORM[1:]


async def test_every_tenant_policy_reads_the_region_settings_once_per_statement(
    connection: AsyncConnection,
) -> None:
    # As scalar subqueries the settings are read once per statement (an InitPlan); called
    # bare, PostgreSQL evaluates them for every row a query scans.
    policies = (
        await connection.execute(
            text(
                "select c.relname as table_name, p.qual, p.with_check "
                "from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                "left join pg_policies p on p.schemaname = n.nspname "
                "and p.tablename = c.relname and p.policyname = 'tenant_isolation' "
                "where n.nspname = 'public' and c.relkind = 'r' and c.relrowsecurity"
            )
        )
    ).all()
    assert len(policies) > 10
    expected = {row.table_name: (_POLICY_FORM,) * 2 for row in policies}
    # The regulation's behaviour statements (no region) are read by every region; only a
    # region's own may be written.
    expected["evaluation_statements"] = (_SHARED_READ_FORM, _POLICY_FORM)
    assert [row for row in policies if (row.qual, row.with_check) != expected[row.table_name]] == []


async def test_a_scan_reads_the_region_setting_in_an_init_plan(
    world: World, connection: AsyncConnection
) -> None:
    first, _second = await _populate(world)
    await enter_region(connection, first.id)
    plan = await connection.scalar(text("explain (format json) select id from employees"))
    scan = plan[0]["Plan"]
    init_plans = [
        child for child in scan.get("Plans", []) if child["Parent Relationship"] == "InitPlan"
    ]
    assert len(init_plans) == 2
    assert "current_setting" not in scan["Filter"]
