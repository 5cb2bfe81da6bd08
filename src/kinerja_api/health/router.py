import asyncio
import os
from functools import lru_cache

from fastapi import Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from pydantic import BaseModel

from kinerja_api.auth.access import public_route
from kinerja_api.core.i18n import Msg
from kinerja_api.core.problems import SERVICE_UNAVAILABLE, Problem, problem_responses
from kinerja_api.core.routing import Router
from kinerja_api.core.uow import database

router = Router(tags=["health"])
READY_TIMEOUT_SECONDS = 2.0
_READY_QUERY = "select version_num from alembic_version"


class HealthStatus(BaseModel):
    status: str
    migration: str | None = None


@router.get(
    "/health/live",
    response_model=HealthStatus,
    operation_id="health-live",
    summary="Liveness",
)
@public_route
async def live() -> HealthStatus:
    """The process is up; says nothing about its dependencies."""
    return HealthStatus(status="ok")


_DB_DOWN = Msg("Basis data tidak dapat dihubungi.", "The database cannot be reached.")
_NOT_MIGRATED = Msg(
    "Skema basis data belum pada versi terbaru ({found}, seharusnya {expected}).",
    "The database schema is not at head ({found}, expected {expected}).",
)


@router.get(
    "/health/ready",
    response_model=HealthStatus,
    operation_id="health-ready",
    summary="Readiness",
    responses=problem_responses(503),
)
@public_route
async def ready(request: Request) -> Response:
    """Ready to serve: the database answers and its schema is at the migrations' head."""
    expected: str = request.app.state.migration_head
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            # A pooled connection, like every request's: one round trip.
            found = await database(request).fetch_value(_READY_QUERY)
    except Exception as exc:
        raise Problem(SERVICE_UNAVAILABLE, _DB_DOWN, headers={"Retry-After": "5"}) from exc
    if found != expected:
        raise Problem(
            SERVICE_UNAVAILABLE,
            _NOT_MIGRATED,
            params={"found": found, "expected": expected},
            headers={"Retry-After": "5"},
        )
    return Response(_ready_body(found), media_type="application/json")


@lru_cache(maxsize=4)
def _ready_body(migration: str) -> bytes:
    # The answer of a ready service only changes with its schema: encoded once, not per probe.
    return HealthStatus(status="ok", migration=migration).model_dump_json().encode()


@router.get(
    "/metrics",
    operation_id="health-metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus metrics"}},
)
@public_route
async def metrics() -> Response:
    """Prometheus exposition: request counts and latency histograms by route template."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        payload = generate_latest(registry)
    else:
        payload = generate_latest()
    return Response(payload, media_type=CONTENT_TYPE_LATEST)
