"""Database helpers: metadata conventions, engines for PostgreSQL and SQLite, sessions."""

from cap_shared.db.base import TimestampMixin, make_registry
from cap_shared.db.session import Database

__all__ = ["Database", "TimestampMixin", "make_registry"]
