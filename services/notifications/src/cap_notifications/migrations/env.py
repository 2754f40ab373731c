"""Alembic environment of the notifications service."""

from cap_notifications.models import metadata
from cap_shared.migrate import run_migrations_from_env

run_migrations_from_env(metadata)
