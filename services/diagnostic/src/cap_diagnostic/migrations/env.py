"""Alembic environment of the diagnostic service."""

from cap_diagnostic.models import metadata
from cap_shared.migrate import run_migrations_from_env

run_migrations_from_env(metadata)
