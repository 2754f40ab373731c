"""Is this error the database being unreachable (an outage), or something the work itself did?

The difference decides what happens next. An outage is nobody's fault and says nothing about
the event or the request: a consumer holds the event and waits for the database to come back
(never counting it as a failed attempt, never dead-lettering it), an API answers 503. Anything
else (a constraint, a bug, a lock timeout, SQLite's "no such table") is the work's own failure:
retried on the schedule, then dead-lettered, or answered 500.

Outages, as they reach us through SQLAlchemy and asyncpg:

* the connection cannot be made: ``ConnectionRefusedError``/``ConnectionResetError`` and other
  ``OSError`` from the driver (raw: SQLAlchemy does not wrap a failed connect of asyncpg);
* the server went away or is going away: asyncpg's connection errors (SQLSTATE class ``08``),
  operator intervention (``57P01`` admin shutdown, ``57P02`` crash shutdown, ``57P03`` cannot
  connect now), ``53300`` too many connections, "connection is closed";
* SQLAlchemy saw a disconnect (``connection_invalidated``), a ``DisconnectionError``, or its pool
  could not hand out a connection in time (``sqlalchemy.exc.TimeoutError``);
* an ``OperationalError``/``InterfaceError`` of a server database (on SQLite those are local
  errors, "database is locked" or "no such table", and stay the work's failures).

A bare ``TimeoutError`` is not an outage here: it is how a handler's own deadline ends.
"""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa

#: SQLSTATEs of a server that is unreachable, going away or refusing connections.
OUTAGE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300"})
#: SQLSTATE class of connection exceptions.
CONNECTION_CLASS = "08"


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc``, what SQLAlchemy wrapped (``orig``) and its explicit causes (``raise ... from``),
    each once. Not ``__context__``: an error raised while handling an unrelated one is not it."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or any(current is s for s in seen) or len(seen) > 20:
            continue
        seen.append(current)
        todo.extend([getattr(current, "orig", None), current.__cause__])
    return seen


def _is_outage(exc: BaseException) -> bool:
    if isinstance(exc, TimeoutError):
        return False
    if isinstance(exc, OSError):  # refused, reset, unreachable host, name resolution
        return True
    if isinstance(exc, sa.exc.DisconnectionError | sa.exc.TimeoutError):
        return True
    if isinstance(exc, sa.exc.DBAPIError):
        if exc.connection_invalidated:
            return True
        if isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError):
            return not isinstance(exc.orig, sqlite3.Error)
        return False
    sqlstate = getattr(exc, "sqlstate", None)
    if isinstance(sqlstate, str) and (
        sqlstate in OUTAGE_SQLSTATES or sqlstate.startswith(CONNECTION_CLASS)
    ):
        return True
    # asyncpg's client-side "connection is closed" / "connection was closed in the middle of
    # operation" (ConnectionDoesNotExistError and InterfaceError without a SQLSTATE).
    name = type(exc).__name__
    return name in {"ConnectionDoesNotExistError", "ConnectionFailureError"} or (
        name == "InterfaceError" and "connection" in str(exc) and "closed" in str(exc)
    )


def database_unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` (or an error it wraps or was caused by) says the database is unreachable."""
    return any(_is_outage(e) for e in _chain(exc))
