"""Keyset pages over a SQL query, with an optional row filter applied after the query.

A list declares its stable order as :class:`Key` s (the last one unique, usually the id). The
cursor holds the list's name and the sort-key values of the last row of a page; the next page
starts strictly after that position (each row exactly once, in order, even when rows are added
meanwhile). A cursor of another list, or one that is not ours, is :class:`InvalidCursor` (400).

Some visibility rules do not fit in SQL portably (JSON lists of group members, accent-blind
names): ``keep`` filters rows after the query, which then reads in batches until the page is
full, so a page is still ``limit`` rows and the cursor still points at the last row shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from cap_shared.pagination import InvalidCursor, decode_cursor, encode_cursor

#: Rows read per query when a filter drops some of them.
_BATCH = 200


@dataclass(frozen=True)
class Key:
    """One sort key: the SQL expression, its direction, and how to read it from a row."""

    column: Any
    value: Callable[[Any], Any]
    descending: bool = False
    kind: type = str

    def encode(self, row: Any) -> Any:
        value = self.value(row)
        return value.isoformat() if isinstance(value, date | datetime) else value

    def decode(self, raw: Any) -> Any:
        if raw is None:
            return None
        if self.kind is datetime:
            return datetime.fromisoformat(raw)
        if self.kind is date:
            return date.fromisoformat(raw)
        if self.kind is int:
            if isinstance(raw, bool) or not isinstance(raw, int):
                raise TypeError(raw)
            return raw
        if not isinstance(raw, str):
            raise TypeError(raw)
        return raw


def order_by(keys: Sequence[Key]) -> list[Any]:
    return [k.column.desc() if k.descending else k.column.asc() for k in keys]


def after(keys: Sequence[Key], values: Sequence[Any]) -> Any:
    """Rows strictly after ``values`` in the order of ``keys`` (portable: no row values)."""
    clauses = []
    for i, key in enumerate(keys):
        equal = [k.column == v for k, v in zip(keys[:i], values[:i], strict=True)]
        beyond = key.column < values[i] if key.descending else key.column > values[i]
        clauses.append(sa.and_(*equal, beyond))
    return sa.or_(*clauses)


def position(name: str, keys: Sequence[Key], cursor: str | None) -> list[Any] | None:
    """The sort-key values inside a cursor of list ``name`` (None: the first page)."""
    if not cursor:
        return None
    values = decode_cursor(cursor)
    if len(values) != len(keys) + 1 or values[0] != name:
        raise InvalidCursor(
            "the cursor is not one of this list",
            detail_fr="ce curseur n'appartient pas à cette liste",
        )
    try:
        return [k.decode(v) for k, v in zip(keys, values[1:], strict=True)]
    except (TypeError, ValueError) as exc:
        raise InvalidCursor(
            "the cursor is malformed", detail_fr="le curseur est mal formé"
        ) from exc


def cursor_of(name: str, keys: Sequence[Key], row: Any) -> str:
    return encode_cursor([name, *(k.encode(row) for k in keys)])


async def keyset_page(
    session: AsyncSession,
    query: sa.Select[*tuple[Any, ...]],
    *,
    name: str,
    keys: Sequence[Key],
    cursor: str | None,
    limit: int,
    keep: Callable[[Any], bool] | None = None,
    scalars: bool = True,
) -> tuple[list[Any], str | None]:
    """One page of ``query`` in the order of ``keys`` and the cursor of the next (None: last).

    ``scalars``: rows are the first entity of each result row (else whole result rows)."""
    start = position(name, keys, cursor)
    found: list[Any] = []
    batch = limit + 1 if keep is None else max(limit + 1, _BATCH)
    while True:
        q = query.order_by(*order_by(keys)).limit(batch)
        if start is not None:
            q = q.where(after(keys, start))
        result = await session.execute(q)
        rows: Sequence[Any] = result.scalars().all() if scalars else result.all()
        found.extend(r for r in rows if keep is None or keep(r))
        if len(found) > limit or len(rows) < batch:
            break
        start = [k.value(rows[-1]) for k in keys]
    if len(found) <= limit:
        return found, None
    page = found[:limit]
    return page, cursor_of(name, keys, page[-1])
