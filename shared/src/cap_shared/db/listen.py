"""One PostgreSQL ``LISTEN`` connection, open while someone needs it, reconnected after a drop.

``NOTIFY`` is how a process learns at once that another process committed something:
PostgreSQL delivers it at commit and never on rollback, so whoever is woken can read what was
written. This module keeps the listening side: one dedicated asyncpg connection per channel
(outside the engine's pool, which never holds a connection for long), opened in the background
by the first holder and closed when the last one leaves, so a process that nobody waits in
holds no connection. A dropped connection (server restart, network, a terminated backend) is
reopened with backoff; notifications sent while it was down are lost, which is why
``on_connect`` runs after every (re)connection: the caller re-reads what it may have missed,
and keeps a slower poll of its own as a safety net.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy.engine import URL

logger = logging.getLogger(__name__)


class PgListener:
    """``LISTEN`` on ``channel`` of the database at ``url``; ``on_notify(payload)`` per notification.

    Callbacks run in the event loop and must not block; entering and leaving :meth:`held` never
    waits (it is safe in the ``finally`` of a cancelled task).
    """

    def __init__(
        self,
        url: URL,
        channel: str,
        on_notify: Callable[[str], None],
        *,
        on_connect: Callable[[], None] | None = None,
        min_backoff: float = 0.1,
        max_backoff: float = 10.0,
        check_interval: float = 30.0,
        connect_timeout: float = 5.0,
    ) -> None:
        self.channel = channel
        self._dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._on_notify = on_notify
        self._on_connect = on_connect
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        #: A connection that died silently (no FIN) is noticed by a trivial query this often.
        self.check_interval = check_interval
        self.connect_timeout = connect_timeout
        self._holders = 0
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        #: Tasks told to stop that are still closing their connection (kept referenced).
        self._closing: set[asyncio.Task[None]] = set()
        self._conn: Any = None
        #: Notifications not wanted for now (:meth:`pause`): a (re)connection does not LISTEN.
        self._paused = False
        #: One operation at a time on the connection (LISTEN, UNLISTEN, the liveness check).
        self._busy = asyncio.Lock()

    @property
    def connected(self) -> bool:
        """Whether notifications are being received right now."""
        return self._conn is not None and not self._conn.is_closed()

    @property
    def listening(self) -> bool:
        """Whether notifications are being received right now and not paused."""
        return self.connected and not self._paused

    async def pause(self) -> None:
        """Stop receiving notifications (``UNLISTEN``) until :meth:`resume`, the connection kept:
        for a holder that polls anyway for a while, each notification costs both processes
        (the server's listening backend and this one) work for nothing."""
        self._paused = True
        conn = self._conn
        if conn is not None and not conn.is_closed():
            async with self._busy:
                await conn.remove_listener(self.channel, self._deliver)

    async def resume(self) -> bool:
        """``LISTEN`` again after :meth:`pause`; True once notifications flow. False when not
        connected: the (re)connection listens, then runs ``on_connect``."""
        self._paused = False
        conn = self._conn
        if conn is None or conn.is_closed():
            return False
        async with self._busy:
            await conn.add_listener(self.channel, self._deliver)
        return True

    @property
    def backend_pid(self) -> int | None:
        """The server process of the listening connection (operators, tests), if connected."""
        return int(self._conn.get_server_pid()) if self.connected else None

    @property
    def holders(self) -> int:
        """How many blocks hold the connection now."""
        return self._holders

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Keep the connection while the block runs: the first holder opens it (in the
        background: notifications flow once ``on_connect`` has run), the last one closes it."""
        self._holders += 1
        if self._task is None:
            self._stop = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(
                self._run(self._stop), name=f"listen-{self.channel}"
            )
        try:
            yield
        finally:
            self._holders -= 1
            if self._holders == 0:
                self._release()

    def _release(self) -> None:
        task, self._task = self._task, None
        self._stop.set()
        if task is not None and not task.done():
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    async def close(self) -> None:
        """Stop listening and wait until the connection is closed (at shutdown)."""
        self._release()
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)

    # the connection's life ----------------------------------------------------------------
    async def _run(self, stop: asyncio.Event) -> None:
        import asyncpg

        backoff = self.min_backoff
        while not stop.is_set():
            lost = asyncio.Event()
            conn: Any = None
            try:
                conn = await asyncpg.connect(self._dsn, timeout=self.connect_timeout)
                conn.add_termination_listener(_setting(lost))
                if not self._paused:
                    await conn.add_listener(self.channel, self._deliver)
            except Exception as exc:
                if conn is not None:
                    conn.terminate()
                logger.warning(
                    "cannot LISTEN on %s (%s); retrying in %.1fs", self.channel, exc, backoff
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=backoff)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            backoff = self.min_backoff
            if stop is self._stop:  # not a generation already told to stop
                self._conn = conn
            try:
                if not await self._reconcile(conn):
                    continue
                self._connected()
                await self._watch(conn, stop, lost)
            finally:
                if self._conn is conn:
                    self._conn = None
                await _close(conn)
            if not stop.is_set():
                logger.warning("LISTEN connection on %s lost; reconnecting", self.channel)

    async def _reconcile(self, conn: Any) -> bool:
        """A pause or resume while the connection was being opened: LISTEN or not as asked
        now. False when the connection failed meanwhile."""
        try:
            async with self._busy:
                if self._paused:
                    await conn.remove_listener(self.channel, self._deliver)
                else:
                    await conn.add_listener(self.channel, self._deliver)
        except Exception:
            return False
        return True

    def _connected(self) -> None:
        logger.debug("listening on %s", self.channel)
        if self._on_connect is not None:
            try:
                self._on_connect()
            except Exception:
                logger.exception("on_connect of the %s listener failed", self.channel)

    async def _watch(self, conn: Any, stop: asyncio.Event, lost: asyncio.Event) -> None:
        """Return when told to stop or when the connection is gone."""
        while not stop.is_set() and not lost.is_set():
            waiters = [asyncio.ensure_future(e.wait()) for e in (stop, lost)]
            try:
                done, _ = await asyncio.wait(
                    waiters, timeout=self.check_interval, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                for waiter in waiters:
                    waiter.cancel()
            if done:
                continue
            try:
                async with self._busy:
                    await asyncio.wait_for(conn.execute("SELECT 1"), timeout=self.connect_timeout)
            except Exception:
                return

    def _deliver(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            self._on_notify(payload)
        except Exception:
            logger.exception("a notification on %s could not be handled", self.channel)


def _setting(event: asyncio.Event) -> Callable[[Any], None]:
    """A termination callback (it receives the connection) that sets ``event``."""
    return lambda _conn: event.set()


async def _close(conn: Any) -> None:
    try:
        await asyncio.wait_for(conn.close(), timeout=2)
    except Exception:
        conn.terminate()  # a dead server: drop the socket at once
    except BaseException:
        conn.terminate()  # a cancelled task: drop the socket, let the cancellation go on
        raise
