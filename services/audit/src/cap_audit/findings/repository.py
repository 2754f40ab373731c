"""Every query of findings: an audit's, those its report escalated, those due."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_audit.audits.repository import tombstone_filter
from cap_audit.models import Audit, Finding, tombstones
from cap_shared.db.memo import TransactionMemo
from cap_shared.pagination import Keyset, key
from cap_shared.sync import Deleted, DeltaSync

#: The list's stable order (keyset; the last key is unique).
FINDING_KEYS = Keyset(
    "findings",
    key(col(Finding.created_at), datetime),
    key(col(Finding.id), str),
)
#: Delta sync (``?updated_since=``): a row changes when any of its fields does.
FINDING_SYNC = DeltaSync.timestamped("findings", "finding", Finding)


def _deciding(audit_id: str) -> sa.Select[Finding]:
    """The audit's findings and those its report escalated (from earlier audits)."""
    return sa.select(Finding).where(
        sa.or_(
            col(Finding.audit_id) == audit_id,
            col(Finding.escalated_by_audit_id) == audit_id,
        )
    )


#: The deciding findings of audits read in this transaction (by audit id), read again once a
#: finding is written.
_DECIDING: TransactionMemo[str, list[Finding]] = TransactionMemo(
    "cap_audit_deciding_findings", written_by=(Finding,)
)


class FindingRepository:
    """Findings of audits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, finding: Finding) -> None:
        """Insert or update a finding now."""
        self.session.add(finding)
        await self.session.flush()

    async def flush(self) -> None:
        """Send the changes made to loaded findings."""
        await self.session.flush()

    async def get(self, finding_id: str, *, for_update: bool = False) -> Finding | None:
        """One finding, or None; ``for_update`` locks it until the transaction ends."""
        if for_update:
            return await self.session.get(Finding, finding_id, with_for_update=True)
        return await self.session.get(Finding, finding_id)

    async def of_audit(self, audit_id: str) -> Sequence[Finding]:
        """The findings recorded at the audit."""
        query = sa.select(Finding).where(col(Finding.audit_id) == audit_id)
        return (await self.session.execute(query)).scalars().all()

    async def deciding_findings(self, audit_id: str) -> Sequence[Finding]:
        """The audit's findings and those its report escalated (from earlier audits): read
        once per transaction until a finding is written (the If-Match check, the rule and the
        answer of one request read them once)."""
        known = _DECIDING.get(self.session, audit_id)
        if known is not None:
            return list(known)
        query = _deciding(audit_id).order_by(col(Finding.created_at))
        found = list((await self.session.execute(query)).scalars().all())
        _DECIDING.put(self.session, audit_id, found)
        return list(found)

    async def page(
        self,
        audit: Audit,
        *,
        type_: str | None,
        updated_since: datetime | None,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Finding], list[Deleted], str | None]:
        """A page of the findings that count for ``audit``, oldest first; with
        ``updated_since``, those changed since, oldest change first, and the deletions of the
        audit's structure."""
        query = _deciding(audit.id)
        if type_:
            query = query.where(col(Finding.type) == type_)
        if updated_since is None:
            rows, next_cursor = await FINDING_KEYS.fetch(
                self.session, query, cursor=cursor, limit=limit
            )
            return rows, [], next_cursor
        return await FINDING_SYNC.page(
            self.session,
            query,
            tombstones,
            since=updated_since,
            cursor=cursor,
            limit=limit,
            tombstone_scope=tombstone_filter([audit.organisation_id]),
        )

    async def earlier_findings(self, programme_id: str, audit_id: str) -> Sequence[Finding]:
        """Findings of the programme's other audits whose report was submitted (locked)."""
        query = (
            sa.select(Finding)
            .join(Audit, col(Audit.id) == col(Finding.audit_id))
            .where(
                col(Audit.programme_id) == programme_id,
                col(Audit.id) != audit_id,
                col(Audit.report_submitted_at).is_not(None),
            )
            .order_by(col(Finding.created_at))
            .with_for_update(of=Finding)
        )
        return (await self.session.execute(query)).scalars().all()

    async def answered_majors(self, statuses: Sequence[str], until: date) -> Sequence[Finding]:
        """Majors in ``statuses`` whose verification deadline is before ``until``."""
        query = sa.select(Finding).where(
            col(Finding.type) == "major_nc",
            col(Finding.status).in_(statuses),
            col(Finding.verification_due) < until,
        )
        return (await self.session.execute(query)).scalars().all()

    async def findings_due(self, statuses: Sequence[str], until: date) -> Sequence[Finding]:
        """Findings in ``statuses`` whose answer is due by ``until``."""
        query = sa.select(Finding).where(
            col(Finding.status).in_(statuses), col(Finding.response_due) <= until
        )
        return (await self.session.execute(query)).scalars().all()
