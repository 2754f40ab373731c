"""Every query on appeals against decisions."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_labelling.models import DecisionAppeal
from cap_shared.db.memo import TransactionMemo

#: The appeals of files read in this transaction (by file id), read again once an appeal is
#: written.
_OF_FILE: TransactionMemo[str, list[DecisionAppeal]] = TransactionMemo(
    "cap_labelling_appeals", written_by=(DecisionAppeal,)
)


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
        return (await self.of_files([file_id]))[file_id]

    async def of_files(self, file_ids: Iterable[str]) -> dict[str, list[DecisionAppeal]]:
        """:meth:`of_file` for each of ``file_ids`` (an empty list included): those not read in
        this transaction yet in one query (a page of files)."""
        wanted = list(dict.fromkeys(file_ids))
        known = _OF_FILE.known(self.session)
        found = {f: list(known[f]) for f in wanted if f in known}
        missing = sorted(set(wanted) - found.keys())
        if missing:
            query = (
                sa.select(DecisionAppeal)
                .where(col(DecisionAppeal.decision_id).in_(missing))
                .order_by(col(DecisionAppeal.decision_id), col(DecisionAppeal.round))
            )
            read: dict[str, list[DecisionAppeal]] = {f: [] for f in missing}
            for appeal in (await self.session.execute(query)).scalars():
                read[appeal.decision_id].append(appeal)
            for file_id, appeals in read.items():
                _OF_FILE.put(self.session, file_id, appeals)
                found[file_id] = list(appeals)
        return found

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
