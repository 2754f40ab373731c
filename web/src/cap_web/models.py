"""The console's own tables: signed-in sessions (the person's tokens stay on the server)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from cap_shared.db.types import AwareDateTime

metadata = SQLModel.metadata


class ConsoleSession(SQLModel, table=True):
    """One signed-in browser. The cookie holds a random secret; this row is keyed by its hash,
    so a copy of the database opens no session."""

    __tablename__ = "console_session"

    id: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(max_length=64, index=True)
    name: str = Field(max_length=300)
    email: str = Field(max_length=320)
    #: The userinfo's ``roles`` (each ``{"role": ..., "scope"...}``) and ``organisations``.
    roles: list[dict[str, str]] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    organisations: list[dict[str, str]] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    access_token: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    refresh_token: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    access_expires_at: datetime = Field(sa_column=sa.Column(AwareDateTime, nullable=False))
    created_at: datetime = Field(sa_column=sa.Column(AwareDateTime, nullable=False))
    last_seen_at: datetime = Field(sa_column=sa.Column(AwareDateTime, nullable=False))
