"""Alembic environment of the web console."""

from cap_shared.migrate import run_migrations_from_env
from cap_web.models import metadata

run_migrations_from_env(metadata)
