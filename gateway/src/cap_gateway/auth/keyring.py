"""The gateway's token-signing keys: Ed25519 pairs kept (encrypted) in the identity database.

Rotation without downtime: a new key is *published* in the JWKS at once but *signs* only after
``publish_lead`` (longer than any service's JWKS cache), and the key it replaces stays published
until every token it signed has expired. Several gateway replicas share the keys through the
database and re-read them every ``reload_interval``.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cap_gateway.auth.repository import SigningKeyRepository
from cap_gateway.models import SigningKey
from cap_shared.clock import wall_now
from cap_shared.db import Database
from cap_shared.security import ACCESS_TOKEN_TYPE, ALGORITHM


@dataclass(frozen=True)
class _Loaded:
    row: SigningKey
    private: Ed25519PrivateKey


class Keyring:
    """Signing keys: the current one signs, every unexpired one is published."""

    def __init__(
        self,
        db: Database,
        *,
        secret: str,
        publish_lead: float,
        reload_interval: float,
        token_lifetime: float,
    ) -> None:
        self._db = db
        self._secret = secret.encode()
        self._publish_lead = timedelta(seconds=publish_lead)
        self._reload_interval = reload_interval
        self._token_lifetime = timedelta(seconds=token_lifetime)
        self._keys: dict[str, _Loaded] = {}
        self._loaded_at = float("-inf")
        self._lock = asyncio.Lock()
        self._reloading: asyncio.Task[dict[str, _Loaded]] | None = None

    # reading --------------------------------------------------------------------------
    async def _rows(self) -> list[SigningKey]:
        async with self._db.session() as session:
            return await SigningKeyRepository(session).all()

    async def reload(self) -> None:
        """Re-read the keys (new ones decrypted once, then kept in memory)."""
        rows = await self._rows()
        keys: dict[str, _Loaded] = {}
        for row in rows:
            known = self._keys.get(row.kid)
            private = known.private if known else self._decrypt(row.private_key)
            keys[row.kid] = _Loaded(row, private)
        self._keys = keys
        self._loaded_at = time.monotonic()

    async def _fresh(self) -> dict[str, _Loaded]:
        if time.monotonic() - self._loaded_at > self._reload_interval:
            async with self._lock:
                if time.monotonic() - self._loaded_at > self._reload_interval:
                    await self.reload()
        return self._keys

    async def jwks(self) -> dict[str, Any]:
        """The JWKS document: every key not yet expired, newest first."""
        now = wall_now()
        keys = [
            k.row.public_jwk
            for k in sorted((await self._fresh()).values(), key=lambda k: k.row.activates_at)
            if k.row.expires_at is None or k.row.expires_at > now
        ]
        return {"keys": list(reversed(keys))}

    async def listing(self) -> list[SigningKey]:
        """Every key with its dates (no private material is read by callers)."""
        await self.reload()
        return [k.row for k in sorted(self._keys.values(), key=lambda k: k.row.activates_at)]

    async def sign(self, claims: dict[str, Any], *, typ: str = ACCESS_TOKEN_TYPE) -> str:
        """A signed token with the current key's ``kid``: an access token (``typ=at+jwt``), or
        an OpenID Connect ``id_token`` (``typ=JWT``) with the same keys.

        Called inside the sign-in's transaction: the keys in memory are used when one can sign,
        stale or not (an older key stays valid until it expires), and re-read in the background.
        Re-reading them here, on another connection, would wait for that very transaction on
        SQLite, whose writer holds the database until it commits.
        """
        current = self._current(self._keys)
        if current is not None and time.monotonic() - self._loaded_at > self._reload_interval:
            self._reload_in_background()
        if current is None:  # a rotation happened elsewhere, or the keys were never made
            await self.reload()
            current = self._current(self._keys)
        if current is None:
            msg = "no signing key is active; run the gateway's start-up (ensure_key)"
            raise RuntimeError(msg)
        return jwt.encode(
            claims,
            current.private,
            algorithm=ALGORITHM,
            headers={"kid": current.row.kid, "typ": typ},
        )

    def _reload_in_background(self) -> None:
        if self._reloading is None or self._reloading.done():
            self._reloading = asyncio.create_task(self._fresh())

    @staticmethod
    def _current(keys: dict[str, _Loaded]) -> _Loaded | None:
        now = wall_now()
        active = [
            k
            for k in keys.values()
            if k.row.activates_at <= now and (k.row.expires_at is None or k.row.expires_at > now)
        ]
        return max(active, key=lambda k: k.row.activates_at, default=None)

    # writing --------------------------------------------------------------------------
    async def ensure_key(self) -> None:
        """Create a first key, active at once, if none can sign (idempotent across replicas)."""
        async with self._db.session() as session:
            await self._db.lock(session, "gateway-signing-keys")
            now = wall_now()
            keys = SigningKeyRepository(session)
            if await keys.count_unexpired(now=now) == 0:
                keys.add(self._new_row(activates_at=now))
        await self.reload()

    async def rotate(self) -> SigningKey:
        """Add a key that signs after the publication lead; the current one expires after."""
        async with self._db.session() as session:
            await self._db.lock(session, "gateway-signing-keys")
            now = wall_now()
            new = self._new_row(activates_at=now + self._publish_lead)
            retire_after = new.activates_at + self._token_lifetime
            keys = SigningKeyRepository(session)
            await keys.retire_current(retired_at=new.activates_at, expires_at=retire_after)
            keys.add(new)
        await self.reload()
        return self._keys[new.kid].row

    def _new_row(self, *, activates_at: datetime) -> SigningKey:
        private = Ed25519PrivateKey.generate()
        kid = uuid.uuid4().hex[:16]
        jwk: dict[str, str] = jwt.algorithms.OKPAlgorithm.to_jwk(private.public_key(), as_dict=True)
        jwk.update({"kid": kid, "alg": ALGORITHM, "use": "sig"})
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(self._secret),
        )
        return SigningKey(
            kid=kid,
            algorithm=ALGORITHM,
            private_key=pem.decode(),
            public_jwk=jwk,
            created_at=wall_now(),
            activates_at=activates_at,
        )

    def _decrypt(self, pem: str) -> Ed25519PrivateKey:
        key = serialization.load_pem_private_key(pem.encode(), password=self._secret)
        if not isinstance(key, Ed25519PrivateKey):
            msg = "a stored signing key is not an Ed25519 key"
            raise TypeError(msg)
        return key
