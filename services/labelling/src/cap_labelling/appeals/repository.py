"""Every query on appeals against decisions."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction
from sqlmodel import col

from cap_labelling.models import DecisionAppeal

#: ``Session.info`` key: the appeals of files read in this transaction (by file id), read
#: again once an appeal is written, or the transaction or a savepoint ends.
_OF_FILE = "cap_labelling_appeals"


def _written(session: Session | AsyncSession) -> bool:
    return any(
        isinstance(row, DecisionAppeal)
        for rows in (session.new, session.dirty, session.deleted)
        for row in rows
    )


def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None or transaction.nested:
        session.info.pop(_OF_FILE, None)


def _forget_written(session: Session, _context: Any) -> None:
    # After a flush, new/dirty/deleted still name what it wrote.
    if _OF_FILE in session.info and _written(session):
        session.info.pop(_OF_FILE, None)


event.listen(Session, "after_flush", _forget_written)
event.listen(Session, "after_transaction_end", _forget)


class AppealRepository:
    """The appeals of decision files, one per round."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, appeal: DecisionAppeal) -> None:
        """Insert an appeal."""
        self.session.add(appeal)
        await self.session.flush()

    async def flush(self) -> None:
        """Write the pending changes."""
        await self.session.flush()

    async def of_file(self, file_id: str) -> list[DecisionAppeal]:
        """A file's appeals, by round (read once per transaction until an appeal is written:
        the If-Match check and the answer of a decision read them once)."""
        known = self.session.info.get(_OF_FILE, {}).get(file_id)
        if known is not None and not _written(self.session):
            return list(known)
        query = (
            sa.select(DecisionAppeal)
            .where(col(DecisionAppeal.decision_id) == file_id)
            .order_by(col(DecisionAppeal.round))
        )
        found = list((await self.session.execute(query)).scalars().all())
        # The query's autoflush may have ended a memo; this one holds from here.
        self.session.info.setdefault(_OF_FILE, {})[file_id] = found
        return list(found)

    async def of_round(self, file_id: str, *, round_: int) -> DecisionAppeal | None:
        """The appeal of a file's round, locked, if any."""
        query = (
            sa.select(DecisionAppeal)
            .where(
                col(DecisionAppeal.decision_id) == file_id,
                col(DecisionAppeal.round) == round_,
            )
            .with_for_update()
        )
        return (await self.session.execute(query)).scalars().first()
