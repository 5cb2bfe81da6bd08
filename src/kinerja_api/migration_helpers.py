"""SQL shared by migrations: the application role, its grants, and row-level security."""

from alembic import op

from kinerja_api.config import get_settings


def app_role() -> str:
    return get_settings().db_app_role or "kinerja_app"


def grant(table: str, privileges: str = "SELECT, INSERT, UPDATE, DELETE") -> None:
    op.execute(f'GRANT {privileges} ON TABLE "{table}" TO "{app_role()}"')


def revoke(table: str) -> None:
    op.execute(f'REVOKE ALL ON TABLE "{table}" FROM "{app_role()}"')


# The policy's condition. Each setting is read in a scalar subquery, which PostgreSQL evaluates
# once per statement (an InitPlan) instead of once per row: on a list scanning a few hundred rows
# the per-row form made the query about four times as expensive (pgbench: 1,700 vs 7,700 tps).
TENANT_CONDITION = "region_id = (SELECT kinerja_current_region()) OR (SELECT kinerja_all_regions())"
# The form revisions 0002-0007 created; revision 0009 replaced it with TENANT_CONDITION.
TENANT_CONDITION_PER_ROW = "region_id = kinerja_current_region() OR kinerja_all_regions()"


def enable_tenant_rls(table: str, condition: str = TENANT_CONDITION) -> None:
    """Rows are visible only inside their region's transaction, or on the audited
    all-regions path that superadmin reads take."""
    op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
    op.execute(
        f'CREATE POLICY tenant_isolation ON "{table}" USING ({condition}) WITH CHECK ({condition})'
    )


def set_tenant_condition(table: str, condition: str) -> None:
    op.execute(
        f'ALTER POLICY tenant_isolation ON "{table}" USING ({condition}) WITH CHECK ({condition})'
    )


def disable_tenant_rls(table: str) -> None:
    op.execute(f'DROP POLICY IF EXISTS tenant_isolation ON "{table}"')
    op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
