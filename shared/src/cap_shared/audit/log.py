"""Appending to a service's hash-chained audit log, in the transaction of the change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from cap_shared import clock
from cap_shared.actor import Actor, explicit_actor
from cap_shared.audit.canonical import GENESIS, HASHED_FIELDS, canonical_json, entry_hash
from cap_shared.correlation import current_request_id
from cap_shared.db.memo import TransactionMemo
from cap_shared.db.pgconnection import ScopedConnection, literal
from cap_shared.db.rowsecurity import in_request, request_principal

#: Who changes a record outside any request, handler or job (start-up steps, scripts).
SYSTEM_ACTOR = Actor(id="system", kind="system")
#: Who changes a record on a public route before anyone is signed in.
ANONYMOUS_ACTOR = Actor(id="anonymous", kind="anonymous")


def current_actor() -> Actor:
    """Who is acting now: the handler's or job's actor, else the request's verified principal,
    else ``anonymous`` (a public route) or ``system`` (outside any request)."""
    explicit = explicit_actor()
    if explicit is not None:
        return explicit
    principal = request_principal()
    if principal is not None:
        return Actor(id=principal.subject, kind=principal.kind, client_id=principal.client_id)
    return ANONYMOUS_ACTOR if in_request() else SYSTEM_ACTOR


@dataclass(frozen=True)
class AuditEntry:
    """One entry of the log, as stored (``before``/``after`` are canonical JSON text)."""

    seq: int
    occurred_at: datetime
    action: str
    record_type: str
    record_id: str
    actor: str
    actor_kind: str
    client_id: str | None
    on_behalf_of: str | None
    request_id: str | None
    event_id: str | None
    consumed_event_id: str | None
    before: str | None
    after: str | None
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, row: Any) -> AuditEntry:
        """An entry from a row (mapping or named tuple) of ``audit_log``."""
        mapping = row if isinstance(row, dict) else row._mapping
        return cls(**{name: mapping[name] for name in cls.__dataclass_fields__})

    def values(self) -> dict[str, Any]:
        """The entry as a mapping of its columns."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


#: The head of each chain this transaction appended to (table name -> seq, hash). A second
#: append in the transaction needs neither the lock again (held until the transaction ends)
#: nor the head (its own last entry). A savepoint's end forgets it too (rolled back, it may
#: take an entry with it).
_HEADS: TransactionMemo[str, tuple[int, str]] = TransactionMemo("cap_audit_heads")


def lock_name(table: sa.Table) -> str:
    """The advisory lock serialising appends to ``table`` (one chain per service database)."""
    return f"cap:audit:{table.name}"


async def lock_chain(session: AsyncSession, table: sa.Table) -> None:
    """Serialise appends until the transaction ends (PostgreSQL: a transaction-scoped advisory
    lock; SQLite: every transaction begins IMMEDIATE, writers are already serialised)."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await session.execute(
            sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(lock_name(table))))
        )


async def chain_head(session: AsyncSession, table: sa.Table) -> tuple[int, str]:
    """The last entry's ``seq`` and ``hash`` (0 and :data:`GENESIS` for an empty log)."""
    row = (
        await session.execute(
            sa.select(table.c.seq, table.c.hash).order_by(table.c.seq.desc()).limit(1)
        )
    ).first()
    return (int(row[0]), str(row[1])) if row is not None else (0, GENESIS)


def _json_or_none(value: Any) -> str | None:
    return None if value is None else canonical_json(value)


async def record_change(
    session: AsyncSession,
    table: sa.Table,
    *,
    action: str,
    record_type: str,
    record_id: Any,
    before: Any = None,
    after: Any = None,
    on_behalf_of: str | None = None,
    event_id: str | None = None,
) -> AuditEntry:
    """Append the change of a regulated record to the service's audit log, in ``session``'s
    transaction (it is kept only if the change commits).

    Who (the handler's or job's actor, else the request's principal), the request id and the
    time (the service clock) are read from the context. Appends are serialised per service:
    call it as the last write of the transaction, so the lock is held briefly.
    """
    known = _HEADS.get(session, table.name)
    if known is None:
        await lock_chain(session, table)
        seq, prev_hash = await chain_head(session, table)
    else:  # appended already in this transaction: the lock is held, the head is ours
        seq, prev_hash = known
    actor = current_actor()
    values: dict[str, Any] = {
        "seq": seq + 1,
        "occurred_at": clock.now(),
        "action": action,
        "record_type": record_type,
        "record_id": str(record_id),
        "actor": actor.id,
        "actor_kind": actor.kind,
        "client_id": actor.client_id,
        "on_behalf_of": None if on_behalf_of is None else str(on_behalf_of),
        "request_id": current_request_id(),
        "event_id": event_id,
        "consumed_event_id": actor.consumed_event_id,
        "before": _json_or_none(before),
        "after": _json_or_none(after),
        "prev_hash": prev_hash,
    }
    values["hash"] = entry_hash(prev_hash, values)
    await session.run_sync(_insert, table, values)
    _HEADS.put(session, table.name, (seq + 1, values["hash"]))
    return AuditEntry(**values)


#: The columns of an entry, in order, and their types as the deferred INSERT names them: the
#: hashed fields (``seq`` and ``occurred_at`` typed, the rest text), then the chain's two.
_COLUMNS = (
    ("seq", "bigint"),
    ("occurred_at", "timestamptz"),
    *((name, "text") for name in HASHED_FIELDS[2:]),
    ("prev_hash", "text"),
    ("hash", "text"),
)
#: Per log table: its key among a connection's prepared statements, and their definition.
_PREPARED: dict[str, tuple[str, str]] = {}


def _insert(session: Session, table: sa.Table, values: dict[str, Any]) -> None:
    """The entry's INSERT. PostgreSQL: nobody reads what it returns, so it is deferred
    (:meth:`cap_shared.db.pgconnection.ScopedConnection.defer`): sent before the transaction's
    next statement, or with its COMMIT when it is the last (the trail's entry usually is), in
    its transaction either way; a rollback drops it."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        if isinstance(driver, ScopedConnection) and _defer(
            driver, connection.dialect, table, values
        ):
            return
    connection.execute(sa.insert(table).values(**values))


def _defer(
    driver: ScopedConnection, dialect: sa.Dialect, table: sa.Table, values: dict[str, Any]
) -> bool:
    """Defer the entry's INSERT (a prepared statement of the session, its values written as
    literals); False when it cannot be (a NUL in a value, no transaction open)."""
    prepared = _PREPARED.get(table.name)
    if prepared is None:
        name = dialect.identifier_preparer.format_table(table)
        columns = ", ".join(dialect.identifier_preparer.quote(c) for c, _ in _COLUMNS)
        placeholders = ", ".join(f"${i}" for i in range(1, len(_COLUMNS) + 1))
        prepared = _PREPARED[table.name] = (
            f"audit:{name}",
            f"({', '.join(t for _, t in _COLUMNS)}) AS INSERT INTO {name} ({columns}) "
            f"VALUES ({placeholders})",
        )
    texts = [str(int(values["seq"])), f"'{values['occurred_at'].astimezone(UTC).isoformat()}'"]
    try:
        texts.extend(
            "NULL" if values[column] is None else literal(str(values[column]))
            for column, _ in _COLUMNS[2:]
        )
    except ValueError:  # a NUL: sent as a parameter, for PostgreSQL to refuse as before
        return False
    key, definition = prepared
    return driver.defer_execute(key, definition, ", ".join(texts))
