"""Alembic environment of the labelling service."""

from cap_labelling.models import metadata
from cap_shared.migrate import run_migrations_from_env

run_migrations_from_env(metadata)
