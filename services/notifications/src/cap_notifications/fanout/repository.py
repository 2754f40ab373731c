"""Every query of the fan-out: the journal of events, the people to tell, what is written for
them (notifications, e-mails, digest items)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_notifications.fanout.recipients import Concerned
from cap_notifications.models import (
    DigestItem,
    EmailMessage,
    IntakeEvent,
    Notification,
    Person,
    PersonGrant,
)


class FanoutRepository:
    """The journal, the directory of people and the fan-out's outputs."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def journal_of(self, event_id: str) -> IntakeEvent | None:
        """The journal row of an event already fanned out, or None."""
        return await self.session.get(IntakeEvent, event_id)

    def add(self, row: IntakeEvent | Notification | EmailMessage | DigestItem) -> None:
        """Write a journal row, a notification, an e-mail or a digest item (at the next flush)."""
        self.session.add(row)

    async def journal(
        self, organisation_id: str, *, event_types: Iterable[str]
    ) -> Sequence[tuple[str, Any]]:
        """(event type, payload) of the organisation's journalled events of these types,
        newest first."""
        query = (
            sa.select(col(IntakeEvent.event_type), col(IntakeEvent.payload))
            .where(
                col(IntakeEvent.organisation_id) == organisation_id,
                col(IntakeEvent.event_type).in_(list(event_types)),
            )
            .order_by(col(IntakeEvent.occurred_at).desc())
        )
        return [(t, p) for t, p in (await self.session.execute(query)).all()]

    async def active_people(self) -> list[Person]:
        """Every person whose account is active."""
        query = sa.select(Person).where(col(Person.status) == "active").order_by(col(Person.id))
        return list((await self.session.execute(query)).scalars().all())

    async def concerned_people(self, who: Concerned) -> list[Person]:
        """The active people an event can concern (one query, through the grants' indexes):
        the organisation's people in these roles, the region's facilitators, the holders of
        these roles anywhere, the people named."""
        if who.nobody:
            return []
        grants: list[sa.ColumnElement[bool]] = []
        if who.organisation_id and who.organisation_roles:
            grants.append(
                sa.and_(
                    col(PersonGrant.organisation_id) == who.organisation_id,
                    col(PersonGrant.role).in_(sorted(who.organisation_roles)),
                )
            )
        if who.facilitators_of:
            grants.append(
                sa.and_(
                    col(PersonGrant.role) == "facilitator",
                    col(PersonGrant.region) == who.facilitators_of,
                )
            )
        if who.roles:
            grants.append(col(PersonGrant.role).in_(sorted(who.roles)))
        chosen: list[sa.ColumnElement[bool]] = []
        if grants:
            chosen.append(
                col(Person.id).in_(sa.select(col(PersonGrant.person_id)).where(sa.or_(*grants)))
            )
        if who.user_ids:
            chosen.append(col(Person.id).in_(sorted(who.user_ids)))
        query = (
            sa.select(Person)
            .where(col(Person.status) == "active", sa.or_(*chosen))
            .order_by(col(Person.id))
        )
        return list((await self.session.execute(query)).scalars().all())

    async def replace_grants(self, person_id: str, memberships: list[dict[str, Any]]) -> None:
        """Write the person's grants anew from their memberships (what
        :meth:`concerned_people` searches)."""
        await self.session.execute(
            sa.delete(PersonGrant).where(col(PersonGrant.person_id) == person_id)
        )
        rows = [
            {
                "person_id": person_id,
                "position": position,
                **{
                    k: None if membership.get(k) is None else str(membership[k])
                    for k in ("role", "organisation_id", "region", "certification_body_id")
                },
            }
            for position, membership in enumerate(memberships)
        ]
        if rows:
            await self.session.execute(sa.insert(PersonGrant), rows)

    async def waiting_digest_items(self) -> Sequence[DigestItem]:
        """The digest items no digest took yet, by person then age, locked."""
        query = (
            sa.select(DigestItem)
            .where(col(DigestItem.email_id).is_(None))
            .order_by(col(DigestItem.user_id), col(DigestItem.created_at))
            .with_for_update()
        )
        return (await self.session.execute(query)).scalars().all()

    async def last_digests(self, user_ids: list[str]) -> dict[str, datetime]:
        """When each of these people's last digest was written (those who had one)."""
        query = (
            sa.select(col(EmailMessage.user_id), sa.func.max(col(EmailMessage.created_at)))
            .where(col(EmailMessage.kind) == "digest", col(EmailMessage.user_id).in_(user_ids))
            .group_by(col(EmailMessage.user_id))
        )
        return {row[0]: row[1] for row in (await self.session.execute(query)).all()}

    async def flush(self) -> None:
        """Write what was added and changed."""
        await self.session.flush()
