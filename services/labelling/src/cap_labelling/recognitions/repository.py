"""Every query on recognitions, their history and their number counters."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_labelling.models import NumberSequence, Recognition, RecognitionChange, tombstones
from cap_labelling.repository import readable_rows
from cap_labelling.rules import RecognitionStatus, Scheme
from cap_shared.pagination import newest_first
from cap_shared.sync import Deleted, DeltaSync

#: Newest first (created_at, id descending).
KEYS = newest_first("recognitions", col(Recognition.created_at), col(Recognition.id))
#: Delta sync (``?updated_since=``): a recognition changes with its status, scope or dates.
SYNC = DeltaSync.timestamped("recognitions", "recognition", Recognition)


class RecognitionRepository:
    """Recognitions and their history."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(
        self, recognition_id: str | None, *, for_update: bool = False
    ) -> Recognition | None:
        """One recognition, or None (also for no id)."""
        if recognition_id is None:
            return None
        return await self.session.get(Recognition, recognition_id, with_for_update=for_update)

    async def add(self, row: Recognition | RecognitionChange) -> None:
        """Insert a recognition or a change of its history (flushed with the next change)."""
        self.session.add(row)

    async def flush(self) -> None:
        """Write the pending changes."""
        await self.session.flush()

    async def next_number(self, prefix: str, *, year: int) -> int:
        """The next value of the prefix's counter for the year, in one upsert: the year's
        first number creates the counter row, later ones increment it; either way the row
        stays locked until the transaction ends (gapless: a rollback gives the number back).
        Two decisions granting the year's first recognitions at once both get a number, one
        after the other (a read, then an insert, let the second fail on the primary key)."""
        insert = (
            postgresql.insert(NumberSequence)
            if self.session.get_bind().dialect.name == "postgresql"
            else sqlite.insert(NumberSequence)
        )
        last = col(NumberSequence.last)
        query = (
            insert.values(prefix=prefix, year=year, last=1)
            .on_conflict_do_update(
                index_elements=[col(NumberSequence.prefix), col(NumberSequence.year)],
                set_={"last": last + 1},
            )
            .returning(last)
        )
        return int((await self.session.execute(query)).scalar_one())

    async def history(self, recognition_ids: list[str]) -> list[RecognitionChange]:
        """The changes of recognitions, oldest first, in one query."""
        query = (
            sa.select(RecognitionChange)
            .where(col(RecognitionChange.recognition_id).in_(recognition_ids))
            .order_by(col(RecognitionChange.at), col(RecognitionChange.id))
        )
        return list((await self.session.execute(query)).scalars().all())

    async def current(self, organisation_id: str, *, scheme: Scheme) -> Recognition | None:
        """The organisation's recognition of the scheme still in force or restorable (active,
        suspended or expired), the latest expiring, locked."""
        query = (
            sa.select(Recognition)
            .where(
                col(Recognition.organisation_id) == organisation_id,
                col(Recognition.scheme) == scheme.value,
                col(Recognition.status).in_(
                    [
                        RecognitionStatus.ACTIVE.value,
                        RecognitionStatus.SUSPENDED.value,
                        RecognitionStatus.EXPIRED.value,
                    ]
                ),
            )
            .order_by(col(Recognition.expiry_date).desc())
            .limit(1)
            .with_for_update()
        )
        return (await self.session.execute(query)).scalars().first()

    async def in_force(self) -> list[Recognition]:
        """Active and suspended recognitions, locked, in a stable order."""
        query = (
            sa.select(Recognition)
            .where(
                col(Recognition.status).in_(
                    [RecognitionStatus.ACTIVE.value, RecognitionStatus.SUSPENDED.value]
                )
            )
            .order_by(col(Recognition.id))
            .with_for_update()
        )
        return list((await self.session.execute(query)).scalars().all())

    async def page(
        self,
        *,
        readable: set[str] | None,
        organisation_id: str | None,
        status: str | None,
        scheme: str | None,
        updated_since: datetime | None,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Recognition], list[Deleted], str | None]:
        """A page of the recognitions of the ``readable`` structures (None: all), newest first;
        with ``updated_since``, those changed since (oldest change first) and the deletions."""
        query = readable_rows(
            Recognition, readable, organisation_id=organisation_id, status=status, scheme=scheme
        )
        if updated_since is None:
            rows, next_cursor = await KEYS.fetch(self.session, query, cursor=cursor, limit=limit)
            return rows, [], next_cursor
        ids = None if readable is None else sorted(readable)
        return await SYNC.page(
            self.session,
            query,
            tombstones,
            since=updated_since,
            cursor=cursor,
            limit=limit,
            tombstone_scope=None if ids is None else (lambda organisation: organisation.in_(ids)),
        )
