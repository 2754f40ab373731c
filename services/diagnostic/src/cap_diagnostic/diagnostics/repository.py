"""Queries on diagnostics, their answers and their scores."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_diagnostic.models import (
    Answer,
    Diagnostic,
    GroupScoreRow,
    Organisation,
    ReferentialVersion,
    tombstones,
)
from cap_diagnostic.organisations.repository import in_scope
from cap_shared import clock
from cap_shared.pagination import Keyset, key, newest_first
from cap_shared.sync import Deleted, DeltaSync, record_deletion

#: The list's stable order (its name is bound into its cursors) and its delta sync.
DIAGNOSTICS = newest_first("diagnostic.diagnostics", col(Diagnostic.created_at), col(Diagnostic.id))
DIAGNOSTICS_SYNC = DeltaSync.timestamped("diagnostic.diagnostics", "diagnostic", Diagnostic)


def answers_keyset(diagnostic_id: str) -> Keyset:
    """A diagnostic's answers by criterion (cursors bound to that diagnostic's list)."""
    return Keyset(
        f"diagnostic.answers:{diagnostic_id}",
        key(col(Answer.criterion_urn), str),
        key(col(Answer.id), str),
    )


def answers_sync(diagnostic_id: str) -> DeltaSync:
    """A diagnostic's answers changed or deleted (tombstones of resource ``answer:<id>``)."""
    return DeltaSync.timestamped(
        f"diagnostic.answers:{diagnostic_id}", f"answer:{diagnostic_id}", Answer
    )


class DiagnosticRepository:
    """Diagnostics, their answers and their scores."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, diagnostic_id: str, *, for_update: bool = False) -> Diagnostic | None:
        """One diagnostic, or None; ``for_update`` locks it until the transaction ends."""
        if for_update:
            query = (
                sa.select(Diagnostic).where(col(Diagnostic.id) == diagnostic_id).with_for_update()
            )
            return (await self.session.execute(query)).scalar_one_or_none()
        return await self.session.get(Diagnostic, diagnostic_id)

    async def get_with_organisation(
        self, diagnostic_id: str, *, for_update: bool = False
    ) -> tuple[Diagnostic, Organisation] | None:
        """One diagnostic and its organisation (the read model's), in one query; None when
        either is missing. ``for_update`` locks the diagnostic (not the organisation)."""
        query = (
            sa.select(Diagnostic, Organisation)
            .join(Organisation, col(Organisation.id) == col(Diagnostic.organisation_id))
            .where(col(Diagnostic.id) == diagnostic_id)
        )
        if for_update:
            query = query.with_for_update(of=Diagnostic)
        row = (await self.session.execute(query)).first()
        return None if row is None else (row[0], row[1])

    async def add(self, diagnostic: Diagnostic) -> None:
        """Insert a new diagnostic."""
        self.session.add(diagnostic)
        await self.session.flush()

    async def bump(self, diagnostic: Diagnostic, expected: int | None) -> bool:
        """Increment the revision, only from ``expected`` when given (compare-and-swap)."""
        query = sa.update(Diagnostic).where(col(Diagnostic.id) == diagnostic.id)
        if expected is not None:
            query = query.where(col(Diagnostic.revision) == expected)
        query = query.values(
            revision=col(Diagnostic.revision) + 1, modified_at=clock.now()
        ).returning(col(Diagnostic.revision))
        revision = (await self.session.execute(query)).scalar_one_or_none()
        if revision is None:
            return False
        diagnostic.revision = revision
        return True

    def _listed(
        self,
        *,
        organisation_ids: Sequence[str] | None,
        regions: Sequence[str] | None,
        organisation_id: str | None,
        status: str | None,
    ) -> sa.Select[Any]:
        query = sa.select(Diagnostic)
        scope = in_scope(
            col(Diagnostic.organisation_id), organisation_ids=organisation_ids, regions=regions
        )
        if scope is not None:
            query = query.where(scope)
        if organisation_id:
            query = query.where(col(Diagnostic.organisation_id) == organisation_id)
        if status:
            query = query.where(col(Diagnostic.status) == status)
        return query

    async def page(
        self,
        *,
        organisation_ids: Sequence[str] | None,
        regions: Sequence[str] | None,
        organisation_id: str | None,
        status: str | None,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Diagnostic], str | None]:
        """A page of the diagnostics visible in a scope (None: everything), newest first."""
        query = self._listed(
            organisation_ids=organisation_ids,
            regions=regions,
            organisation_id=organisation_id,
            status=status,
        )
        return await DIAGNOSTICS.fetch(self.session, query, cursor=cursor, limit=limit)

    async def changes(
        self,
        *,
        organisation_ids: Sequence[str] | None,
        regions: Sequence[str] | None,
        organisation_id: str | None,
        status: str | None,
        since: datetime,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Diagnostic], list[Deleted], str | None]:
        """Diagnostics of the scope changed or deleted since ``since``, oldest change first."""
        query = self._listed(
            organisation_ids=organisation_ids,
            regions=regions,
            organisation_id=organisation_id,
            status=status,
        )

        def scope(column: Any) -> sa.ColumnElement[bool]:
            term = in_scope(column, organisation_ids=organisation_ids, regions=regions)
            if organisation_id:
                own = column == organisation_id
                term = own if term is None else sa.and_(term, own)
            return sa.true() if term is None else term

        return await DIAGNOSTICS_SYNC.page(
            self.session,
            query,
            tombstones,
            since=since,
            cursor=cursor,
            limit=limit,
            tombstone_scope=scope,
        )

    async def latest_completed(
        self,
        organisation_id: str,
        *,
        exclude: str | None = None,
        excluding_kinds: Sequence[str] = (),
    ) -> Sequence[Diagnostic]:
        """Completed diagnostics of an organisation, most recent completion first."""
        query = sa.select(Diagnostic).where(
            col(Diagnostic.organisation_id) == organisation_id,
            col(Diagnostic.completed_at).is_not(None),
        )
        if exclude:
            query = query.where(col(Diagnostic.id) != exclude)
        if excluding_kinds:
            query = query.where(col(Diagnostic.kind).not_in(excluding_kinds))
        query = query.order_by(col(Diagnostic.completed_at).desc())
        return (await self.session.execute(query)).scalars().all()

    async def latest_assessment(
        self, organisation_id: str, referential_code: str, *, excluding_kinds: Sequence[str]
    ) -> Diagnostic | None:
        """The organisation's most recently completed diagnostic on a referential (any version),
        leaving out some kinds."""
        query = (
            sa.select(Diagnostic)
            .join(ReferentialVersion, col(ReferentialVersion.id) == col(Diagnostic.referential_id))
            .where(
                col(Diagnostic.organisation_id) == organisation_id,
                col(Diagnostic.completed_at).is_not(None),
                col(ReferentialVersion.code) == referential_code,
                col(Diagnostic.kind).not_in(excluding_kinds),
            )
            .order_by(col(Diagnostic.completed_at).desc())
            .limit(1)
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def by_audit(self, audit_id: str) -> Sequence[Diagnostic]:
        """The audit evaluations recorded from an audit's report (one per audited site)."""
        query = sa.select(Diagnostic).where(col(Diagnostic.audit_id) == audit_id)
        return (await self.session.execute(query)).scalars().all()

    async def latest_of(self, organisation_ids: Sequence[str]) -> Diagnostic | None:
        """The most recently created diagnostic of these organisations."""
        query = (
            sa.select(Diagnostic)
            .where(col(Diagnostic.organisation_id).in_(organisation_ids))
            .order_by(col(Diagnostic.created_at).desc())
            .limit(1)
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def answers_page(
        self, diagnostic_id: str, *, cursor: str | None, limit: int
    ) -> tuple[list[Answer], str | None]:
        """A page of a diagnostic's answers by criterion URN."""
        query = sa.select(Answer).where(col(Answer.diagnostic_id) == diagnostic_id)
        return await answers_keyset(diagnostic_id).fetch(
            self.session, query, cursor=cursor, limit=limit
        )

    async def answer_changes(
        self, diagnostic_id: str, *, since: datetime, cursor: str | None, limit: int
    ) -> tuple[list[Answer], list[Deleted], str | None]:
        """A diagnostic's answers changed or deleted since ``since``, oldest change first."""
        query = sa.select(Answer).where(col(Answer.diagnostic_id) == diagnostic_id)
        return await answers_sync(diagnostic_id).page(
            self.session, query, tombstones, since=since, cursor=cursor, limit=limit
        )

    async def answers(self, diagnostic_id: str) -> Sequence[Answer]:
        """Every answer of a diagnostic, by criterion URN."""
        query = (
            sa.select(Answer)
            .where(col(Answer.diagnostic_id) == diagnostic_id)
            .order_by(col(Answer.criterion_urn))
        )
        return (await self.session.execute(query)).scalars().all()

    async def progress_counts(self, diagnostic_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        """(rated, not applicable) answers per diagnostic, in one query."""
        if not diagnostic_ids:
            return {}
        query = (
            sa.select(
                col(Answer.diagnostic_id),
                sa.func.count(col(Answer.level)),
                sa.func.count().filter(col(Answer.not_applicable).is_(True)),
            )
            .where(col(Answer.diagnostic_id).in_(diagnostic_ids))
            .group_by(col(Answer.diagnostic_id))
        )
        return {r[0]: (int(r[1]), int(r[2])) for r in (await self.session.execute(query)).all()}

    async def answers_by_ids(self, ids: Sequence[str]) -> Sequence[Answer]:
        """The answers with these ids, whichever diagnostic they belong to."""
        query = sa.select(Answer).where(col(Answer.id).in_(ids))
        return (await self.session.execute(query)).scalars().all()

    async def add_answer(self, answer: Answer) -> None:
        """Insert an answer (sent with the next flush)."""
        self.session.add(answer)

    async def delete_answers(
        self, diagnostic: Diagnostic, answers: Sequence[Answer], *, at: datetime
    ) -> None:
        """Delete answers of ``diagnostic`` and leave their tombstones (for synced clients)."""
        ids = [a.id for a in answers]
        await self.session.execute(
            sa.delete(Answer).where(
                col(Answer.diagnostic_id) == diagnostic.id, col(Answer.id).in_(ids)
            )
        )
        await record_deletion(
            self.session,
            tombstones,
            resource=f"answer:{diagnostic.id}",
            ids=ids,
            organisation_id=diagnostic.organisation_id,
            at=at,
        )

    async def replace_scores(
        self, diagnostic_id: str, rows: Sequence[GroupScoreRow], *, replace: bool = True
    ) -> None:
        """Replace a diagnostic's scores per group (``replace=False``: it has none yet, they are
        only added)."""
        if replace:
            await self.session.execute(
                sa.delete(GroupScoreRow).where(col(GroupScoreRow.diagnostic_id) == diagnostic_id)
            )
        self.session.add_all(rows)

    async def flush(self) -> None:
        """Send the pending changes of loaded rows."""
        await self.session.flush()
