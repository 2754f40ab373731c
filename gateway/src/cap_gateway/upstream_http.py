"""The proxy's own HTTP/1.1 client for the hop to a service: keep-alive connections, llhttp.

A proxied request is one HTTP/1.1 exchange on a pooled connection to a known upstream; a
general-purpose client (aiohttp) spent about as much CPU on its own machinery per request (URL
objects, header multidicts, timers, tracing signals, cookie and proxy checks) as the rest of the
gateway. This one writes the request head as one buffer and parses the answer with llhttp (the
``httptools`` binding uvicorn uses), then streams the body to the proxy.

What it keeps of the client it replaces:

* a bounded pool per upstream (``limit`` connections in use; more requests wait for one), idle
  connections reused most recent first and dropped once the upstream closed them, or once idle
  for :data:`IDLE_S` — before the upstream's own keep-alive timeout closes them: a request
  written just as the upstream closes its end is reset, and a POST cannot be sent again (the
  journey benchmark's eight journeys at once met it: a 502 for an audit's transition);
* a request on a reused connection the upstream closed before answering (its keep-alive timeout
  raced with the request) is sent again once on a new connection if it is idempotent and has
  no body — never a request whose first bytes may have been acted upon otherwise;
* ``connect_timeout`` for connecting, ``read_timeout`` for each wait on the upstream (the head,
  then each part of the body): :class:`UpstreamTimeout`; a refused or broken connection or an
  unparseable answer: :class:`UpstreamUnavailable`;
* a request body streamed with its ``Content-Length``, or chunked when it has none; the answer's
  body streamed with back-pressure (reading pauses while the proxy has not sent what it holds);
* no header value with a line break is ever written (no request splitting);
* the ``Host`` is the upstream's, unless the caller gives one (a balancer passing its client's
  on): then that one, once.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httptools


class UpstreamTimeout(Exception):
    """The upstream did not answer in time."""


class UpstreamUnavailable(Exception):
    """The upstream could not be reached or broke the connection."""


#: How long an idle connection is kept for reuse: below the keep-alive timeout of the servers
#: behind the gateway (uvicorn's 5 s, which the services keep: ``cap_shared.cli``).
IDLE_S = 4.0
#: Methods sent again once on a fresh connection when a reused one was closed under them.
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
#: Methods whose request without a body says so with ``Content-Length: 0`` (as aiohttp did).
_BODYLESS_OK = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "CONNECT"})
#: Pause reading from the upstream above this many bytes not yet taken by the proxy.
HIGH_WATER = 256 * 1024
LOW_WATER = 64 * 1024


class _Connection(asyncio.Protocol):
    """One keep-alive connection to an upstream, one exchange at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.loop = asyncio.get_running_loop()
        self.closed = False
        self.reused = False
        self.idle_since = 0.0
        self._writable = True
        self._drain: asyncio.Future[None] | None = None
        self._begin(head_only=False)

    def _begin(self, *, head_only: bool) -> None:
        self.head_only = head_only
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.head: asyncio.Future[None] = self.loop.create_future()
        self.chunks: deque[bytes] = deque()
        self.buffered = 0
        self.complete = False
        self.keep_alive = False
        self.until_eof = False
        self.informational = False
        self.received = False
        self.error: Exception | None = None
        self.waiter: asyncio.Future[None] | None = None
        self.paused = False
        #: The request body was not sent whole (the upstream answered first).
        self.cut = False

    # asyncio protocol ------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Connected."""
        self.transport = transport  # type: ignore[assignment]  # a stream transport

    def data_received(self, data: bytes) -> None:
        """Feed the parser (its callbacks below)."""
        self.received = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(UpstreamUnavailable(f"invalid answer from the upstream: {exc}"))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        """The upstream (or we) closed the connection."""
        self.closed = True
        if self.head.done() and self.until_eof and not self.complete:
            self.complete = True  # a body delimited by the end of the connection
            self._wake()
        elif not self.complete:
            reason = f": {exc}" if exc else ""
            self._fail(UpstreamUnavailable(f"the upstream closed the connection{reason}"))
        if self._drain is not None and not self._drain.done():
            self._drain.set_exception(UpstreamUnavailable("the upstream closed the connection"))

    def pause_writing(self) -> None:
        """The socket's buffer is full: the request body waits."""
        self._writable = False

    def resume_writing(self) -> None:
        """The socket's buffer drained."""
        self._writable = True
        if self._drain is not None and not self._drain.done():
            self._drain.set_result(None)

    # llhttp callbacks --------------------------------------------------------------------
    def on_header(self, name: bytes, value: bytes) -> None:
        """One header of the answer (names as the upstream spelled them)."""
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        """The head: the proxy may start answering."""
        status = self.parser.get_status_code()
        if status < 200:  # an interim answer (100 Continue...): the final one follows
            self.informational = True
            self.headers = []
            return
        self.status = status
        self.keep_alive = self.parser.should_keep_alive()
        if status not in (204, 304) and not self.head_only:
            names = {k.lower() for k, _ in self.headers}
            self.until_eof = b"content-length" not in names and b"transfer-encoding" not in names
        if self.head_only:  # llhttp would wait for the body a HEAD's Content-Length announces
            self.complete, self.keep_alive = True, False
        if not self.head.done():
            self.head.set_result(None)

    def on_body(self, body: bytes) -> None:
        """Part of the answer's body."""
        if self.head_only:
            return
        self.chunks.append(body)
        self.buffered += len(body)
        if self.buffered > HIGH_WATER and not self.paused and self.transport is not None:
            self.paused = True
            self.transport.pause_reading()
        self._wake()

    def on_message_complete(self) -> None:
        """The whole answer is in."""
        if self.informational:
            self.informational = False
            return
        self.complete = True
        self._wake()

    # helpers ------------------------------------------------------------------------------
    def _wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    def _fail(self, error: Exception) -> None:
        self.error = error
        if not self.head.done():
            self.head.set_exception(error)
            self.head.exception()  # retrieved: no "never retrieved" warning if nobody waits
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(error)

    def close(self) -> None:
        """Close the connection (never reused)."""
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    async def wait(self, timeout: float, what: str) -> None:
        """Wait for more of the answer, at most ``timeout`` seconds."""
        self.waiter = waiter = self.loop.create_future()
        timer = self.loop.call_later(
            timeout, _time_out, waiter, f"no {what} from the upstream in {timeout}s"
        )
        try:
            await waiter
        finally:
            timer.cancel()
            self.waiter = None

    async def drain(self) -> None:
        """Wait until the socket takes more of the request body."""
        if self._writable:
            return
        self._drain = self.loop.create_future()
        try:
            await self._drain
        finally:
            self._drain = None


class Answer:
    """An upstream's answer: status and raw headers, then the body as it arrives."""

    def __init__(self, pool: UpstreamPool, connection: _Connection) -> None:
        self._pool = pool
        self._connection: _Connection | None = connection
        self.status = connection.status
        self.headers = connection.headers

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self.body()

    async def body(self) -> AsyncIterator[bytes]:
        """The body's parts as they arrive (each one at once: no coalescing)."""
        connection = self._connection
        while connection is not None:
            chunks = connection.chunks
            if chunks:
                chunk = chunks.popleft()
                connection.buffered -= len(chunk)
                if (
                    connection.paused
                    and connection.buffered < LOW_WATER
                    and connection.transport is not None
                ):
                    connection.paused = False
                    connection.transport.resume_reading()
                yield chunk
            elif connection.complete:
                return
            elif connection.error is not None:
                raise connection.error
            else:
                await connection.wait(self._pool.read_timeout, "answer")
            connection = self._connection

    async def close(self) -> None:
        """Give the connection back (complete and reusable) or close it."""
        connection, self._connection = self._connection, None
        if connection is not None:
            self._pool.release(connection)


def _line_breaks(text: str) -> bool:
    return "\n" in text or "\r" in text


class UpstreamPool:
    """Keep-alive connections to one upstream (``http://host:port``, or ``https://`` with the
    system's trusted certificates), ``limit`` at most in use."""

    def __init__(
        self,
        base_url: str,
        *,
        limit: int = 256,
        connect_timeout: float,
        read_timeout: float,
        idle_timeout: float = IDLE_S,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            msg = f"an upstream is an http(s) URL of a host: {base_url!r}"
            raise ValueError(msg)
        self.host = parts.hostname
        self.tls = ssl.create_default_context() if parts.scheme == "https" else None
        self.port = parts.port or (443 if self.tls else 80)
        self.host_header = parts.netloc.rpartition("@")[2]
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.idle_timeout = idle_timeout
        self._idle: deque[_Connection] = deque()
        self._slots = asyncio.Semaphore(limit)

    async def request(
        self,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        body: AsyncIterator[bytes] | None,
    ) -> Answer:
        """Send one request and wait for the answer's head."""
        if _line_breaks(method) or _line_breaks(target) or " " in target:
            raise UpstreamUnavailable("a request target or method the proxy will not write")
        await self._slots.acquire()
        try:
            for attempt in (1, 2):
                connection = await self._connection()
                try:
                    await self._exchange(connection, method, target, headers, body)
                except UpstreamUnavailable:
                    connection.close()
                    retry = (
                        connection.reused
                        and not connection.received
                        and body is None
                        and method in IDEMPOTENT
                        and attempt == 1
                    )
                    if retry:
                        continue
                    raise
                except BaseException:
                    connection.close()
                    raise
                return Answer(self, connection)
            raise AssertionError("unreachable")  # pragma: no cover
        except BaseException:
            self._slots.release()
            raise

    def release(self, connection: _Connection) -> None:
        """The proxy is done with an answer: its connection goes back to the pool or closes."""
        reusable = (
            connection.complete
            and connection.keep_alive
            and not connection.cut
            and not connection.closed
            and not connection.chunks
            and connection.error is None
        )
        if reusable:
            connection.reused = True
            connection.idle_since = connection.loop.time()
            self._idle.append(connection)
        else:
            connection.close()
        self._slots.release()

    async def _connection(self) -> _Connection:
        loop = asyncio.get_running_loop()
        while self._idle:
            connection = self._idle.pop()  # the most recently used: the least likely closed
            if loop.time() - connection.idle_since >= self.idle_timeout:
                # idle too long, and every other one longer: the upstream may be closing them
                connection.close()
                while self._idle:
                    self._idle.pop().close()
                break
            transport = connection.transport
            if not connection.closed and transport is not None and not transport.is_closing():
                return connection
            connection.close()
        try:
            async with asyncio.timeout(self.connect_timeout):
                _transport, connection = await loop.create_connection(
                    _Connection, self.host, self.port, ssl=self.tls
                )
        except TimeoutError as exc:
            raise UpstreamTimeout(
                f"could not connect to {self.host_header} in {self.connect_timeout}s"
            ) from exc
        except OSError as exc:
            raise UpstreamUnavailable(
                f"could not connect to {self.host_header}: {exc.strerror or exc}"
            ) from exc
        return connection

    async def _exchange(
        self,
        connection: _Connection,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        body: AsyncIterator[bytes] | None,
    ) -> None:
        connection._begin(head_only=method == "HEAD")
        if connection.closed or connection.transport is None:
            raise UpstreamUnavailable("the upstream closed the connection")
        lines = [f"{method} {target} HTTP/1.1\r\n"]
        has_length = has_host = False
        for name, value in headers:
            if _line_breaks(name) or _line_breaks(value):
                raise UpstreamUnavailable(f"a header the proxy will not write: {name!r}")
            lower = name.lower()
            if lower == "content-length":
                has_length = True
            elif lower == "host":
                if has_host:
                    continue  # one Host only (RFC 9112 §3.2): the first given
                has_host = True
            lines.append(f"{name}: {value}\r\n")
        if not has_host:
            lines.insert(1, f"Host: {self.host_header}\r\n")
        chunked = body is not None and not has_length
        if chunked:
            lines.append("Transfer-Encoding: chunked\r\n")
        elif body is None and not has_length and method not in _BODYLESS_OK:
            lines.append("Content-Length: 0\r\n")
        lines.append("\r\n")
        transport = connection.transport
        transport.write("".join(lines).encode("latin-1"))
        if body is not None:
            try:
                await self._send_body(connection, body, chunked=chunked)
            except UpstreamUnavailable:
                if not (connection.head.done() and connection.error is None):
                    raise
                connection.cut = True  # answered whole, then closed, before the body was sent
        if not connection.head.done():
            await _wait_head(connection, self.read_timeout)
        connection.head.result()  # the upstream's failure, if it failed

    @staticmethod
    async def _send_body(
        connection: _Connection, body: AsyncIterator[bytes], *, chunked: bool
    ) -> None:
        transport = connection.transport
        assert transport is not None
        async for chunk in body:
            if connection.head.done() and connection.error is None:
                # Answered before the whole body was sent (an early refusal): that answer is
                # the proxy's; the connection, mid-request, is never reused.
                connection.cut = True
                return
            if connection.closed:
                raise connection.error or UpstreamUnavailable("the upstream closed the connection")
            if not chunk:
                continue
            if chunked:
                transport.write(b"%x\r\n%b\r\n" % (len(chunk), chunk))
            else:
                transport.write(chunk)
            await connection.drain()
        if chunked:
            transport.write(b"0\r\n\r\n")

    async def aclose(self) -> None:
        """Close the idle connections (those in use close when their answer is released)."""
        while self._idle:
            self._idle.pop().close()


def _time_out(waiter: asyncio.Future[None], message: str) -> None:
    if not waiter.done():
        waiter.set_exception(UpstreamTimeout(message))


async def _wait_head(connection: _Connection, timeout: float) -> None:
    head = connection.head
    timer = connection.loop.call_later(
        timeout, _time_out, head, f"no answer from the upstream in {timeout}s"
    )
    try:
        await head
    finally:
        timer.cancel()


def pools_of(
    bases: dict[str, str], *, connect_timeout: float, read_timeout: float, limit: int = 256
) -> dict[str, UpstreamPool]:
    """One pool per network upstream."""
    return {
        name: UpstreamPool(
            url, limit=limit, connect_timeout=connect_timeout, read_timeout=read_timeout
        )
        for name, url in bases.items()
    }


__all__ = ["Answer", "UpstreamPool", "UpstreamTimeout", "UpstreamUnavailable", "pools_of"]
