# syntax=docker/dockerfile:1
#
# One image per CAP package, from this uv workspace (see deploy/README.md):
#
#   docker build --build-arg PACKAGE=cap-diagnostic -t cap-diagnostic .
#   docker run --rm cap-diagnostic api        # or: worker | relay | migrate
#
# PACKAGE is one of cap-gateway, cap-diagnostic, cap-audit, cap-labelling, cap-notifications,
# cap-web (the web console: `serve`, also named `api`, or `migrate`).
# The entrypoint is that package's console script; the command is the role, given explicitly by
# every compose service and Kubernetes container (the default, `api`, only serves `docker run`).
#
# Built the way fastapi/full-stack-fastapi-template and uv's Docker guide do: the official uv
# binary, a cache mount, third-party dependencies synced in their own layer (rebuilt only when
# uv.lock or a pyproject.toml changes), then the code copied and synced. A second stage keeps the
# virtual environment only: no uv, no sources, no build cache in the runtime image.

ARG PYTHON_IMAGE=python:3.11-slim

# --- build: resolve nothing, install exactly what uv.lock says ---------------------------------
FROM ${PYTHON_IMAGE} AS builder

COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /uvx /bin/

ARG PACKAGE
RUN test -n "${PACKAGE}" || { \
      echo "build with --build-arg PACKAGE=cap-<gateway|diagnostic|audit|labelling|notifications|web>" >&2; \
      exit 1; }

ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv

WORKDIR /app

# The workspace's manifests only: uv needs every member's pyproject.toml to read the workspace.
COPY pyproject.toml uv.lock ./
COPY shared/pyproject.toml shared/
COPY gateway/pyproject.toml gateway/
COPY services/diagnostic/pyproject.toml services/diagnostic/
COPY services/audit/pyproject.toml services/audit/
COPY services/labelling/pyproject.toml services/labelling/
COPY services/notifications/pyproject.toml services/notifications/
COPY web/pyproject.toml web/
COPY standalone/pyproject.toml standalone/
COPY simulator/pyproject.toml simulator/
COPY clients/python/pyproject.toml clients/python/

# 1. Third-party dependencies of $PACKAGE (no workspace member yet).
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-install-workspace --package "${PACKAGE}" --no-dev --no-editable

# 2. The code, then $PACKAGE and the workspace members it depends on (cap-shared), as wheels so
#    that the environment does not need the sources.
COPY shared/ shared/
COPY gateway/ gateway/
COPY services/ services/
COPY web/ web/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --package "${PACKAGE}" --no-dev --no-editable \
 && ln -s "/app/.venv/bin/${PACKAGE}" /app/.venv/bin/cap-service \
 && /app/.venv/bin/cap-service --help >/dev/null

# --- runtime -------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

ARG PACKAGE
LABEL org.opencontainers.image.title="${PACKAGE}" \
      org.opencontainers.image.description="CAP platform: ${PACKAGE} (api | worker | relay | migrate)"

# A fixed numeric uid/gid, so that Kubernetes' runAsNonRoot can verify it.
RUN groupadd --system --gid 10001 cap \
 && useradd --system --uid 10001 --gid cap --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin cap

# Owned by root and read-only for the process: it cannot modify its own code.
COPY --from=builder /app/.venv /app/.venv

ENV PATH="/app/.venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1

# No .env in the image (see .dockerignore): configuration comes from the environment.
WORKDIR /app
USER 10001:10001

# Ports come from the environment: the API listens on <PREFIX>_PORT (8000-8004, the console 8010), a worker or a
# relay serves /healthz, /readyz and /metrics on <PREFIX>_PROBE_PORT (9000 in the manifests).
ENTRYPOINT ["cap-service"]
CMD ["api"]
