"""Alembic environment of the gateway (identity database)."""

from cap_gateway.models import metadata
from cap_shared.migrate import run_migrations_from_env

run_migrations_from_env(metadata)
