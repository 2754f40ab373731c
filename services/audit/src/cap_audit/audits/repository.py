"""Every query of audits: the audits, their teams, and who sees which."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.util import identity_key
from sqlmodel import col

from cap_audit.models import Assignment, Audit, Auditor, Organisation, tombstones
from cap_shared.db.memo import TransactionMemo
from cap_shared.pagination import Keyset, key
from cap_shared.sync import Deleted, DeltaSync

#: The list's stable order (keyset; the last key is unique).
AUDIT_KEYS = Keyset(
    "audits",
    key(col(Audit.requested_at), datetime, descending=True),
    key(col(Audit.id), str, descending=True),
)
#: Delta sync (``?updated_since=``): a row changes when any of its fields does.
AUDIT_SYNC = DeltaSync.timestamped("audits", "audit", Audit)


@dataclass(frozen=True)
class Reach:
    """The rows a caller sees: of these structures, of these bodies (a body's system: not None)
    and these audits (an auditor: those assigned to them, not None)."""

    organisation_ids: Sequence[str]
    body_ids: Sequence[str] | None = None
    audit_ids: Sequence[str] | None = None


def reach_filter(reach: Reach | None, *, organisation: Any, body: Any, audit: Any = None) -> Any:
    """The SQL condition a row within ``reach`` meets (None: every row)."""
    if reach is None:
        return None
    seen = [organisation.in_(sorted(reach.organisation_ids))]
    if reach.body_ids is not None:
        seen.append(body.in_(sorted(reach.body_ids)))
    if reach.audit_ids is not None and audit is not None:
        seen.append(audit.in_(sorted(set(reach.audit_ids))))
    return sa.or_(*seen)


def tombstone_filter(organisation_ids: Sequence[str] | None) -> Any:
    """Which deletions a delta sync tells: of these structures (None: all)."""
    if organisation_ids is None:
        return None
    ids = sorted(organisation_ids)
    return lambda organisation: organisation.in_(ids)


#: The teams read in the session's transaction, by audit id (access checks, the rules and the
#: audit's answer each need its team: one query per request), read again once an assignment or
#: an auditor is written.
_TEAMS: TransactionMemo[str, list[tuple[Assignment, Auditor]]] = TransactionMemo(
    "cap_audit_teams", written_by=(Assignment, Auditor)
)


#: The structures' names read in the session's transaction, by the ids asked for together
#: (an audit's answer, read before its trail's entry, then given), read again once a
#: structure is written.
_NAMES: TransactionMemo[tuple[str, ...], dict[str, str]] = TransactionMemo(
    "cap_audit_organisation_names", written_by=(Organisation,)
)


class AuditRepository:
    """Audits, their teams, and the structures a caller reads."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, row: Any) -> None:
        """Insert or update an audit (or one of its assignments) now."""
        self.session.add(row)
        await self.session.flush()

    async def get(self, audit_id: str, *, for_update: bool = False) -> Audit | None:
        """One audit, or None; ``for_update`` locks it until the transaction ends."""
        if for_update:
            return await self.session.get(Audit, audit_id, with_for_update=True)
        return await self.session.get(Audit, audit_id)

    async def of_programme(self, programme_id: str) -> Sequence[Audit]:
        """The programme's audits, oldest request first."""
        query = (
            sa.select(Audit)
            .where(col(Audit.programme_id) == programme_id)
            .order_by(col(Audit.requested_at))
        )
        return (await self.session.execute(query)).scalars().all()

    async def by_ids(self, audit_ids: Sequence[str]) -> dict[str, Audit]:
        """These audits, by id (those the session holds fully loaded are not read again)."""
        found: dict[str, Audit] = {}
        for audit_id in set(audit_ids):
            held = self.session.identity_map.get(identity_key(Audit, audit_id))
            if isinstance(held, Audit) and not sa.inspect(held).unloaded:
                found[audit_id] = held
        missing = sorted(set(audit_ids) - found.keys())
        if missing:
            query = sa.select(Audit).where(col(Audit.id).in_(missing))
            found.update({a.id: a for a in (await self.session.execute(query)).scalars().all()})
        return found

    async def organisation_names(self, organisation_ids: Sequence[str]) -> dict[str, str]:
        """The names of these structures (those the read model knows), by id (read once per
        transaction until a structure is written)."""
        ids = tuple(sorted(set(organisation_ids)))
        known = _NAMES.get(self.session, ids)
        if known is not None:
            return dict(known)
        query = sa.select(col(Organisation.id), col(Organisation.name)).where(
            col(Organisation.id).in_(ids)
        )
        names = {str(i): str(n) for i, n in (await self.session.execute(query)).all()}
        _NAMES.put(self.session, ids, names)
        return dict(names)

    async def visible_organisation_ids(
        self, organisation_ids: Sequence[str], regions: Sequence[str]
    ) -> Sequence[str]:
        """Organisations among ``organisation_ids`` or in ``regions``."""
        if not organisation_ids and not regions:
            return []
        query = sa.select(col(Organisation.id)).where(
            sa.or_(
                col(Organisation.id).in_(organisation_ids),
                col(Organisation.region).in_(regions),
            )
        )
        return (await self.session.execute(query)).scalars().all()

    async def team(self, audit_id: str) -> Sequence[tuple[Assignment, Auditor]]:
        """The audit's assignments with their auditors, the lead first, then by name (read
        once per transaction until something is written)."""
        known = _TEAMS.get(self.session, audit_id)
        if known is not None:
            return list(known)
        query = (
            sa.select(Assignment, Auditor)
            .join(Auditor, col(Auditor.id) == col(Assignment.auditor_id))
            .where(col(Assignment.audit_id) == audit_id)
            .order_by(col(Assignment.role) != "lead", col(Auditor.name))
        )
        team = [(a, b) for a, b in (await self.session.execute(query)).all()]
        _TEAMS.put(self.session, audit_id, team)
        return list(team)

    async def clear_team(self, audit_id: str) -> None:
        """Remove the audit's assignments (before a new plan's)."""
        _TEAMS.forget(self.session)
        await self.session.execute(
            sa.delete(Assignment).where(col(Assignment.audit_id) == audit_id)
        )

    async def audits_assigned_to(self, user_id: str) -> list[str]:
        """The audits whose team holds an auditor of this platform account."""
        query = (
            sa.select(col(Assignment.audit_id))
            .join(Auditor, col(Auditor.id) == col(Assignment.auditor_id))
            .where(col(Auditor.user_id) == user_id)
        )
        return list((await self.session.execute(query)).scalars().all())

    async def reported_audits(self, types: Sequence[str]) -> Sequence[Audit]:
        """Audits of ``types`` whose report is submitted and for which no new stage 2 was
        called yet (the daily new-stage-2 check)."""
        query = sa.select(Audit).where(
            col(Audit.type).in_(types),
            col(Audit.status).in_(["report_submitted", "closed"]),
            col(Audit.stage2_required_on).is_(None),
        )
        return (await self.session.execute(query)).scalars().all()

    async def page(
        self,
        reach: Reach | None,
        *,
        status: str | None,
        programme_id: str | None,
        organisation_id: str | None,
        updated_since: datetime | None,
        tombstone_organisation_ids: Sequence[str] | None,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Audit], list[Deleted], str | None]:
        """A page of the audits within ``reach``, newest request first; with
        ``updated_since``, those changed since, oldest change first, and the deletions of
        ``tombstone_organisation_ids`` (None: all)."""
        query = sa.select(Audit)
        seen = reach_filter(
            reach,
            organisation=col(Audit.organisation_id),
            body=col(Audit.certification_body_id),
            audit=col(Audit.id),
        )
        if seen is not None:
            query = query.where(seen)
        if status:
            query = query.where(col(Audit.status) == status)
        if programme_id:
            query = query.where(col(Audit.programme_id) == programme_id)
        if organisation_id:
            query = query.where(col(Audit.organisation_id) == organisation_id)
        if updated_since is None:
            rows, next_cursor = await AUDIT_KEYS.fetch(
                self.session, query, cursor=cursor, limit=limit
            )
            return rows, [], next_cursor
        return await AUDIT_SYNC.page(
            self.session,
            query,
            tombstones,
            since=updated_since,
            cursor=cursor,
            limit=limit,
            tombstone_scope=tombstone_filter(tombstone_organisation_ids),
        )
