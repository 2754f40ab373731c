"""Argon2id password hashing (OWASP parameters), off the event loop, with rehash on login."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError


class Passwords:
    """Hash and verify passwords; each call takes tens of milliseconds, so it runs in a thread."""

    def __init__(self, *, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=parallelism,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )

    @functools.cached_property
    def _dummy(self) -> str:
        # Verified against when the account does not exist, so timing does not reveal
        # accounts; made on first need, not at every start-up.
        return self._hasher.hash(secrets.token_urlsafe(16))

    async def hash(self, password: str) -> str:
        """A PHC string ``$argon2id$v=19$m=...,t=...,p=...$salt$hash``."""
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, stored: str | None, password: str) -> bool:
        """Whether ``password`` matches ``stored`` (always spends the time of one verification)."""

        def check() -> bool:
            try:
                return self._hasher.verify(stored or self._dummy, password) and stored is not None
            except (VerificationError, InvalidHashError):
                return False

        return await asyncio.to_thread(check)

    def needs_rehash(self, stored: str) -> bool:
        """Whether ``stored`` was made with other (older) parameters than today's."""
        return self._hasher.check_needs_rehash(stored)


def new_secret(nbytes: int = 32) -> str:
    """A random URL-safe secret (refresh tokens, invitation tokens, client secrets)."""
    return secrets.token_urlsafe(nbytes)


def secret_digest(secret: str) -> str:
    """SHA-256 of a high-entropy generated secret, as stored (a slow hash adds nothing there)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same_digest(a: str, b: str) -> bool:
    """Constant-time comparison of two digests."""
    return hmac.compare_digest(a.encode(), b.encode())
