"""The asyncpg connections of the platform's engines: statements that ride with a transaction's
``BEGIN`` or its ``COMMIT`` instead of taking a round trip of their own.

On loopback TCP a round trip costs both processes more CPU than the statement itself, and a
small write had five: ``BEGIN`` (SQLAlchemy's asyncpg adapter sends it alone, just before the
transaction's first statement), the row scope's ``set_config``
(:mod:`cap_shared.db.rowsecurity`), the business row, the outbox row and ``COMMIT``.

* **With BEGIN**: the engine's ``begin`` event queues the row scope's statement
  (:meth:`ScopedConnection.begin_with`), and the transaction starts with one simple-query
  message, ``BEGIN;SELECT set_config(...)``. A transaction begun with an isolation level,
  read-only or deferrable (none of the platform's) keeps asyncpg's own ``BEGIN``, then sends
  the statement alone.
* **With COMMIT**: a statement whose outcome nobody reads (the outbox row,
  :func:`cap_shared.outbox.writer.add_event`) may be deferred (:meth:`ScopedConnection.defer`):
  it is sent before the transaction's next statement, whatever that is (a read, a savepoint,
  a release or a rollback to one: the engine's ``before_cursor_execute`` event), or else with
  the ``COMMIT``, as ``INSERT ...;COMMIT``. Either way it runs in its transaction, at its place
  among the transaction's statements; a rollback drops it. An error in it is raised by the
  statement or the commit that carried it, and the transaction is rolled back.

Statements given here are literal SQL (no parameters: a simple-query message has none); their
values are written with :func:`literal`.
"""

from __future__ import annotations

import contextlib
from typing import Any

import asyncpg
from asyncpg.transaction import Transaction, TransactionState


def literal(value: str) -> str:
    """``value`` as a PostgreSQL escape-string literal (the same whatever
    ``standard_conforming_strings`` says); a NUL, which no literal can hold, is refused."""
    if "\x00" in value:
        msg = "an SQL literal cannot hold a NUL character"
        raise ValueError(msg)
    return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


class ScopedConnection(asyncpg.Connection):  # type: ignore[misc]  # asyncpg is untyped
    """An asyncpg connection that sends statements given ahead with its next ``BEGIN``, and
    deferred ones before its next statement or with its ``COMMIT``."""

    __slots__ = (
        "_cap_begun",
        "_cap_deferred",
        "_cap_named",
        "_cap_naming",
        "_cap_prelude",
        "_cap_prelude_naming",
        "_cap_prepared",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cap_prelude: str | None = None
        #: The status of the last statement sent with the last ``BEGIN`` (``INSERT 0 3``).
        self._cap_begun: str | None = None
        self._cap_deferred: list[str] = []
        #: Server-side prepared statements of :meth:`defer_execute`: by key, once known to
        #: exist, and those whose PREPARE is among the deferred statements.
        self._cap_prepared: dict[str, str] = {}
        self._cap_naming: dict[str, str] = {}
        #: Those whose PREPARE waits to be sent with the next ``BEGIN``.
        self._cap_prelude_naming: dict[str, str] = {}
        self._cap_named = 0

    def begin_with(self, statements: str) -> bool:
        """Send ``statements`` (literal SQL) with the ``BEGIN`` of the next transaction; False,
        and nothing queued, when a transaction is already open (the caller runs them itself)."""
        self._cap_prelude_naming.clear()
        if self.is_in_transaction():
            self._cap_prelude = None
            return False
        self._cap_prelude = statements
        return True

    def also_with_begin(self, statement: str) -> bool:
        """Send ``statement`` (literal SQL) too with the ``BEGIN`` queued by :meth:`begin_with`,
        after what it queued; False, and nothing queued, when no ``BEGIN`` waits to be sent
        (the caller runs it itself)."""
        if self._cap_prelude is None or self.is_in_transaction():
            return False
        self._cap_prelude += ";" + statement
        return True

    def also_execute_with_begin(self, key: str, definition: str, arguments: str) -> bool:
        """:meth:`also_with_begin` an ``EXECUTE`` of this session's prepared statement ``key``
        with ``arguments``, as :meth:`defer_execute` says (PostgreSQL parses and plans it once
        per connection)."""
        name = self._cap_prepared.get(key) or self._cap_prelude_naming.get(key)
        prepare = ""
        if name is None:
            self._cap_named += 1
            name = f"cap_deferred_{self._cap_named}"
            prepare = f"PREPARE {name} {definition};"
        if not self.also_with_begin(f"{prepare}EXECUTE {name}({arguments})"):
            return False
        if prepare:
            self._cap_prelude_naming[key] = name
        return True

    def _prelude_sent(self, status: str | None, *, ran: bool) -> None:
        """The ``BEGIN``'s statements were sent (``ran``: without error), ``status`` the last
        one's: the statements they prepared exist (else their fate is unknown: never reused)."""
        self._cap_begun = status
        if ran:
            self._cap_prepared.update(self._cap_prelude_naming)
        self._cap_prelude_naming.clear()

    def begun(self) -> str | None:
        """The command status of the last statement sent with the last ``BEGIN`` (e.g.
        ``INSERT 0 3`` for one given to :meth:`also_with_begin`), once; None when none was."""
        status, self._cap_begun = self._cap_begun, None
        return status

    def defer(self, statement: str) -> bool:
        """Send ``statement`` (literal SQL, no result wanted) later in the open transaction:
        before its next statement, or with its ``COMMIT``. False, and nothing deferred, when no
        transaction begun here is open (the caller runs it itself)."""
        top = self._top_xact
        if (
            not isinstance(top, _Transaction)
            or top._state is not TransactionState.STARTED
            or not self.is_in_transaction()
        ):
            return False
        self._cap_deferred.append(statement)
        return True

    def defer_execute(self, key: str, definition: str, arguments: str) -> bool:
        """:meth:`defer` an ``EXECUTE`` of this session's prepared statement ``key`` with
        ``arguments`` (literal SQL, comma-separated): PostgreSQL parses and plans the statement
        once per connection, not at every call. ``definition`` is what follows the name in its
        ``PREPARE`` (``(types) AS statement``), sent the first time."""
        name = self._cap_prepared.get(key) or self._cap_naming.get(key)
        prepare = ""
        if name is None:
            # A new name each time: a PREPARE whose fate is unknown (its message failed) never
            # collides with a later one. Prepared statements outlive a rollback.
            self._cap_named += 1
            name = f"cap_deferred_{self._cap_named}"
            prepare = f"PREPARE {name} {definition};"
        if not self.defer(f"{prepare}EXECUTE {name}({arguments})"):
            return False
        if prepare:
            self._cap_naming[key] = name
        return True

    @property
    def deferred(self) -> bool:
        """Whether statements wait to be sent."""
        return bool(self._cap_deferred)

    async def run_deferred(self) -> None:
        """Send the deferred statements now, in one round trip."""
        statements = self._take_deferred()
        if statements is not None:
            await self._send_deferred(statements)

    def _take_deferred(self) -> str | None:
        if not self._cap_deferred:
            return None
        statements = ";".join(self._cap_deferred)
        self._cap_deferred.clear()
        return statements

    async def _send_deferred(self, statements: str) -> None:
        try:
            await self.execute(statements)
        except BaseException:
            self._drop_deferred(sent=False)
            raise
        self._drop_deferred(sent=True)

    def _drop_deferred(self, *, sent: bool) -> None:
        """The deferred statements are gone (``sent``: and their message ran without error)."""
        self._cap_deferred.clear()
        if sent and self._cap_naming:
            self._cap_prepared.update(self._cap_naming)
        self._cap_naming.clear()

    def transaction(
        self, *, isolation: str | None = None, readonly: bool = False, deferrable: bool = False
    ) -> Transaction:
        """asyncpg's transaction object; its ``start`` and ``commit`` send the queued
        statements too."""
        self._check_open()
        prelude, self._cap_prelude = self._cap_prelude, None
        return _Transaction(self, isolation, readonly, deferrable, prelude)


class _Transaction(Transaction):  # type: ignore[misc]  # asyncpg is untyped
    # asyncpg's own attributes, as used here.
    _connection: ScopedConnection
    _isolation: str | None
    _readonly: bool
    _deferrable: bool
    _nested: bool
    _managed: bool
    _state: TransactionState

    def __init__(
        self,
        connection: ScopedConnection,
        isolation: str | None,
        readonly: bool,
        deferrable: bool,
        prelude: str | None,
    ) -> None:
        super().__init__(connection, isolation, readonly, deferrable)
        self._prelude = prelude

    async def start(self) -> None:
        """``BEGIN`` and the queued statements in one round trip (asyncpg's bookkeeping as its
        own ``start`` keeps it)."""
        con = self._connection
        if con._top_xact is None:
            # Nothing deferred outlives its transaction (nothing can be left: a safeguard).
            con._drop_deferred(sent=False)
        else:  # a savepoint: what was deferred belongs before it
            await con.run_deferred()
        prelude = self._prelude
        con._cap_begun = None
        plain = not (self._isolation or self._readonly or self._deferrable)
        try:
            if prelude is None or not plain or con._top_xact is not None:
                await super().start()
                if prelude is not None:
                    con._prelude_sent(await con.execute(prelude), ran=True)
                return
            self._check_conn_validity("start")
            if self._state is not TransactionState.NEW or con.is_in_transaction():
                await super().start()  # raises asyncpg's own error
                return
            con._top_xact = self
            status = await self._send("BEGIN;" + prelude, started=TransactionState.STARTED)
            con._prelude_sent(status, ran=True)
        finally:
            if con._cap_prelude_naming:  # not sent, or failed: their fate is unknown
                con._prelude_sent(None, ran=False)

    async def commit(self) -> None:
        """``COMMIT``, after the deferred statements in the same round trip."""
        con = self._connection
        statements = None if self._nested else con._take_deferred()
        if statements is None or self._managed or self._state is not TransactionState.STARTED:
            if statements is not None:
                await con._send_deferred(statements)
            await super().commit()
            return
        self._check_conn_validity("commit")
        if con._top_xact is self:
            con._top_xact = None
        await self._send(statements + ";COMMIT;", started=TransactionState.COMMITTED)

    async def rollback(self) -> None:
        """``ROLLBACK``: the deferred statements are dropped with the rest."""
        self._connection._drop_deferred(sent=False)
        await super().rollback()

    async def _send(self, statements: str, *, started: TransactionState) -> str:
        """Send ``statements``; the command status of the last one."""
        con = self._connection
        try:
            status: str = await con.execute(statements)
        except BaseException as exc:
            self._state = TransactionState.FAILED
            if con._top_xact is self:
                con._top_xact = None
            con._drop_deferred(sent=False)
            # BEGIN ran but a statement after it failed, or a deferred statement failed before
            # COMMIT: the aborted transaction must not stay open on a connection going back
            # to the pool (cancelled: the connection is dropped anyway).
            if isinstance(exc, Exception) and not con.is_closed() and con.is_in_transaction():
                with contextlib.suppress(Exception):
                    await con.execute("ROLLBACK;")
            raise
        con._drop_deferred(sent=True)
        self._state = started
        return status
