"""The asyncpg connections of the platform's engines: a transaction's first statements ride with
its ``BEGIN``.

SQLAlchemy's asyncpg adapter begins a transaction lazily, with a ``BEGIN`` of its own (a round
trip) just before the transaction's first statement; the row scope of
:mod:`cap_shared.db.rowsecurity` was one more round trip after it. Here the engine's ``begin``
event queues the scope's statement on the connection (:meth:`ScopedConnection.begin_with`), and
the ``BEGIN`` goes with it in one simple-query message, ``BEGIN;SELECT set_config(...)``: both
run or neither does, in one round trip. A transaction begun with an isolation level, read-only
or deferrable (none of the platform's) keeps asyncpg's own ``BEGIN``, then sends the statement
alone, as before.
"""

from __future__ import annotations

import contextlib
from typing import Any

import asyncpg
from asyncpg.transaction import Transaction, TransactionState


class ScopedConnection(asyncpg.Connection):  # type: ignore[misc]  # asyncpg is untyped
    """An asyncpg connection whose next transaction may begin with statements given ahead."""

    __slots__ = ("_cap_prelude",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cap_prelude: str | None = None

    def begin_with(self, statements: str) -> bool:
        """Send ``statements`` (literal SQL, no parameters) with the ``BEGIN`` of the next
        transaction; False, and nothing queued, when a transaction is already open (the caller
        runs them itself)."""
        if self.is_in_transaction():
            self._cap_prelude = None
            return False
        self._cap_prelude = statements
        return True

    def transaction(
        self, *, isolation: str | None = None, readonly: bool = False, deferrable: bool = False
    ) -> Transaction:
        """asyncpg's transaction object; its ``start`` sends the queued statements too."""
        prelude, self._cap_prelude = self._cap_prelude, None
        if prelude is None:
            return super().transaction(
                isolation=isolation, readonly=readonly, deferrable=deferrable
            )
        self._check_open()
        return _PreludedTransaction(self, isolation, readonly, deferrable, prelude)


class _PreludedTransaction(Transaction):  # type: ignore[misc]  # asyncpg is untyped
    # asyncpg's own attributes, as used here.
    _connection: ScopedConnection
    _isolation: str | None
    _readonly: bool
    _deferrable: bool
    _state: TransactionState

    def __init__(
        self,
        connection: ScopedConnection,
        isolation: str | None,
        readonly: bool,
        deferrable: bool,
        prelude: str,
    ) -> None:
        super().__init__(connection, isolation, readonly, deferrable)
        self._prelude = prelude

    async def start(self) -> None:
        """``BEGIN`` and the queued statements in one round trip (asyncpg's bookkeeping as its
        own ``start`` keeps it)."""
        con = self._connection
        plain = not (self._isolation or self._readonly or self._deferrable)
        if not plain or self._state is not TransactionState.NEW or con._top_xact is not None:
            await super().start()
            await con.execute(self._prelude)
            return
        self._check_conn_validity("start")
        if con.is_in_transaction():
            await super().start()  # raises asyncpg's own error for a manual transaction
            return
        con._top_xact = self
        try:
            await con.execute("BEGIN;" + self._prelude)
        except BaseException as exc:
            self._state = TransactionState.FAILED
            con._top_xact = None
            # BEGIN ran but a statement after it failed: the aborted transaction must not stay
            # open on a connection going back to the pool (cancelled: the connection is dropped).
            if isinstance(exc, Exception) and not con.is_closed() and con.is_in_transaction():
                with contextlib.suppress(Exception):
                    await con.execute("ROLLBACK;")
            raise
        self._state = TransactionState.STARTED
