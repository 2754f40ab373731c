"""Signed-in sessions, kept on the server: the browser holds only a random secret.

The person's access and refresh tokens never leave this process and its database. Refreshing
is serialised per session (a lock in the process, a row lock on PostgreSQL across replicas):
the gateway rotates refresh tokens and revokes the whole family when one is presented twice,
so two pages refreshing at once must not both present the old one.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from cap_shared.clock import wall_now
from cap_shared.db.session import Database
from cap_web.models import ConsoleSession

#: The cookie that names the session (HttpOnly, SameSite=Lax, Secure outside development).
SESSION_COOKIE = "cap_session"


def _key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Tokens:
    """What the token endpoint answered."""

    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True)
class Person:
    """Who signed in (the userinfo), as the screens need it."""

    user_id: str
    name: str
    email: str
    roles: list[dict[str, str]]
    organisations: list[dict[str, str]]

    def has(self, *roles: str) -> bool:
        """Whether the person holds one of ``roles`` (anywhere)."""
        return any(grant.get("role") in roles for grant in self.roles)

    def scopes(self, role: str, key: str) -> list[str]:
        """What each grant of ``role`` is scoped to: its ``organisation_id``, ``region``..."""
        return [g[key] for g in self.roles if g.get("role") == role and g.get(key)]

    @property
    def organisation_id(self) -> str | None:
        """The structure a member acts for (the first one; the API checks every call)."""
        ids = self.scopes("member_admin", "organisation_id") + self.scopes(
            "member", "organisation_id"
        )
        return ids[0] if ids else (self.organisations[0]["id"] if self.organisations else None)


class SessionStore:
    """Create, read, refresh and forget console sessions."""

    def __init__(self, db: Database, *, idle: timedelta) -> None:
        self.db = db
        self.idle = idle
        self._locks: dict[str, asyncio.Lock] = {}

    async def create(self, person: Person, tokens: Tokens) -> str:
        """A new session; returns the secret to put in the cookie."""
        secret = secrets.token_urlsafe(32)
        now = wall_now()
        row = ConsoleSession(
            id=_key(secret),
            user_id=person.user_id,
            name=person.name,
            email=person.email,
            roles=person.roles,
            organisations=person.organisations,
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            access_expires_at=now + timedelta(seconds=tokens.expires_in),
            created_at=now,
            last_seen_at=now,
        )
        async with self.db.session() as session:
            session.add(row)
            # Sessions nobody came back to are forgotten here, once per sign-in (an indexed
            # delete), rather than by a job: the table holds the live ones and a few more.
            await session.execute(
                sa.delete(ConsoleSession).where(col(ConsoleSession.last_seen_at) < now - self.idle)
            )
        return secret

    async def load(self, secret: str | None, *, touch: bool = True) -> ConsoleSession | None:
        """The live session named by the cookie, or None (unknown, or idle too long).
        ``touch=False``: the request is not the person's doing (the live notification stream
        reconnecting by itself) and does not keep the session from going idle."""
        if not secret or len(secret) > 100:
            return None
        now = wall_now()
        async with self.db.session() as session:
            row = await session.get(ConsoleSession, _key(secret))
            if row is None:
                return None
            if row.last_seen_at + self.idle < now:
                await session.delete(row)
                return None
            if touch and now - row.last_seen_at > timedelta(minutes=1):  # a write a minute at most
                row.last_seen_at = now
            return row

    def lock(self, session_id: str) -> asyncio.Lock:
        """The in-process lock serialising refreshes of one session."""
        lock = self._locks.get(session_id)
        if lock is None:
            if len(self._locks) > 10_000:
                self._locks = {k: v for k, v in self._locks.items() if v.locked()}
            lock = self._locks[session_id] = asyncio.Lock()
        return lock

    async def refreshed(self, row: ConsoleSession, refresh: Any) -> ConsoleSession | None:
        """Rotate ``row``'s tokens with ``refresh(refresh_token) -> Tokens | None``, once.

        Another request of the same session may have refreshed meanwhile: the row is read again
        under the lock (and under a row lock on PostgreSQL), and its newer token is used.
        None: the refresh token was refused; the session is gone.
        """
        async with self.lock(row.id), self.db.session() as session:
            current = (
                await session.execute(
                    sa.select(ConsoleSession)
                    .where(col(ConsoleSession.id) == row.id)
                    .with_for_update()
                )
            ).scalar_one_or_none()
            if current is None:
                return None
            if current.access_token != row.access_token:
                return current  # refreshed by another request
            tokens = await refresh(current.refresh_token)
            if tokens is None:
                await session.delete(current)
                return None
            current.access_token = tokens.access_token
            current.refresh_token = tokens.refresh_token
            current.access_expires_at = wall_now() + timedelta(seconds=tokens.expires_in)
            return current

    async def forget(self, session_id: str) -> None:
        """Delete a session (sign-out)."""
        async with self.db.session() as session:
            await session.execute(
                sa.delete(ConsoleSession).where(col(ConsoleSession.id) == session_id)
            )


def person_of(row: ConsoleSession) -> Person:
    """The session's person."""
    return Person(row.user_id, row.name, row.email, list(row.roles), list(row.organisations))
