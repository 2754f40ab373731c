"""An unreachable database is an outage, not a failure of the event (or of the request).

The classification (:func:`cap_shared.db.outage.database_unreachable`) and what the shared
failure policy (:func:`cap_shared.messaging.base.run_handler`) does with an outage: the
delivery is held and handled again when the dependency answers, never counted as an attempt;
past ``hold_limit`` it is parked uncounted; an error misclassified as an outage (the database
answers at once, every time) becomes a counted failure after a few tries instead of looping.
The same against real stopped servers: tests/faults/test_postgres_faults.py.
"""

from __future__ import annotations

import asyncio
import sqlite3

import asyncpg
import pytest
import sqlalchemy as sa

from cap_shared.db.outage import database_unreachable
from cap_shared.inbox import EventConsumer
from cap_shared.messaging.base import (
    MAX_FALSE_OUTAGES,
    Delivery,
    DependencyUnavailable,
    Outcome,
    run_handler,
)
from cap_shared.testing.messaging import spec


def _wrapped(error: BaseException, *, invalidated: bool = False) -> BaseException:
    """What SQLAlchemy raises for a driver error (``orig``, raised from the driver's error)."""
    wrapped = sa.exc.DBAPIError.instance(
        "SELECT 1", None, error, Exception, connection_invalidated=invalidated
    )
    wrapped.__cause__ = error
    return wrapped


class _DriverError(Exception):
    """A DB-API error the dialect would translate (generic ``Error``)."""


def _caused_by(outer: BaseException, cause: BaseException) -> BaseException:
    outer.__cause__ = cause
    return outer


OUTAGES = {
    "connection refused": ConnectionRefusedError(111, "Connect call failed"),
    "connection reset": ConnectionResetError(104, "Connection reset by peer"),
    "admin shutdown 57P01": asyncpg.exceptions.AdminShutdownError("terminating connection"),
    "cannot connect now 57P03": asyncpg.exceptions.CannotConnectNowError("starting up"),
    "too many connections": asyncpg.exceptions.TooManyConnectionsError("too many clients"),
    "connection does not exist": asyncpg.exceptions.ConnectionDoesNotExistError(
        "connection was closed in the middle of operation"
    ),
    "asyncpg: connection is closed": asyncpg.exceptions.InterfaceError("connection is closed"),
    "invalidated by SQLAlchemy": _wrapped(_DriverError("lost"), invalidated=True),
    "wrapped admin shutdown": _wrapped(
        _caused_by(_DriverError("terminating"), asyncpg.exceptions.AdminShutdownError("x"))
    ),
    "OperationalError of a server": sa.exc.OperationalError("SELECT 1", None, _DriverError("x")),
    "pool timeout": sa.exc.TimeoutError("QueuePool limit of size 2 overflow 2 reached"),
    "disconnection": sa.exc.DisconnectionError("connection closed by the server"),
    "raised from a refused connect": _caused_by(
        RuntimeError("claim failed"), ConnectionRefusedError(111, "refused")
    ),
}

FAILURES = {
    "handler bug": ValueError("bad"),
    "unique violation": sa.exc.IntegrityError(
        "INSERT", None, asyncpg.exceptions.UniqueViolationError("dup")
    ),
    "deadlock": _wrapped(asyncpg.exceptions.DeadlockDetectedError("deadlock detected")),
    "syntax": sa.exc.ProgrammingError("SELEC", None, _DriverError("syntax")),
    "SQLite locked": sa.exc.OperationalError(
        "UPDATE", None, sqlite3.OperationalError("database is locked")
    ),
    "SQLite no such table": sa.exc.OperationalError(
        "SELECT", None, sqlite3.OperationalError("no such table: x")
    ),
    "handler deadline": TimeoutError(),
    "another operation in progress": asyncpg.exceptions.InterfaceError(
        "cannot perform operation: another operation is in progress"
    ),
}


def _in_context_of(error: BaseException, context: BaseException) -> BaseException:
    error.__context__ = context
    return error


# Raised while handling an outage is not caused by it (only ``raise ... from`` is).
FAILURES["raised while handling a refusal"] = _in_context_of(
    ValueError("x"), ConnectionRefusedError(111, "refused")
)


@pytest.mark.parametrize("name", list(OUTAGES))
def test_outages_are_recognised(name: str) -> None:
    assert database_unreachable(OUTAGES[name])


@pytest.mark.parametrize("name", list(FAILURES))
def test_failures_of_the_work_are_not_outages(name: str) -> None:
    assert not database_unreachable(FAILURES[name])


def _delivery(attempt: int = 1) -> Delivery:
    return Delivery(
        body=b"{}",
        routing_key="test.key",
        message_id="m1",
        correlation_id=None,
        headers={},
        redelivered=False,
        attempt=attempt,
        queue="q",
    )


class _Outage:
    """A handler whose database is down for ``down_for`` runs, and a probe that says so."""

    def __init__(self, down_for: int, *, probe_failures: int | None = 2) -> None:
        self.down_for = down_for
        self.probe_failures = probe_failures
        self.runs = 0
        self.waits: list[float] = []

    async def until_back(self, timeout: float) -> int | None:
        self.waits.append(timeout)
        return self.probe_failures

    async def __call__(self, _delivery: Delivery) -> None:
        self.runs += 1
        if self.runs <= self.down_for:
            raise DependencyUnavailable("database unreachable", self.until_back)


async def test_an_outage_is_held_and_handled_again_without_counting_an_attempt() -> None:
    handler = _Outage(down_for=7)
    # On its last attempt: a counted failure would dead-letter it.
    decision = await run_handler(spec(), handler, _delivery(attempt=3))
    assert decision.outcome is Outcome.ACK
    assert handler.runs == 8
    assert len(handler.waits) == 7


async def test_past_the_hold_limit_it_is_parked_uncounted() -> None:
    handler = _Outage(down_for=100, probe_failures=None)
    decision = await run_handler(spec(hold_limit=0.01), handler, _delivery(attempt=3))
    assert decision.outcome is Outcome.RETRY
    assert not decision.counted
    assert decision.next_attempt(_delivery(attempt=3)) == 3
    assert handler.runs == 1


async def test_a_misclassified_error_becomes_a_counted_failure() -> None:
    # The database answers at once every time: whatever the handler says, it is its own failure.
    handler = _Outage(down_for=100, probe_failures=0)
    decision = await run_handler(spec(), handler, _delivery(attempt=1))
    assert decision.outcome is Outcome.RETRY
    assert decision.counted
    assert decision.next_attempt(_delivery(attempt=1)) == 2
    assert handler.runs == MAX_FALSE_OUTAGES


class _FlakyDatabase:
    """Stands for :class:`Database` in the probe: refuses ``down_for`` pings, then answers."""

    def __init__(self, down_for: int) -> None:
        self.down_for = down_for
        self.pings = 0

    async def ping(self) -> None:
        self.pings += 1
        if self.pings <= self.down_for:
            raise ConnectionRefusedError(111, "Connect call failed")


def _consumer(db: _FlakyDatabase) -> EventConsumer:
    consumer = EventConsumer(db=db, inbox=sa.Table("inbox", sa.MetaData()), consumer="t")  # type: ignore[arg-type]
    consumer.probe_delays = (0.001, 0.005)
    return consumer


async def test_every_held_delivery_waits_on_one_probe() -> None:
    db = _FlakyDatabase(down_for=5)
    consumer = _consumer(db)
    results = await asyncio.gather(*(consumer.wait_for_database(5.0) for _ in range(50)))
    assert results == [5] * 50
    assert db.pings == 6  # one probe for fifty held deliveries
    # Back up: the next outage report finds it at once.
    assert await consumer.wait_for_database(5.0) == 0


async def test_a_probe_nobody_waits_on_stops() -> None:
    db = _FlakyDatabase(down_for=10**9)
    consumer = _consumer(db)
    assert await consumer.wait_for_database(0.05) is None
    pings = db.pings
    await asyncio.sleep(0.05)
    assert db.pings == pings  # no probe left running
    # A later wait starts a new probe (the cancelled one is not reused).
    assert await consumer.wait_for_database(0.05) is None
    assert db.pings > pings


async def test_a_stopping_consumer_lets_its_held_deliveries_go() -> None:
    consumer = _consumer(_FlakyDatabase(down_for=10**9))
    waiting = [asyncio.create_task(consumer.wait_for_database(60.0)) for _ in range(5)]
    await asyncio.sleep(0.02)
    consumer.release_held()
    assert await asyncio.gather(*waiting) == [None] * 5  # parked by run_handler, uncounted
    assert await consumer.wait_for_database(60.0) is None  # and nothing is held any more
