"""Every query of the preferences."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_notifications.models import Preference, PreferenceSettings
from cap_notifications.preferences.rules import DEFAULT_DIGEST_HOUR, DEFAULT_QUIET


class PreferenceRepository:
    """People's settings rows and their choices per event type and channel."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def settings_of(self, user_ids: list[str]) -> dict[str, PreferenceSettings]:
        """The settings rows of these people (those who have one), by user id."""
        query = sa.select(PreferenceSettings).where(col(PreferenceSettings.user_id).in_(user_ids))
        return {r.user_id: r for r in (await self.session.execute(query)).scalars()}

    async def choices_of(self, user_ids: list[str]) -> Sequence[Preference]:
        """The choices of these people."""
        query = sa.select(Preference).where(col(Preference.user_id).in_(user_ids))
        return (await self.session.execute(query)).scalars().all()

    async def lock_settings(
        self, user_id: str, *, default_tz: str, now: datetime
    ) -> PreferenceSettings:
        """The person's settings row, locked; inserted with the defaults first if missing, so
        two first updates at once do not both insert it (the second waits on the lock)."""
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        await self.session.execute(
            insert(PreferenceSettings)
            .values(
                user_id=user_id,
                timezone=default_tz,
                quiet_start=DEFAULT_QUIET[0],
                quiet_end=DEFAULT_QUIET[1],
                digest_hour=DEFAULT_DIGEST_HOUR,
                modified_at=now,
            )
            .on_conflict_do_nothing(index_elements=["user_id"])
        )
        row = await self.session.get(
            PreferenceSettings, user_id, with_for_update=True, populate_existing=True
        )
        assert row is not None  # inserted above or already there
        return row

    async def choose(self, choice: Preference) -> None:
        """Insert or replace one choice (event type, channel)."""
        await self.session.merge(choice)

    async def flush(self) -> None:
        """Write the changes made to the loaded rows."""
        await self.session.flush()
