"""The outbox relay: publishes committed outbox rows with confirms, in order, then marks them.

* Only one relay of a service publishes at a time: on PostgreSQL a transaction-scoped advisory
  lock elects it (others wait their turn), so two relays never publish the same row and rows go
  out in ``seq`` order. On SQLite (standalone: one process) an in-process lock does the same.
* A row is marked published only after the broker confirmed it. A crash in between publishes it
  again later: a duplicate, never a loss (consumers dedupe through their inbox).
* Broker down or not confirming: the pass stops, nothing is marked, and the relay retries with
  backoff; rows then go out in order. A row whose routing key has no queue (``Unroutable``) is
  an error kept on the row (``last_error``, ``attempts``) and retried later, without holding
  back the rows behind it.
* Woken at once by commits in the same process (``Database.outbox_signal``) and by PostgreSQL
  ``NOTIFY`` from other processes; polls as a safety net. Lingers ``linger`` after a wake-up
  only in a stream of commits; the first commit after a quiet spell is published at once. In a
  steady stream (``poll_after`` lingered wake-ups in a row) it stops listening and passes every
  ``linger`` until two passes in a row find nothing, then listens again and passes once more:
  a NOTIFY per commit would cost the server's listening backend and the relay work for nothing
  meanwhile.
* Tracing on: a span ``outbox.relay`` per batch that publishes rows, and per message a PRODUCER
  span ``"<event type> publish"`` in the trace of the request that recorded the event, whose
  ``traceparent`` goes in the message headers (:mod:`cap_shared.messaging.tracing`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import zlib
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, timedelta
from typing import Any

import sqlalchemy as sa
from opentelemetry.trace import Span, Status, StatusCode
from sqlalchemy.ext.asyncio import AsyncConnection

from cap_shared import metrics, telemetry
from cap_shared.clock import wall_now
from cap_shared.db.listen import PgListener
from cap_shared.db.pgconnection import ScopedConnection
from cap_shared.db.session import Database
from cap_shared.linger import Linger
from cap_shared.messaging import tracing
from cap_shared.messaging.base import Broker, BrokerError, OutgoingMessage, Unroutable
from cap_shared.outbox.writer import NOTIFY_CHANNEL

logger = logging.getLogger(__name__)

AfterPublishHook = Callable[[Sequence[int]], Awaitable[None]]

_SQLITE_LOCKS: dict[str, asyncio.Lock] = {}


class OutboxRelay:
    """Moves one service's outbox rows to the broker."""

    def __init__(
        self,
        *,
        db: Database,
        broker: Broker,
        table: sa.Table,
        service: str,
        batch_size: int = 500,
        poll_interval: float = 1.0,
        publish_timeout: float = 5.0,
        replay_window: float = 0.0,
        max_backoff: float = 5.0,
        linger: float = 0.005,
        poll_after: int = 8,
        after_publish: AfterPublishHook | None = None,
        dead_letters: sa.Table | None = None,
    ) -> None:
        self.db = db
        #: The service's dead-letter table: its pending rows are counted with the outbox's
        #: (``cap_dead_letters_pending``).
        self.dead_letters = dead_letters
        self.broker = broker
        self.table = table
        self.service = service
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.publish_timeout = publish_timeout
        self.replay_window = replay_window
        self.max_backoff = max_backoff
        #: Once woken by a commit in a stream of them (:class:`cap_shared.linger.Linger`), wait
        #: this long so that the commits close behind it share the pass (one claim, one
        #: pipelined publish, one update): a few ms of latency buys a lot of throughput under a
        #: steady stream of writes. The first commit after a quiet spell goes at once.
        self.linger = linger
        #: After this many wake-ups in a row in a stream of commits (each lingered), the relay
        #: stops listening and passes every ``linger`` until two passes in a row find nothing,
        #: then listens again (:meth:`_stop_listening`).
        self.poll_after = poll_after
        #: Fault-injection point for tests: runs after the confirms, before rows are marked.
        self.after_publish = after_publish
        self._lock_key = zlib.crc32(f"cap_outbox:{service}".encode()) & 0x7FFFFFFF
        self._wake = asyncio.Event()
        self._listener_now: PgListener | None = None

    # one pass ------------------------------------------------------------------
    async def publish_pending(self) -> int:
        """Publish every due row until none is left; return how many were confirmed.

        Raises :class:`BrokerError` when the broker is unavailable or does not confirm.
        """
        total = 0
        while True:
            published, more = await self._publish_batch()
            total += published
            if not more:
                return total

    async def _publish_batch(self) -> tuple[int, bool]:
        if self.db.dialect == "sqlite":
            lock = _SQLITE_LOCKS.setdefault(str(self.db.url), asyncio.Lock())
            async with lock:
                return await self._publish_batch_locked()
        return await self._publish_batch_locked()

    async def _publish_batch_locked(self) -> tuple[int, bool]:
        # When the pass began, for its span (epoch ns): only when tracing, else no work.
        started = int(wall_now().timestamp() * 1e9) if telemetry.enabled() else 0
        await self.broker.ping()  # no connection: fail the pass before touching the rows
        async with self.db.engine.connect() as conn, conn.begin():
            driver = await self._driver(conn)
            if self.db.dialect == "postgresql" and not await self._take_turn(conn, driver):
                return 0, False
            rows = await self._pending(conn)
            if not rows:
                return 0, False
            if started:
                results = await self._publish_traced(rows, started)
            else:
                messages = [self._message(row) for row in rows]
                results = await self.broker.publish_many(messages, timeout=self.publish_timeout)
            confirmed = [row.seq for row, err in zip(rows, results, strict=True) if err is None]
            unroutable = [
                (row.seq, err)
                for row, err in zip(rows, results, strict=True)
                if isinstance(err, Unroutable)
            ]
            others = [err for err in results if err is not None and not isinstance(err, Unroutable)]
            if self.after_publish is not None and confirmed:
                await self.after_publish(confirmed)
            if confirmed:
                await self._mark_published(conn, driver, confirmed)
                metrics.EVENTS_PUBLISHED.labels(self.service).inc(len(confirmed))
            for seq, err in unroutable:
                await self._postpone(conn, seq, err)
            if others:
                metrics.EVENTS_PUBLISH_FAILED.labels(self.service).inc(len(others))
        if others:
            first = others[0]
            if isinstance(first, BrokerError):
                raise first
            raise BrokerError(f"publish failed: {first!r}") from first
        return len(confirmed), len(rows) == self.batch_size

    async def _driver(self, conn: AsyncConnection) -> ScopedConnection | None:
        """The pass's asyncpg connection when it is the platform's (statements ride with its
        BEGIN and COMMIT: :mod:`cap_shared.db.pgconnection`), else None."""
        if self.db.dialect != "postgresql":
            return None
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        return driver if isinstance(driver, ScopedConnection) else None

    async def _pending(self, conn: AsyncConnection) -> Sequence[sa.Row[Any]]:
        """The due rows, oldest first (at most ``batch_size``)."""
        if self.db.dialect == "postgresql":
            # Plain SQL, written once: no statement to build, compile and look up in
            # SQLAlchemy's cache at every pass (the driver prepares it once per connection).
            result = await conn.exec_driver_sql(self._pending_sql, (wall_now(), self.batch_size))
            return result.all()
        t = self.table
        now = wall_now()
        result = await conn.execute(
            self._select_rows()
            .where(t.c.published_at.is_(None))
            .where(sa.or_(t.c.next_attempt_at.is_(None), t.c.next_attempt_at <= now))
            .order_by(t.c.seq)
            .limit(self.batch_size)
        )
        return result.all()  # type: ignore[no-any-return]  # typed Any by SQLAlchemy

    @functools.cached_property
    def _pending_sql(self) -> str:
        """PostgreSQL: :meth:`_pending`'s statement (``$1`` now, ``$2`` the batch size)."""
        name = self._table_name
        columns = ", ".join(c.name for c in self._select_rows().selected_columns)
        return (
            f"SELECT {columns} FROM {name} WHERE published_at IS NULL "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= $1) ORDER BY seq LIMIT $2"
        )

    @functools.cached_property
    def _table_name(self) -> str:
        return self.db.engine.dialect.identifier_preparer.format_table(self.table)

    async def _mark_published(
        self, conn: AsyncConnection, driver: ScopedConnection | None, seqs: list[int]
    ) -> None:
        """Mark the confirmed rows published. On the platform's PostgreSQL connections the
        UPDATE goes with the pass's COMMIT (or before its next statement), in one round trip:
        nobody reads its outcome, and a failure of it fails the commit (the rows are then
        published again: a duplicate, never a loss)."""
        now = wall_now()
        if driver is not None and driver.defer_execute(
            f"outbox-published:{self._table_name}",
            f"(bigint[], timestamptz) AS UPDATE {self._table_name} SET published_at = $2 "
            "WHERE seq = ANY($1)",
            f"'{{{','.join(str(int(seq)) for seq in seqs)}}}', '{now.astimezone(UTC).isoformat()}'",
        ):
            return
        t = self.table
        await conn.execute(sa.update(t).where(t.c.seq.in_(seqs)).values(published_at=now))

    async def _publish_traced(
        self, rows: Sequence[Any], started: int
    ) -> list[BaseException | None]:
        """Publish ``rows`` as :meth:`_publish_batch_locked` does, in the pass's span and one
        PRODUCER span per message, each ended at its message's confirm."""
        relay = tracing.start_relay_pass(self.service, len(rows), started)
        spans: list[Span] = []
        messages: list[OutgoingMessage] = []
        results: list[BaseException | None] = []
        try:
            for row in rows:
                span, message = tracing.start_publish(
                    self._message(row),
                    row.payload,
                    relay=relay,
                    service=self.service,
                    exchange=self.broker.exchange_name,
                )
                spans.append(span)
                messages.append(message)
            results = await self.broker.publish_many(messages, timeout=self.publish_timeout)
        except BaseException as exc:  # cancelled mid-publish: the spans end all the same
            results = [exc] * len(spans)
            raise
        finally:
            for span, result in zip(spans, results, strict=False):
                tracing.end_publish(span, result)
            failed = sum(1 for result in results if result is not None)
            relay.set_attribute("published", len(results) - failed)
            if failed:
                relay.set_status(Status(StatusCode.ERROR, f"{failed} not confirmed"))
            relay.end()
        return results

    async def _take_turn(self, conn: AsyncConnection, driver: ScopedConnection | None) -> bool:
        # Blocks while another relay of this service is publishing, then goes on where it stopped.
        # On the platform's connections it goes with the transaction's BEGIN (one round trip).
        lock = f"SELECT pg_advisory_xact_lock({self._lock_key})"
        if driver is None or not driver.also_with_begin(lock):
            await conn.exec_driver_sql(lock)
        return True

    async def _postpone(self, conn: AsyncConnection, seq: int, err: BaseException) -> None:
        t = self.table
        attempts = (await conn.execute(sa.select(t.c.attempts).where(t.c.seq == seq))).scalar_one()
        delay = min(2 ** min(attempts, 10), 600)
        logger.error(
            "outbox row %s is unroutable (attempt %d), retrying in %ss: %s",
            seq,
            attempts + 1,
            delay,
            err,
        )
        await conn.execute(
            sa.update(t)
            .where(t.c.seq == seq)
            .values(
                attempts=attempts + 1,
                last_error=str(err)[:1000],
                next_attempt_at=wall_now() + timedelta(seconds=delay),
            )
        )
        metrics.EVENTS_PUBLISH_FAILED.labels(self.service).inc()

    def _select_rows(self) -> sa.Select[Any]:
        t = self.table
        return sa.select(
            t.c.seq,
            t.c.event_id,
            t.c.event_type,
            t.c.routing_key,
            t.c.payload,
            t.c.correlation_id,
            t.c.created_at,
        )

    @staticmethod
    def _message(row: Any) -> OutgoingMessage:
        return OutgoingMessage(
            routing_key=row.routing_key,
            body=row.payload.encode(),
            message_id=row.event_id,
            type=row.event_type,
            correlation_id=row.correlation_id,
            timestamp=row.created_at,
        )

    # ephemeral brokers -----------------------------------------------------------
    async def replay_recent(self) -> int:
        """Publish again the rows published within ``replay_window`` (in-memory broker restart)."""
        if self.replay_window <= 0:
            return 0
        t = self.table
        since = wall_now() - timedelta(seconds=self.replay_window)
        replayed = 0
        last_seq = 0
        while True:
            async with self.db.engine.connect() as conn:
                rows = (
                    await conn.execute(
                        self._select_rows()
                        .where(
                            t.c.published_at.is_not(None),
                            t.c.published_at >= since,
                            t.c.seq > last_seq,
                        )
                        .order_by(t.c.seq)
                        .limit(self.batch_size)
                    )
                ).all()
            if not rows:
                return replayed
            results = await self.broker.publish_many(
                [self._message(r) for r in rows], timeout=self.publish_timeout
            )
            replayed += sum(1 for r in results if r is None)
            last_seq = rows[-1].seq

    # status ------------------------------------------------------------------------
    async def status(self) -> dict[str, Any]:
        """Pending rows, the age of the oldest, and rows failing to publish (for ops and metrics).

        One statement (the dead letters' count as a scalar subquery): the relay runs it at every
        poll, idle or not."""
        async with self.db.engine.connect() as conn:
            row = (await conn.execute(self._status_query)).one()
        pending, oldest, failing = row.pending, row.oldest, row.failing
        if self.dead_letters is not None:
            metrics.DEAD_LETTERS_PENDING.labels(self.service).set(row.dead)
        lag = (wall_now() - oldest).total_seconds() if oldest else 0.0
        metrics.OUTBOX_PENDING.labels(self.service).set(pending)
        metrics.OUTBOX_LAG_SECONDS.labels(self.service).set(lag)
        return {"pending": pending, "oldest_age_seconds": round(lag, 3), "failing": failing}

    @functools.cached_property
    def _status_query(self) -> sa.Select[Any]:
        t = self.table
        columns: list[Any] = [
            sa.func.count().label("pending"),
            sa.func.min(t.c.created_at).label("oldest"),
            sa.func.count(sa.case((t.c.last_error.is_not(None), 1))).label("failing"),
        ]
        if self.dead_letters is not None:
            d = self.dead_letters
            dead = sa.select(sa.func.count()).select_from(d).where(d.c.replayed_at.is_(None))
            columns.append(dead.scalar_subquery().label("dead"))
        return sa.select(*columns).where(t.c.published_at.is_(None))

    # loop ------------------------------------------------------------------------
    def wake(self) -> None:
        """Ask the loop for a pass now."""
        self._wake.set()

    @property
    def listening(self) -> bool:
        """Whether commits of other processes wake the running relay now (``LISTEN`` is up;
        PostgreSQL only): while it is not, the poll is the only wake-up from other processes,
        or, in a steady stream of commits, a pass every ``linger``."""
        return self._listener_now is not None and self._listener_now.listening

    def _listener(self) -> PgListener | None:
        """PostgreSQL: a ``LISTEN`` on the outbox channel, reconnected if it drops, each
        (re)connection followed by a pass for what was committed meanwhile. NOTIFY is scoped to
        the database, and each service has its own: any notification on it is about this
        outbox."""
        if self.db.dialect != "postgresql":
            return None
        return PgListener(
            self.db.url, NOTIFY_CHANNEL, lambda _payload: self._wake.set(), on_connect=self.wake
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until ``stop`` is set; survives broker and database outages."""
        self._listener_now = listener = self._listener()
        try:
            with listener.held() if listener is not None else contextlib.nullcontext():
                await self._run(stop)
        finally:
            if listener is not None:
                await listener.close()
            self._listener_now = None

    async def _run(self, stop: asyncio.Event) -> None:
        signal = self.db.outbox_signal
        if self.broker.ephemeral and self.replay_window > 0:
            with contextlib.suppress(Exception):
                n = await self.replay_recent()
                if n:
                    logger.info("republished %d recent events to the in-memory broker", n)
        backoff = 0.1
        loop = asyncio.get_running_loop()
        last_status = -float("inf")
        linger = Linger(self.linger)
        #: Consecutive wake-ups in a stream of commits, and whether the relay polls instead.
        streak, polling, empty = 0, False, 0
        while not stop.is_set():
            # Cleared before the pass: a commit during the pass makes the wait below return.
            signal.clear()
            self._wake.clear()
            try:
                published = await self.publish_pending()
                now = loop.time()
                if published:
                    linger.worked(now)
                if now - last_status >= self.poll_interval:  # metrics, not every pass
                    await self.status()
                    last_status = now
                backoff = 0.1
                timeout = self.poll_interval
            except (BrokerError, OSError, sa.exc.DBAPIError) as exc:
                logger.warning("outbox relay pass failed (%s); retrying in %.1fs", exc, backoff)
                if polling:  # woken by commits again (after the backoff, a pass)
                    streak, polling = 0, False
                    await self._listen_again()
                # The gauges go on (the outbox's age grows while the broker is away), when the
                # database answers.
                if loop.time() - last_status >= self.poll_interval:
                    with contextlib.suppress(Exception):
                        await self.status()
                        last_status = loop.time()
                # Back off for real: new commits must not turn an outage into a busy loop.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=backoff)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            if polling:
                # The stream goes on while passes find rows; one that finds none may be a gap
                # in it (at 500 commits/s, one linger in twenty): the next pass decides.
                empty = 0 if published else empty + 1
                if empty < 2:
                    await asyncio.sleep(self.linger)
                    continue
                # The stream has stopped: LISTEN again, then one more pass for the commits
                # made before the LISTEN took effect (those after it notify).
                streak, polling = 0, False
                await self._listen_again()
                continue
            waiters = [asyncio.ensure_future(e.wait()) for e in (stop, signal, self._wake)]
            try:
                await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for w in waiters:
                    w.cancel()
            if not stop.is_set() and (signal.is_set() or self._wake.is_set()):
                # Woken by a commit: linger for the commits behind it only in a stream of them
                # (this one came during the last pass that published, or just after it).
                delay = linger.delay(loop.time())
                streak = streak + 1 if delay else 0
                if streak >= self.poll_after and await self._stop_listening():
                    polling, empty = True, 0
                if delay:
                    await asyncio.sleep(delay)
            else:
                streak = 0

    async def _stop_listening(self) -> bool:
        """In a steady stream of commits: stop receiving a NOTIFY per commit (the server's
        listening backend and this process each pay for every one, and the relay passes every
        ``linger`` anyway); True when stopped. PostgreSQL only."""
        listener = self._listener_now
        if listener is None or not listener.listening:
            return False
        try:
            await listener.pause()
        except Exception as exc:  # the connection failed: it reconnects and listens again
            logger.debug("could not pause the outbox listener: %s", exc)
            with contextlib.suppress(Exception):
                await listener.resume()
            return False
        return True

    async def _listen_again(self) -> None:
        listener = self._listener_now
        if listener is None:
            return
        try:
            await listener.resume()
        except Exception as exc:  # the connection failed: its reconnection listens and wakes
            logger.debug("could not resume the outbox listener: %s", exc)
