# syntax=docker/dockerfile:1
#
# kinerja-api: a non-root image that migrates the database, then serves.
#
#   docker build -t kinerja-api .
#   docker run -p 8000:8000 \
#     -e KINERJA_DATABASE_URL=postgresql://kinerja:...@db/kinerja \
#     -e KINERJA_JWT_KEYS='{"k1":"<at least 32 random characters>"}' -e KINERJA_JWT_ACTIVE_KID=k1 \
#     -e KINERJA_CURSOR_SECRET='<at least 32 random characters>' \
#     -e KINERJA_WEBHOOK_SECRET_KEY='<at least 32 random characters>' \
#     kinerja-api
#
# KINERJA_ENV=production makes the service refuse to start without those (see README). Extra
# arguments to `docker run` are passed on to uvicorn. Behind a load balancer, set
# KINERJA_TRUSTED_PROXIES to its address so that client addresses (rate limits) are the real ones.

ARG PYTHON_IMAGE=python:3.11-slim

# --- builder: the package and its dependencies, installed into a virtualenv -------------------
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /build
# Metadata first, so that a change to the code alone does not invalidate the layers above.
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --upgrade pip \
    && pip install . \
    && python -m compileall -q /opt/venv

# --- runtime: the virtualenv and the migrations, run as an unprivileged user ------------------
FROM ${PYTHON_IMAGE} AS runtime

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    KINERJA_ENV=production \
    KINERJA_MIGRATIONS_DIR=/app/migrations \
    PROMETHEUS_MULTIPROC_DIR=/tmp/kinerja-prometheus \
    WEB_CONCURRENCY=2

RUN groupadd --system --gid 10001 kinerja \
    && useradd --system --uid 10001 --gid kinerja --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin kinerja

WORKDIR /app
# Owned by root and read-only for the service user: the code cannot be altered at run time.
COPY --from=builder /opt/venv /opt/venv
COPY migrations /app/migrations

USER kinerja:kinerja
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health/live', timeout=4).status != 200)"]

# Several workers share Prometheus metrics through PROMETHEUS_MULTIPROC_DIR, which must start
# empty. `kinerja migrate` is idempotent; with several replicas, Alembic's version table makes a
# concurrent second run a no-op or a failed start that the orchestrator retries.
ENTRYPOINT ["/bin/sh", "-c", "set -e; rm -rf \"$PROMETHEUS_MULTIPROC_DIR\"; mkdir -p \"$PROMETHEUS_MULTIPROC_DIR\"; kinerja migrate; exec uvicorn kinerja_api.main:create_app --factory --host 0.0.0.0 --port 8000 --workers \"${WEB_CONCURRENCY:-2}\" --loop uvloop --http httptools --no-access-log --no-proxy-headers \"$@\"", "kinerja"]
