"""Alembic environment of the audit service."""

from cap_audit.models import metadata
from cap_shared.migrate import run_migrations_from_env

run_migrations_from_env(metadata)
