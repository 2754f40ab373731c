"""Delta sync of the lists mobile apps cache: ``?updated_since=`` answers what changed and what
was deleted since a moment (docs/api/lists.md).

A synced list pages one stream ordered by change time: the items changed at or after
``updated_since`` (their change time: an ``updated_at``-like column) and the tombstones of the
items deleted at or after it, merged by ``(time, id, kind)`` (a change sorts before a deletion
of the same id at the same instant). A page holds at most ``limit`` entries of both kinds
together, ``data`` the changed items and ``deleted`` the ``{"id", "deleted_at"}`` of the
deleted ones, and ``next_cursor`` the position of its last entry; the cursor is bound to the
synced list (``<list>:sync``), so it never pages the plain list, nor the other way round.
Clients apply entries in order; an item changed again while a client pages reappears later in
the stream, never in two places of one walk. The client keeps, as its next ``updated_since``,
the largest change time it saw (changes are sent "at or after": the boundary comes again,
harmlessly; a transaction that commits late with an earlier time is why the documentation
advises a small overlap).

Deletions are kept in the service's ``tombstone`` table (:func:`tombstone_table`, declared in
its models like the outbox), written by :func:`record_deletion` in the transaction that deletes
the row, with the row's organisation: the table falls under the same row-level security as the
rows it remembers (its ``organisation_id``), and a synced list filters its tombstones with the
caller's scope as it filters the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

import sqlalchemy as sa
from fastapi import Query
from pydantic import AwareDatetime, BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from cap_shared.db.types import AwareDateTime
from cap_shared.pagination import Keyset, Page, SortKey

T = TypeVar("T")

TOMBSTONE_TABLE = "tombstone"

#: ``?updated_since=``: an RFC 3339 date-time with its offset (a naive one: 422).
UpdatedSince = Annotated[
    AwareDatetime | None,
    Query(
        description="Delta sync: only the items changed at or after this RFC 3339 date-time "
        "(with its offset, e.g. 2026-12-06T10:00:00Z), oldest change first, and in `deleted` "
        "the items deleted since; keep paging with `next_cursor` and the same value",
    ),
]


class Deleted(BaseModel):
    """A tombstone: an item of the list deleted at ``deleted_at``."""

    id: str
    deleted_at: datetime


class SyncPage(Page[T], Generic[T]):
    """A page of a list that supports delta sync; ``deleted`` is empty without
    ``updated_since``."""

    deleted: list[Deleted] = []


def tombstone_table(metadata: sa.MetaData) -> sa.Table:
    """Define ``tombstone`` in ``metadata`` (once per service, in models.py)."""
    return sa.Table(
        TOMBSTONE_TABLE,
        metadata,
        sa.Column("resource", sa.String(64), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        # Under the organisation row-level security policy like the row it remembers.
        sa.Column("organisation_id", sa.String(36), nullable=True),
        sa.Column("deleted_at", AwareDateTime(), nullable=False),
        sa.Index("ix_tombstone_resource_deleted_at", "resource", "deleted_at", "id"),
    )


async def record_deletion(
    session: AsyncSession,
    table: sa.Table,
    *,
    resource: str,
    ids: Sequence[str],
    organisation_id: str | None,
    at: datetime,
) -> None:
    """Remember that the ``resource`` rows ``ids`` were deleted at ``at`` (in the deleting
    transaction; a deletion recorded again moves to its latest time)."""
    if not ids:
        return
    await session.execute(
        sa.delete(table).where(table.c.resource == resource, table.c.id.in_(list(ids)))
    )
    await session.execute(
        sa.insert(table),
        [
            {"resource": resource, "id": i, "organisation_id": organisation_id, "deleted_at": at}
            for i in ids
        ],
    )


async def forget_deletion(
    session: AsyncSession, table: sa.Table, *, resource: str, ids: Sequence[str]
) -> None:
    """Drop the tombstones of ``ids`` (rows created again under the same id)."""
    if ids:
        await session.execute(
            sa.delete(table).where(table.c.resource == resource, table.c.id.in_(list(ids)))
        )


_CHANGE, _DELETION = 0, 1


@dataclass(frozen=True)
class DeltaSync:
    """The synced form of a list: its name, the tombstones' ``resource``, and its rows' change
    time (a column or an expression such as ``coalesce(modified_at, created_at)``) and id."""

    list_name: str
    resource: str
    changed_at: Any
    id: Any
    #: Reads an item's change time (default: the attribute named like ``changed_at``).
    changed_at_of: Callable[[Any], datetime] | None = None

    @classmethod
    def timestamped(cls, list_name: str, resource: str, model: Any) -> DeltaSync:
        """The synced form of a list of ``model`` rows with the timestamp mixin
        (:class:`cap_shared.db.base.TimestampMixin`): a row changes at ``modified_at``, else at
        ``created_at``."""
        return cls(
            list_name=list_name,
            resource=resource,
            changed_at=sa.func.coalesce(model.modified_at, model.created_at),
            id=model.id,
            changed_at_of=lambda row: row.modified_at or row.created_at,
        )

    @property
    def keyset(self) -> Keyset:
        """The stream's order; its cursors are bound to ``<list_name>:sync``."""
        return Keyset(
            f"{self.list_name}:sync",
            SortKey(datetime, value=lambda e: e.at),
            SortKey(str, value=lambda e: e.id),
            SortKey(int, value=lambda e: e.kind),
        )

    async def page(
        self,
        session: AsyncSession,
        changes: sa.Select[Any],
        tombstones: sa.Table | None,
        *,
        since: datetime,
        cursor: str | None,
        limit: int,
        tombstone_scope: Callable[[sa.Column[Any]], sa.ColumnElement[bool]] | None = None,
        scalars: bool = True,
    ) -> tuple[list[Any], list[Deleted], str | None]:
        """The changed rows (``changes``: a select of the list's ORM rows with the caller's
        scope and the list's filters), the tombstones (scoped by ``tombstone_scope`` on their
        ``organisation_id``; ``tombstones`` None: a list whose rows are never deleted) and the
        next cursor of the stream after ``cursor``; rows are ORM objects when ``scalars``,
        result rows otherwise."""
        keyset = self.keyset
        position = keyset.decode(cursor)
        at, id_ = self.changed_at, self.id
        changed = changes.where(at >= since)
        if position is not None:
            p_at, p_id, _kind = position
            p_at_bound = sa.bindparam(None, p_at, type_=AwareDateTime())
            # A change (kind 0) after the position: strictly after (time, id).
            changed = changed.where(sa.tuple_(at, id_) > sa.tuple_(p_at_bound, p_id))
        changed = changed.order_by(at.asc(), id_.asc()).limit(limit + 1)
        result = await session.execute(changed)
        rows: Sequence[Any] = result.scalars().all() if scalars else result.all()
        entries = [_Entry(self._time(r), r.id, _CHANGE, r) for r in rows]
        if tombstones is not None:
            gone = await self._tombstones(
                session, tombstones, since, position, limit, tombstone_scope
            )
            entries += [
                _Entry(t.deleted_at, t.id, _DELETION, Deleted(id=t.id, deleted_at=t.deleted_at))
                for t in gone
            ]
        entries.sort(key=lambda e: (e.at, e.id, e.kind))
        taken, next_cursor = keyset.split(entries, limit)
        data = [e.item for e in taken if e.kind == _CHANGE]
        deleted = [e.item for e in taken if e.kind == _DELETION]
        return data, deleted, next_cursor

    async def _tombstones(
        self,
        session: AsyncSession,
        table: sa.Table,
        since: datetime,
        position: tuple[Any, ...] | None,
        limit: int,
        scope: Callable[[sa.Column[Any]], sa.ColumnElement[bool]] | None,
    ) -> Sequence[Any]:
        query = sa.select(table.c.id, table.c.deleted_at).where(
            table.c.resource == self.resource, table.c.deleted_at >= since
        )
        if scope is not None:
            query = query.where(scope(table.c.organisation_id))
        if position is not None:
            p_at, p_id, p_kind = position
            p_at_bound = sa.bindparam(None, p_at, type_=AwareDateTime())
            after = sa.tuple_(table.c.deleted_at, table.c.id) > sa.tuple_(p_at_bound, p_id)
            if p_kind == _CHANGE:  # the deletion of the same (time, id) comes after it
                after = sa.or_(after, sa.and_(table.c.deleted_at == p_at_bound, table.c.id == p_id))
            query = query.where(after)
        query = query.order_by(table.c.deleted_at.asc(), table.c.id.asc()).limit(limit + 1)
        return (await session.execute(query)).all()

    def _time(self, row: Any) -> datetime:
        if self.changed_at_of is not None:
            return self.changed_at_of(row)
        value: datetime = getattr(row, self.changed_at.key)
        return value


@dataclass(frozen=True, slots=True)
class _Entry:
    at: datetime
    id: str
    kind: int
    item: Any
