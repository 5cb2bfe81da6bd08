"""Every tenant table, read from the live schema (any table with a `region_id` column), keeps
the layout that row-level security and a later distribution by region rely on: `region_id`
NOT NULL, and an index (or primary key / unique constraint) whose first column is `region_id`,
so that a region's rows are found without scanning the others'."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

# Tables where a row may belong to no region at all; anything else must name its region.
NULLABLE_BY_DESIGN = {
    "users": "superadmins have no region (check constraint superadmin_has_no_region)",
    "refresh_tokens": "superadmins' sign-ins",
    "audit_events": "actions outside any region, such as a superadmin's",
    "evaluation_statements": "the regulation's behaviour statements belong to every region",
}

_TENANT_TABLES = text(
    """
    select c.relname as name,
           a.attnotnull as not_null,
           exists (
               select 1 from pg_index i
                where i.indrelid = c.oid and i.indkey[0] = a.attnum and i.indpred is null
           ) as led_by_region
      from pg_attribute a
      join pg_class c on c.oid = a.attrelid
     where a.attname = 'region_id' and not a.attisdropped
       and c.relkind in ('r', 'p') and c.relnamespace = current_schema()::regnamespace
     order by c.relname
    """
)


async def _tenant_tables(connection: AsyncConnection) -> list[tuple[str, bool, bool]]:
    rows = await connection.execute(_TENANT_TABLES)
    return [(row.name, row.not_null, row.led_by_region) for row in rows]


async def test_every_tenant_table_has_an_index_led_by_region_id(
    connection: AsyncConnection,
) -> None:
    tables = await _tenant_tables(connection)
    assert len(tables) > 10, tables  # the query finds the tenant tables at all
    assert [name for name, _, led in tables if not led] == []


async def test_every_tenant_table_requires_a_region_unless_a_row_may_have_none(
    connection: AsyncConnection,
) -> None:
    nullable = {name for name, not_null, _ in await _tenant_tables(connection) if not not_null}
    assert nullable == set(NULLABLE_BY_DESIGN)
