"""Every query of sign-in itself: the token-signing keys, the authorization codes, and whether
a refresh-token family was revoked."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_gateway.models import AuthorizationCode, RefreshToken, SigningKey


class SigningKeyRepository:
    """The gateway's signing keys (each replica reads them, one at a time writes them)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def all(self) -> list[SigningKey]:
        """Every key, in the order they activate."""
        result = await self.session.execute(
            sa.select(SigningKey).order_by(col(SigningKey.activates_at))
        )
        return list(result.scalars())

    async def count_unexpired(self, *, now: datetime) -> int:
        """How many keys have not expired at ``now``."""
        result = await self.session.execute(
            sa.select(sa.func.count())
            .select_from(SigningKey)
            .where(sa.or_(col(SigningKey.expires_at).is_(None), col(SigningKey.expires_at) > now))
        )
        return int(result.scalar_one())

    async def retire_current(self, *, retired_at: datetime, expires_at: datetime) -> None:
        """Date the retirement and expiry of every key that has none yet."""
        await self.session.execute(
            sa.update(SigningKey)
            .where(col(SigningKey.expires_at).is_(None))
            .values(retired_at=retired_at, expires_at=expires_at)
        )

    def add(self, row: SigningKey) -> None:
        """Insert a key (written when the session commits)."""
        self.session.add(row)


class AuthorizationCodeRepository:
    """Authorization codes, stored by digest and used once."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, row: AuthorizationCode) -> None:
        """Insert a code (flushed, so a constraint violation raises here)."""
        self.session.add(row)
        await self.session.flush()

    async def by_hash(self, *, code_hash: str) -> AuthorizationCode | None:
        """The code with this digest, or None."""
        result = await self.session.execute(
            sa.select(AuthorizationCode).where(col(AuthorizationCode.code_hash) == code_hash)
        )
        return result.scalar_one_or_none()

    async def claim(self, *, code_id: str, now: datetime) -> bool:
        """Mark a code used; False if it already was (a concurrent or replayed exchange)."""
        claimed = await self.session.execute(
            sa.update(AuthorizationCode)
            .where(col(AuthorizationCode.id) == code_id, col(AuthorizationCode.used_at).is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(claimed.rowcount == 1)  # type: ignore[attr-defined]

    async def reread(self, row: AuthorizationCode) -> None:
        """Reload ``row`` from the database (what another exchange wrote into it)."""
        await self.session.refresh(row)


class RefreshFamilyRepository:
    """Refresh-token families as access tokens see them."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def revoked(self, *, family_id: str) -> bool:
        """Whether any token of the family has been revoked."""
        result = await self.session.execute(
            sa.select(sa.func.count())
            .select_from(RefreshToken)
            .where(
                col(RefreshToken.family_id) == family_id,
                col(RefreshToken.revoked_at).is_not(None),
            )
        )
        return bool(result.scalar_one())
