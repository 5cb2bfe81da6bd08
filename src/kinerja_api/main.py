import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from kinerja_api import __version__
from kinerja_api.auth.access import SECURITY_SCHEMES, operation_access
from kinerja_api.auth.tokens import TokenService
from kinerja_api.config import Settings, get_settings
from kinerja_api.core import exportable
from kinerja_api.core.broker import OutboxBroker
from kinerja_api.core.logging import configure_logging
from kinerja_api.core.middleware import BodyLimitMiddleware, RequestContextMiddleware
from kinerja_api.core.openapi import ContractInfo, Tag, install_openapi
from kinerja_api.core.pagination import CursorCodec
from kinerja_api.core.problems import install_problem_handlers
from kinerja_api.db import Database
from kinerja_api.docs import install_docs
from kinerja_api.export_lists import EXPORT_LIST_MODULES
from kinerja_api.imports.router import router as imports_router
from kinerja_api.migrations_info import migration_head
from kinerja_api.routers import ROUTERS
from kinerja_api.webhooks.contract import declare_webhooks

API_PREFIX = "/api/v1"
# The collector's thresholds; the first is 700 by default. An event fanned out to a worker's
# thousands of streams allocates far more than 700 short-lived objects, so collections of the
# youngest generation ran dozens of times per event, each promoting the objects of the sends
# still in flight; those promotions soon set off a full collection over every open stream's
# objects, a pause of hundreds of milliseconds in the middle of a fan-out. Collected every
# 50,000 allocations, they mostly die young, as they are.
GC_THRESHOLDS = (50_000, 10, 10)
# Used only when no database is configured (e.g. generating the OpenAPI document); the engine
# connects lazily, so nothing is contacted until a request needs the database.
UNCONFIGURED_DATABASE_URL = "postgresql+asyncpg://unconfigured@localhost/unconfigured"

DESCRIPTION = """
Performance-based development of civil servants (ASN) for Indonesian regional governments:
performance plans (SKP), progress reports, 360° evaluations, training and citizen feedback.

Errors are RFC 9457 `application/problem+json`; `title` and `detail` follow `Accept-Language`
(`id` by default, `en`). Lists use keyset cursors (`limit`, `cursor`, `next_cursor`). Updates
need `If-Match`; creates accept `Idempotency-Key`.
"""

TAGS = (
    Tag("auth", "Signing in (OAuth2 password, client credentials, refresh) and the caller."),
    Tag("regions", "Regions (pemerintah daerah): kabupaten, kota, kecamatan, provinsi."),
    Tag("agencies", "The agency tree of a region (perangkat daerah: dinas, badan, bidang ...)."),
    Tag("employees", "Civil servants (ASN: PNS and PPPK) and their supervisor chains."),
    Tag("users", "Logins of people, their roles and passwords."),
    Tag("service-accounts", "Integrations signing in with client credentials and scopes."),
    Tag("audit", "The audit trail of every change (jejak audit)."),
    Tag("periods", "Performance periods (periode penilaian), one a year, in quarters."),
    Tag("plans", "Performance plans (SKP): draft, submit, approve, return, revise."),
    Tag("targets", "A plan's targets (RHK), cascading from the supervisor's."),
    Tag("indicators", "A target's indicators (IKI): what is measured, and how it adds up."),
    Tag("progress-reports", "Progress reports (realisasi) on indicators, and their verification."),
    Tag(
        "progress",
        "Achievement, comments and the live stream of progress, plan and comment events.",
    ),
    Tag(
        "evaluation-instrument",
        "The BerAKHLAK instrument of 360° evaluations: core values and behaviour statements.",
    ),
    Tag(
        "evaluation-cycles",
        "360° evaluation rounds (siklus evaluasi): draft, launch (assignments from the supervisor"
        " chain), close.",
    ),
    Tag(
        "evaluation-assignments",
        "Who rates whom in a 360° cycle, and each rater's one anonymous response.",
    ),
    Tag(
        "evaluation-ratings",
        "Ratings by the pejabat penilai: hasil kerja and perilaku, and the predikat kinerja.",
    ),
    Tag(
        "evaluation-calibration",
        "Organisation predikat per agency and period, and the lock of the agency's ratings.",
    ),
    Tag("evaluation-objections", "Objections (keberatan) to locked ratings, and decisions."),
    Tag(
        "evaluation-results",
        "360° results (anonymous aggregates, citizens' IKM beside them) and their follow-up.",
    ),
    Tag("development-plans", "Development plans (rencana pengembangan) after a weak predikat."),
    Tag("training-programs", "The training catalog (programs) and the JP each completion credits."),
    Tag("training-sessions", "Sessions of training programs: times, seats, window, eligibility."),
    Tag(
        "training-enrollments",
        "Enrollment in training sessions: seats, the first-come waitlist, cancellations.",
    ),
    Tag(
        "training-attendance",
        "A session's attendance in bulk, and its completion (JP, certificates).",
    ),
    Tag("training-certificates", "Certificates of completed training, as JSON and as PDF."),
    Tag("training-feedback", "Participants' ratings of sessions; organisers' anonymous summaries."),
    Tag(
        "training-ledger",
        "The yearly JP ledger: external JP, an employee's year, the JP compliance report.",
    ),
    Tag(
        "training-recommendations",
        "Programs suggested from an employee's latest evaluation (weak BerAKHLAK values).",
    ),
    Tag("service-units", "Service units (unit layanan) with public codes, and their staff."),
    Tag("feedback", "Citizens' satisfaction surveys (survei kepuasan masyarakat), staff side."),
    Tag("reports", "The IKM report (indeks kepuasan masyarakat, PermenPANRB 14/2017)."),
    Tag("complaints", "Citizens' complaints (pengaduan): triage, assign, respond, resolve."),
    Tag("holidays", "A region's holidays (hari libur), for working-day deadlines."),
    Tag(
        "exports",
        "Export jobs: a large list written as a CSV file by a worker, fetched when ready.",
    ),
    Tag(
        "webhooks",
        "Signed pushes of events to a region's systems: subscriptions, deliveries, retries.",
    ),
    Tag(
        "imports",
        "Bulk imports of agencies, employees and users from CSV or NDJSON files, as jobs.",
    ),
    Tag("public", "Open endpoints for citizens: no account, limited per client address."),
    Tag("health", "Liveness, readiness and Prometheus metrics, for operators."),
    Tag(
        "exchange",
        "The national systems' formats: the SKP as e-Kinerja BKN takes it, complaints in "
        "SP4N-LAPOR!'s disposition shape.",
    ),
)

CONTRACT_INFO = ContractInfo(
    tags=TAGS,
    servers=(
        {"url": "/", "description": "The server this document was fetched from."},
        {"url": "http://127.0.0.1:8000", "description": "Local: `make run`."},
    ),
    contact={"name": "kinerja-api maintainers", "url": "https://kinerja-api.id/"},
    license={"name": "Proprietary"},
    security_schemes=SECURITY_SCHEMES,
)


def operation_id(route: APIRoute) -> str:
    tag = str(route.tags[0]) if route.tags else "root"
    return f"{tag}-{route.name.replace('_', '-')}"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Without a configured database (e.g. exporting the contract) there is nothing to hear.
        if settings.database_url:
            await app.state.stream_broker.start()
        # What exists now (modules, the app, its routes and models) lives as long as the
        # process: moved out of the collector's generations, it is not traversed again by every
        # collection the requests' garbage triggers.
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)
        yield
        await app.state.stream_broker.stop()
        await app.state.db.dispose()

    app = FastAPI(
        title="kinerja-api",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # install_docs serves it from shipped files, not a CDN
        redoc_url=None,
        openapi_url="/openapi.json" if settings.docs_enabled else None,
        generate_unique_id_function=operation_id,
    )
    app.state.settings = settings
    app.state.db = Database(settings.database_url or UNCONFIGURED_DATABASE_URL, settings)
    app.state.cursor_codec = CursorCodec(settings.cursor_secret.get_secret_value().encode())
    app.state.migration_head = migration_head()
    app.state.token_service = TokenService(settings)
    app.state.stream_broker = OutboxBroker(
        settings.database_url or UNCONFIGURED_DATABASE_URL,
        app_role=settings.db_app_role or None,
        queue_size=settings.stream_queue_size,
    )

    install_problem_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    exportable.load(EXPORT_LIST_MODULES)
    # After the routers: every domain's events are declared by then.
    declare_webhooks(app.webhooks)
    install_openapi(app, operation_access, CONTRACT_INFO)
    if settings.docs_enabled:
        install_docs(app)

    app.add_middleware(
        BodyLimitMiddleware,
        default_limit=settings.body_limit_bytes,
        public_limit=settings.public_body_limit_bytes,
        upload_limits={imports_router.prefix: settings.import_max_bytes},
    )
    app.add_middleware(RequestContextMiddleware, access_log=settings.access_log)
    if settings.trusted_proxies:
        # Outermost, so that every layer (logs, rate limits, sign-in throttling) sees the
        # client the trusted proxy names. Servers run with their own proxy handling off.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    return app
