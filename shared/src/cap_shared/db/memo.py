"""What a transaction read, kept for the rest of it (issue 22): the access check, the rules and
the answer of one request often need the same rows; they are read once per transaction.

A :class:`TransactionMemo` keeps its values in the session's ``info`` under its own key. They
are forgotten when the session's transaction ends or a savepoint does (rolled back, it may take
writes with them), not when a flush's inner transaction does; and, for the models named in
``written_by``, as soon as a flush writes one of their rows. While such a row waits to be
flushed the memo offers nothing (the query a caller makes then flushes it first).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any, Generic, TypeVar

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TransactionMemo(Generic[K, V]):
    """Values by key, kept in a session until its transaction ends (see the module)."""

    def __init__(self, key: str, *, written_by: tuple[type, ...] = ()) -> None:
        self.key = key
        self.written_by = written_by

        def ended(session: Session, transaction: SessionTransaction) -> None:
            if transaction.parent is None or transaction.nested:
                session.info.pop(key, None)

        def flushed(session: Session, _context: Any) -> None:
            # After a flush, new/dirty/deleted still name what it wrote.
            if key in session.info and self.pending(session):
                session.info.pop(key, None)

        # Held here: SQLAlchemy's registry does not keep its listeners alive on its own.
        self._listeners = (ended, flushed)
        event.listen(Session, "after_transaction_end", ended)
        if written_by:
            event.listen(Session, "after_flush", flushed)

    def pending(self, session: Session | AsyncSession) -> bool:
        """Whether a row of ``written_by`` is added, changed or deleted and not flushed yet."""
        if not self.written_by:
            return False
        return any(
            isinstance(row, self.written_by)
            for rows in (session.new, session.dirty, session.deleted)
            for row in rows
        )

    def known(self, session: Session | AsyncSession) -> Mapping[K, V]:
        """What this transaction read and still holds (empty while a write waits)."""
        values: dict[K, V] | None = session.info.get(self.key)
        if values is None or self.pending(session):
            return {}
        return values

    def get(self, session: Session | AsyncSession, item: K) -> V | None:
        """The value kept for ``item``, or None."""
        return self.known(session).get(item)

    def put(self, session: Session | AsyncSession, item: K, value: V) -> None:
        """Keep ``value`` for ``item`` until the transaction ends (or a write of
        ``written_by`` is flushed). Put after the read: its autoflush may have emptied the memo."""
        session.info.setdefault(self.key, {})[item] = value

    def forget(self, session: Session | AsyncSession) -> None:
        """Forget every value now (before a write the memo cannot see, a bulk DELETE)."""
        session.info.pop(self.key, None)
