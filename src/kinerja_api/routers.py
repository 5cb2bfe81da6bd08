"""Every router the application mounts, in the order they appear in the contract."""

from fastapi import APIRouter

from kinerja_api.audit.router import router as audit_router
from kinerja_api.auth.router import router as auth_router
from kinerja_api.health.router import router as health_router
from kinerja_api.org.agencies.router import router as agencies_router
from kinerja_api.org.employees.router import router as employees_router
from kinerja_api.org.regions.router import router as regions_router
from kinerja_api.org.service_accounts.router import router as service_accounts_router
from kinerja_api.org.users.router import router as users_router
from kinerja_api.progress.router import plans_router as plan_progress_router
from kinerja_api.progress.router import router as progress_reports_router
from kinerja_api.progress.stream_router import public_router as public_progress_router
from kinerja_api.progress.stream_router import router as progress_stream_router

ROUTERS: list[APIRouter] = [
    health_router,
    auth_router,
    regions_router,
    agencies_router,
    employees_router,
    users_router,
    service_accounts_router,
    audit_router,
    progress_reports_router,
    plan_progress_router,
    progress_stream_router,
    public_progress_router,
]
