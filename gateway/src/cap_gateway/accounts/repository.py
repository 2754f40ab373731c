"""Every query on users, memberships, organisations (as accounts see them) and refresh tokens."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlmodel import col

from cap_gateway.models import Membership, Organisation, RefreshToken, User
from cap_shared.pagination import Keyset, key

#: The lists' stable orders (their names are bound into their cursors).
USERS = Keyset("gateway.users", key(col(User.created_at), datetime), key(col(User.id), str))


class AccountRepository:
    """Users and their memberships."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *rows: object) -> None:
        """Insert rows (flushed, so constraint violations raise here)."""
        self.session.add_all(rows)
        await self.session.flush()

    async def user(self, *, user_id: str) -> User | None:
        """One user, or None."""
        return await self.session.get(User, user_id)

    async def user_by_email(self, *, email: str) -> User | None:
        """The user signing in with ``email`` (lower-cased), or None."""
        result = await self.session.execute(sa.select(User).where(col(User.email) == email))
        return result.scalar_one_or_none()

    async def memberships(self, *, user_ids: Sequence[str]) -> list[Membership]:
        """Memberships of these users, oldest first."""
        if not user_ids:
            return []
        result = await self.session.execute(
            sa.select(Membership)
            .where(col(Membership.user_id).in_(user_ids))
            .order_by(col(Membership.created_at), col(Membership.id))
        )
        return list(result.scalars())

    async def membership(self, *, membership_id: str) -> Membership | None:
        """One membership, or None."""
        return await self.session.get(Membership, membership_id)

    async def count_role_in_organisation(self, *, role: str, organisation_id: str) -> int:
        """How many users hold ``role`` in the organisation."""
        result = await self.session.execute(
            sa.select(sa.func.count())
            .select_from(Membership)
            .where(col(Membership.role) == role, col(Membership.organisation_id) == organisation_id)
        )
        return int(result.scalar_one())

    async def lock(self, user: User) -> None:
        """Re-read ``user`` and lock its row until the transaction ends (one writer at a time)."""
        await self.session.refresh(user, with_for_update=True)

    async def flush(self) -> None:
        """Send the pending changes (so a read in another scope sees them)."""
        await self.session.flush()

    async def delete_membership(self, membership: Membership) -> None:
        """Remove a membership."""
        await self.session.delete(membership)
        await self.session.flush()

    async def list_users(
        self,
        *,
        limit: int,
        cursor: str | None,
        organisation_ids: Sequence[str] | None,
        role: str | None,
    ) -> tuple[list[User], str | None]:
        """A page of users in creation order, optionally only those with a membership matching
        the filters, and the next cursor."""
        query = sa.select(User)
        if organisation_ids is not None or role is not None:
            member = sa.select(col(Membership.user_id))
            if organisation_ids is not None:
                member = member.where(col(Membership.organisation_id).in_(organisation_ids))
            if role is not None:
                member = member.where(col(Membership.role) == role)
            query = query.where(col(User.id).in_(member))
        return await USERS.fetch(self.session, query, cursor=cursor, limit=limit)

    async def organisations(self, *, organisation_ids: Sequence[str]) -> dict[str, Organisation]:
        """Organisations by id."""
        if not organisation_ids:
            return {}
        result = await self.session.execute(
            sa.select(Organisation).where(col(Organisation.id).in_(organisation_ids))
        )
        return {o.id: o for o in result.scalars()}

    # refresh tokens --------------------------------------------------------------------
    async def refresh_token(self, *, token_hash: str) -> RefreshToken | None:
        """The refresh token with this digest, or None."""
        result = await self.session.execute(
            sa.select(RefreshToken).where(col(RefreshToken.token_hash) == token_hash)
        )
        return result.scalar_one_or_none()

    async def mark_used(self, *, token_id: str, now: datetime) -> bool:
        """Mark a refresh token used; False if it already was (a concurrent or replayed use)."""
        result = await self.session.execute(
            sa.update(RefreshToken)
            .where(col(RefreshToken.id) == token_id, col(RefreshToken.used_at).is_(None))
            .values(used_at=now)
        )
        return bool(getattr(result, "rowcount", 0))

    async def revoke_family(self, *, family_id: str, now: datetime) -> None:
        """Revoke every token of a rotation family."""
        await self.session.execute(
            sa.update(RefreshToken)
            .where(col(RefreshToken.family_id) == family_id, col(RefreshToken.revoked_at).is_(None))
            .values(revoked_at=now)
        )

    async def revoke_user_tokens(self, *, user_id: str, now: datetime) -> None:
        """Revoke every refresh token of a user (password change, account disabled)."""
        await self.session.execute(
            sa.update(RefreshToken)
            .where(col(RefreshToken.user_id) == user_id, col(RefreshToken.revoked_at).is_(None))
            .values(revoked_at=now)
        )


#: ``GET /v1/me``'s one statement: the account, each of its memberships (oldest first) and
#: the organisation each one names.
_ME: sa.Executable = (
    sa.select(
        col(User.id),
        col(User.email),
        col(User.name),
        col(User.status),
        col(Membership.id).label("membership_id"),
        col(Membership.role),
        col(Membership.organisation_id),
        col(Membership.region),
        col(Membership.certification_body_id),
        col(Organisation.name).label("organisation_name"),
        col(Organisation.region).label("organisation_region"),
    )
    .select_from(User)
    .outerjoin(Membership, col(Membership.user_id) == col(User.id))
    .outerjoin(Organisation, col(Organisation.id) == col(Membership.organisation_id))
    .where(col(User.id) == sa.bindparam("user_id"))
    .order_by(col(Membership.created_at), col(Membership.id))
)


async def own_account(connection: AsyncConnection, *, user_id: str) -> list[Any]:
    """The rows of :data:`_ME` for ``user_id``: one per membership (one with no membership's
    columns when there is none); none when there is no such account."""
    return list((await connection.execute(_ME, {"user_id": user_id})).all())
