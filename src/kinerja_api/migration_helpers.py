"""SQL shared by migrations: the application role, its grants, and row-level security."""

from alembic import op

from kinerja_api.config import get_settings


def app_role() -> str:
    return get_settings().db_app_role or "kinerja_app"


def grant(table: str, privileges: str = "SELECT, INSERT, UPDATE, DELETE") -> None:
    op.execute(f'GRANT {privileges} ON TABLE "{table}" TO "{app_role()}"')


def revoke(table: str) -> None:
    op.execute(f'REVOKE ALL ON TABLE "{table}" FROM "{app_role()}"')


def enable_tenant_rls(table: str) -> None:
    """Rows are visible only inside their region's transaction, or on the audited
    all-regions path that superadmin reads take."""
    op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
    op.execute(
        f'CREATE POLICY tenant_isolation ON "{table}" '
        "USING (region_id = kinerja_current_region() OR kinerja_all_regions()) "
        "WITH CHECK (region_id = kinerja_current_region() OR kinerja_all_regions())"
    )


def disable_tenant_rls(table: str) -> None:
    op.execute(f'DROP POLICY IF EXISTS tenant_isolation ON "{table}"')
    op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
