"""A service's chain in its database: reading it, verifying it, anchoring and purging it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from cap_shared.audit.anchors import AnchorFile
from cap_shared.audit.log import AuditEntry, chain_head, lock_chain, record_change
from cap_shared.audit.verify import (
    PURGE_ACTION,
    PURGE_RECORD_TYPE,
    Anchor,
    Verification,
    chain_id_of,
    verify_chain,
)
from cap_shared.clock import wall_now
from cap_shared.pagination import Keyset, key

#: Entries read per query while verifying.
_BATCH = 5000


async def read_entries(session: AsyncSession, table: sa.Table) -> list[AuditEntry]:
    """Every entry of the log, by ``seq`` (read in batches)."""
    entries: list[AuditEntry] = []
    after = 0
    while True:
        rows = (
            await session.execute(
                sa.select(table).where(table.c.seq > after).order_by(table.c.seq).limit(_BATCH)
            )
        ).all()
        entries.extend(AuditEntry.of(r) for r in rows)
        if len(rows) < _BATCH:
            return entries
        after = entries[-1].seq


@dataclass(frozen=True)
class ChainReport:
    """A verification and where its anchors came from."""

    service: str
    verification: Verification
    anchor_file: str
    unreadable_anchors: int


async def verify_log(
    session: AsyncSession, table: sa.Table, *, service: str, anchor_dir: str
) -> ChainReport:
    """Verify the service's chain against the anchors in ``anchor_dir``."""
    entries = await read_entries(session, table)
    store = AnchorFile.of(anchor_dir, service)
    anchors, unreadable = await store.read()
    return ChainReport(
        service=service,
        verification=verify_chain(entries, anchors),
        anchor_file=str(store.path),
        unreadable_anchors=unreadable,
    )


async def chain_id(session: AsyncSession, table: sa.Table) -> str | None:
    """The chain's identity: its first entry's hash, or the latest purge checkpoint's."""
    first = (await session.execute(sa.select(table).where(table.c.seq == 1))).first()
    if first is not None:
        return str(first._mapping["hash"])
    purge = (
        await session.execute(
            sa.select(table)
            .where(table.c.action == PURGE_ACTION, table.c.record_type == PURGE_RECORD_TYPE)
            .order_by(table.c.seq.desc())
            .limit(1)
        )
    ).first()
    return chain_id_of([AuditEntry.of(purge)]) if purge is not None else None


async def anchor_head(session: AsyncSession, table: sa.Table, store: AnchorFile) -> Anchor | None:
    """Write the chain's head to ``store`` (None, nothing written, when the log is empty or
    its head is already the latest anchor)."""
    seq, head = await chain_head(session, table)
    if seq == 0:
        return None
    chain = await chain_id(session, table)
    if chain is None:
        return None
    anchors, _ = await store.read()
    own = [a for a in anchors if a.chain == chain]
    if own and max(own, key=lambda a: a.seq).seq == seq:
        return None
    # Real time: when the head was seen, whatever the service's clock says.
    anchor = Anchor(chain=chain, seq=seq, hash=head, anchored_at=wall_now().isoformat())
    await store.append(anchor)
    return anchor


async def purge_before(session: AsyncSession, table: sa.Table, cutoff: datetime) -> int:
    """Delete the oldest entries, those before ``cutoff`` (a contiguous prefix of the chain),
    after appending a checkpoint entry (``audit_log.purged``: the chain's identity, the last
    seq purged and its hash) so that the chain still verifies from the first entry kept. How
    many were deleted."""
    await lock_chain(session, table)
    last_old = (
        await session.execute(
            sa.select(sa.func.max(table.c.seq)).where(table.c.occurred_at < cutoff)
        )
    ).scalar()
    if last_old is None:
        return 0
    through = (
        await session.execute(sa.select(table.c.hash).where(table.c.seq == last_old))
    ).scalar()
    chain = await chain_id(session, table)
    if through is None or chain is None:
        return 0
    await record_change(
        session,
        table,
        action=PURGE_ACTION,
        record_type=PURGE_RECORD_TYPE,
        record_id=str(last_old),
        after={
            "chain": chain,
            "through_seq": int(last_old),
            "through_hash": str(through),
            "cutoff": cutoff,
        },
    )
    result = await session.execute(sa.delete(table).where(table.c.seq <= last_old))
    return int(getattr(result, "rowcount", 0) or 0)


def retention_cutoff(now: datetime, days: int) -> datetime:
    """The instant before which entries are purged."""
    return now - timedelta(days=days)


async def list_entries(
    session: AsyncSession,
    table: sa.Table,
    *,
    service: str,
    limit: int,
    cursor: str | None,
    record_type: str | None = None,
    record_id: str | None = None,
    action: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[list[AuditEntry], str | None]:
    """A page of the log, newest first, filtered (``since`` inclusive, ``until`` exclusive)."""
    query = sa.select(table)
    for column, value in (
        (table.c.record_type, record_type),
        (table.c.record_id, record_id),
        (table.c.action, action),
        (table.c.actor, actor),
    ):
        if value is not None:
            query = query.where(column == value)
    if since is not None:
        query = query.where(table.c.occurred_at >= since)
    if until is not None:
        query = query.where(table.c.occurred_at < until)
    keyset = Keyset(f"{service}.audit-log", key(table.c.seq, int, descending=True))
    rows, next_cursor = await keyset.fetch(
        session, query, cursor=cursor, limit=limit, scalars=False
    )
    return [AuditEntry.of(r) for r in rows], next_cursor
