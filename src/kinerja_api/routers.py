"""Every router the application mounts, in the order they appear in the contract."""

from fastapi import APIRouter

from kinerja_api.auth.router import router as auth_router
from kinerja_api.health.router import router as health_router
from kinerja_api.org.regions.router import router as regions_router

ROUTERS: list[APIRouter] = [
    health_router,
    auth_router,
    regions_router,
]
