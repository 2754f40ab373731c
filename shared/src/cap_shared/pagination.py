"""One list shape: keyset pages with opaque cursors bound to their list (docs/api/lists.md).

Every list answers ``{"data": [...], "next_cursor": "<opaque>" | null}`` (:class:`Page`). A list
declares its order once as a :class:`Keyset`: a name (bound into every cursor it writes) and
sort keys, the last of which is unique (usually the id), so the order is total and stable while
rows are added or removed between two pages. ``?limit=`` is :data:`PageLimit` (default
:data:`DEFAULT_PAGE_SIZE`, at most :data:`MAX_PAGE_SIZE`, 422 beyond) and ``?cursor=`` is
:data:`PageCursor`.

A cursor carries the list's name and the sort-key values of the last item of its page, with a
checksum: a cursor of another list, an edited, truncated or made-up one is answered 400
``invalid-cursor`` (:class:`InvalidCursor`), never a 500. A cursor is a position, not a
permission: every page applies the caller's scope again.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, Protocol, TypeVar

import sqlalchemy as sa
from fastapi import Query
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from cap_shared.problems import ProblemError

T = TypeVar("T")
R = TypeVar("R")

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50

#: ``?limit=`` with its bounds (above the maximum: 422).
PageLimit = Annotated[
    int,
    Query(
        ge=1,
        le=MAX_PAGE_SIZE,
        description=f"Page size (default {DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE})",
    ),
]
PageCursor = Annotated[
    str | None,
    Query(
        max_length=500,
        description="`next_cursor` of the previous page of this same list (opaque); "
        "absent for the first page",
    ),
]

#: Cursor format version and the checksum's domain (a checksum, not a secret: see the module).
_VERSION = 1
_CHECK = b"cap-cursor-v1"
_SEPARATOR = "."
#: The list name of cursors written without one (older callers of :func:`created_page`).
UNNAMED = "unnamed"


class InvalidCursor(ProblemError):
    """The cursor was not produced by this list."""

    status, code, title = 400, "invalid-cursor", "Invalid cursor"
    title_fr = "Curseur invalide"


class Page(BaseModel, Generic[T]):
    """A page of results; ``next_cursor`` is null on the last page."""

    data: list[T]
    next_cursor: str | None = None


# --- cursors --------------------------------------------------------------------------------
def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode())


def _checksum(payload: bytes) -> str:
    return _b64(hashlib.blake2b(payload, key=_CHECK, digest_size=9).digest())


def _dump(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    msg = f"a sort key value must be a datetime, str, int, float or bool, not {type(value)!r}"
    raise TypeError(msg)


def _load(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) != {"t"} or not isinstance(value["t"], str):
            raise ValueError("unknown value")
        moment = datetime.fromisoformat(value["t"])
        if moment.tzinfo is None:
            raise ValueError("naive datetime")
        return moment
    return value


def encode_cursor(values: Sequence[Any], *, list_name: str = UNNAMED) -> str:
    """Opaque cursor of ``list_name`` at the position ``values`` (the last item's sort keys)."""
    payload = json.dumps(
        [_VERSION, list_name, [_dump(v) for v in values]], separators=(",", ":")
    ).encode()
    return _b64(payload) + _SEPARATOR + _checksum(payload)


def decode_cursor(cursor: str, *, list_name: str = UNNAMED) -> list[Any]:
    """The sort-key values inside a cursor of ``list_name``, or :class:`InvalidCursor`."""
    malformed = InvalidCursor(
        "the cursor is malformed: pass next_cursor of the previous page as it is",
        detail_fr="le curseur est mal formé : renvoyez tel quel le next_cursor de la page "
        "précédente",
    )
    body, _, check = cursor.partition(_SEPARATOR)
    try:
        payload = _unb64(body)
        if not check or _checksum(payload) != check:
            raise malformed
        version, name, raw = json.loads(payload)
        values = [_load(v) for v in raw]
    except (ValueError, TypeError, UnicodeDecodeError, binascii.Error) as exc:
        raise malformed from exc
    if version != _VERSION or not isinstance(name, str):
        raise malformed
    if name != list_name:
        raise InvalidCursor(
            "the cursor belongs to another list: a cursor only pages the list that gave it",
            detail_fr="le curseur appartient à une autre liste : un curseur ne sert qu'à la "
            "liste qui l'a donné",
        )
    return values


# --- keysets --------------------------------------------------------------------------------
@dataclass(frozen=True)
class SortKey:
    """One key of a list's order.

    ``kind`` is the Python type of its values (a cursor holding another type is refused);
    ``column`` the SQL expression it sorts on (None for a list sorted in memory); ``value``
    reads it from an item (default: the attribute named like the column). Values are never
    null: sort on ``coalesce(...)`` where a column may be.
    """

    kind: type
    column: Any = None
    descending: bool = False
    attribute: str | None = None
    value: Callable[[Any], Any] | None = None

    def of(self, item: Any) -> Any:
        """This key's value in ``item``."""
        if self.value is not None:
            return self.value(item)
        name = self.attribute or getattr(self.column, "key", None)
        if name is None:
            msg = "a SortKey on an expression needs attribute= or value="
            raise TypeError(msg)
        if isinstance(item, dict):
            return item[name]
        return getattr(item, name)


def key(
    column: Any,
    kind: type,
    *,
    descending: bool = False,
    value: Callable[[Any], Any] | None = None,
) -> SortKey:
    """A sort key on a column (``col(Model.field)``) or an SQL expression with ``value=``."""
    return SortKey(kind=kind, column=column, descending=descending, value=value)


def field_key(attribute: str, kind: type, *, descending: bool = False) -> SortKey:
    """A sort key of a list sorted in memory (items' attribute or mapping key)."""
    return SortKey(kind=kind, attribute=attribute, descending=descending)


class Keyset:
    """A list's stable order: its name (bound into its cursors) and its sort keys, the last
    one unique. Pages are ``WHERE (keys) after (cursor) ORDER BY keys LIMIT limit + 1``."""

    __slots__ = ("keys", "name")

    def __init__(self, name: str, *keys: SortKey) -> None:
        if not keys:
            msg = "a keyset needs at least one sort key"
            raise ValueError(msg)
        self.name = name
        self.keys = tuple(keys)

    # cursors
    def encode(self, values: Sequence[Any]) -> str:
        """The cursor of the position ``values``."""
        return encode_cursor(values, list_name=self.name)

    def decode(self, cursor: str | None) -> tuple[Any, ...] | None:
        """The position in ``cursor`` (None: the first page), checked against the keys."""
        if not cursor:
            return None
        values = decode_cursor(cursor, list_name=self.name)
        if len(values) != len(self.keys) or not all(
            _is_kind(v, k.kind) for v, k in zip(values, self.keys, strict=True)
        ):
            raise InvalidCursor(
                "the cursor does not fit this list's order",
                detail_fr="le curseur ne correspond pas à l'ordre de cette liste",
            )
        return tuple(values)

    def position(self, item: Any) -> tuple[Any, ...]:
        """The sort-key values of ``item``."""
        return tuple(k.of(item) for k in self.keys)

    # SQL
    def order_by(self) -> list[Any]:
        """The ORDER BY clauses."""
        return [k.column.desc() if k.descending else k.column.asc() for k in self.keys]

    def after(self, position: Sequence[Any]) -> sa.ColumnElement[bool]:
        """Rows strictly after ``position`` in this order."""
        bound = [
            sa.bindparam(None, v, type_=getattr(k.column, "type", None))
            for v, k in zip(position, self.keys, strict=True)
        ]
        columns = [k.column for k in self.keys]
        if len({k.descending for k in self.keys}) == 1:
            left, right = sa.tuple_(*columns), sa.tuple_(*bound)
            return left < right if self.keys[0].descending else left > right
        terms = []
        for i, k in enumerate(self.keys):
            equal = [columns[j] == bound[j] for j in range(i)]
            beyond = columns[i] < bound[i] if k.descending else columns[i] > bound[i]
            terms.append(sa.and_(*equal, beyond))
        return sa.or_(*terms)

    def select(self, query: sa.Select[Any], *, cursor: str | None, limit: int) -> sa.Select[Any]:
        """``query`` restricted to the page after ``cursor``: ordered, ``limit + 1`` rows."""
        position = self.decode(cursor)
        if position is not None:
            query = query.where(self.after(position))
        return query.order_by(*self.order_by()).limit(limit + 1)

    def split(self, rows: Sequence[R], limit: int) -> tuple[list[R], str | None]:
        """``limit + 1`` fetched rows -> the page and the cursor of the next one."""
        if len(rows) <= limit:
            return list(rows), None
        page = list(rows[:limit])
        return page, self.encode(self.position(page[-1]))

    async def fetch(
        self,
        session: AsyncSession,
        query: sa.Select[Any],
        *,
        cursor: str | None,
        limit: int,
        scalars: bool = True,
    ) -> tuple[list[Any], str | None]:
        """Run ``query`` for the page after ``cursor``: its rows (ORM objects when
        ``scalars``) and the next cursor."""
        result = await session.execute(self.select(query, cursor=cursor, limit=limit))
        rows: Sequence[Any] = result.scalars().all() if scalars else result.all()
        return self.split(rows, limit)

    # in memory
    def slice(
        self, items: Sequence[R], *, cursor: str | None, limit: int
    ) -> tuple[list[R], str | None]:
        """The page after ``cursor`` of a list held in memory (sorted here by the keys)."""
        ordered = sorted(items, key=self._sort_key)
        position = self.decode(cursor)
        if position is not None:
            ordered = [i for i in ordered if self._beyond(self.position(i), position)]
        return self.split(ordered[: limit + 1], limit)

    def _sort_key(self, item: Any) -> tuple[Any, ...]:
        return tuple(
            _Reversed(v) if k.descending else v
            for v, k in zip(self.position(item), self.keys, strict=True)
        )

    def _beyond(self, values: Sequence[Any], position: Sequence[Any]) -> bool:
        for v, p, k in zip(values, position, self.keys, strict=True):
            if v == p:
                continue
            return bool(v < p) if k.descending else bool(v > p)
        return False


def _is_kind(value: Any, kind: type) -> bool:
    if kind is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


class _Reversed:
    """Inverts the order of a value inside a sort key (descending keys in memory)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Reversed) -> bool:
        return bool(other.value < self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and bool(other.value == self.value)

    __hash__ = None  # type: ignore[assignment]


# --- the (created_at, id) keyset of most listings -------------------------------------------
class Created(Protocol):
    """A row ordered by creation: (created_at, id), the keyset of most listings."""

    @property
    def created_at(self) -> datetime:
        """When the row was created."""

    @property
    def id(self) -> str:
        """The row's id."""


def newest_first(name: str, created_at: Any, id_: Any) -> Keyset:
    """The keyset of a list newest first: ``(created_at, id)`` descending."""
    return Keyset(name, key(created_at, datetime, descending=True), key(id_, str, descending=True))


def decode_created_cursor(
    cursor: str | None, *, list_name: str = UNNAMED
) -> tuple[datetime, str] | None:
    """The (created_at, id) position inside a cursor, None for the first page."""
    if not cursor:
        return None
    position = Keyset(
        list_name, SortKey(datetime, attribute="created_at"), SortKey(str, attribute="id")
    ).decode(cursor)
    assert position is not None
    return position[0], position[1]


def created_page(
    rows: Sequence[Any], limit: int, *, list_name: str = UNNAMED
) -> tuple[list[Any], str | None]:
    """Split ``limit + 1`` rows fetched newest first into the page and the next cursor."""
    return Keyset(
        list_name, SortKey(datetime, attribute="created_at"), SortKey(str, attribute="id")
    ).split(rows, limit)
