"""Cursor pagination with a bounded page size (opaque, URL-safe cursors)."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Generic, Protocol, TypeVar

from fastapi import Query
from pydantic import BaseModel

from cap_shared.problems import ProblemError

T = TypeVar("T")

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50

#: ``?limit=`` with its bounds (above the maximum: 422).
PageLimit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size")]
PageCursor = Annotated[
    str | None, Query(max_length=500, description="Cursor from the previous page")
]


class InvalidCursor(ProblemError):
    """The cursor was not produced by this API."""

    status, code, title = 400, "invalid-cursor", "Invalid cursor"
    title_fr = "Curseur invalide"


class Page(BaseModel, Generic[T]):
    """A page of results; ``next_cursor`` is null on the last page."""

    data: list[T]
    next_cursor: str | None = None


def encode_cursor(values: list[Any]) -> str:
    """Opaque cursor from the sort-key values of the last item of a page."""
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    """The sort-key values inside a cursor, or :class:`InvalidCursor`."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursor(
            "the cursor is malformed", detail_fr="le curseur est mal formé"
        ) from exc
    if not isinstance(values, list):
        raise InvalidCursor("the cursor is malformed", detail_fr="le curseur est mal formé")
    return values


class Created(Protocol):
    """A row ordered by creation: (created_at, id), the keyset of most listings."""

    @property
    def created_at(self) -> datetime: ...

    @property
    def id(self) -> str: ...


R = TypeVar("R", bound=Created)


def decode_created_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    """The (created_at, id) position inside a cursor, None for the first page."""
    if not cursor:
        return None
    values = decode_cursor(cursor)
    try:
        return datetime.fromisoformat(values[0]), str(values[1])
    except (IndexError, TypeError, ValueError) as exc:
        raise InvalidCursor(
            "the cursor is malformed", detail_fr="le curseur est mal formé"
        ) from exc


def created_page(rows: Sequence[R], limit: int) -> tuple[list[R], str | None]:
    """Split ``limit + 1`` fetched rows into the page and the cursor of the next one."""
    if len(rows) <= limit:
        return list(rows), None
    page = list(rows[:limit])
    return page, encode_cursor([page[-1].created_at.isoformat(), page[-1].id])
