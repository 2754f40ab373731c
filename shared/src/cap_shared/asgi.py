"""Calling an ASGI app in-process with its answer streamed, as a network server would give it.

httpx's own ``ASGITransport`` runs the app to the end before returning the response: a
long-lived answer (a Server-Sent Events stream) never arrives, and a large one is held whole in
memory. :class:`StreamingASGITransport` runs the app in a task instead and hands back the
response as soon as the app has started it, its body chunk by chunk as the app sends them:

* the request body is streamed to the app as it asks for it (``http.request`` messages);
* closing the response before its end sends ``http.disconnect`` to the app, which is given
  ``grace_s`` to finish, then cancelled; after its end, what the app does once its answer is
  sent (background work, middleware) finishes first — no task outlives the response;
* an exception of the app is raised to the caller: from ``handle_async_request`` when it comes
  before the response starts, else from reading the body (``raise_app_exceptions=False``: a
  500, or the body cut short, instead).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

import httpx

Message = MutableMapping[str, Any]
ASGIApp = Callable[
    [
        MutableMapping[str, Any],
        Callable[[], Awaitable[Message]],
        Callable[[Message], Awaitable[None]],
    ],
    Awaitable[None],
]

#: Marks the end of the app's messages in the body queue (it returned or raised).
_DONE: Message = {"type": "cap.app.done"}


class _Exchange:
    """One request to the app: its task, what it sent, whether the client went away."""

    def __init__(self, app: ASGIApp, scope: dict[str, Any], request: httpx.Request) -> None:
        self.app = app
        self.scope = scope
        assert isinstance(request.stream, httpx.AsyncByteStream)
        self.request_body = request.stream.__aiter__()
        self.request_done = False
        self.head = request.method == "HEAD"
        self.started: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        self.body: asyncio.Queue[Message] = asyncio.Queue()
        self.disconnected = asyncio.Event()
        self.complete = False  # the app sent its last body chunk
        self.error: BaseException | None = None
        self.task = asyncio.create_task(self._run(), name=f"asgi {request.method} {request.url}")

    async def _run(self) -> None:
        try:
            await self.app(self.scope, self.receive, self.send)
        except asyncio.CancelledError:
            if not self.started.done():
                self.started.cancel()
            raise
        except Exception as exc:  # handed to the caller, never swallowed
            self.error = exc
            if not self.started.done():
                self.started.set_exception(exc)
        finally:
            if not self.started.done():
                self.started.set_exception(RuntimeError("the app returned without a response"))
            self.body.put_nowait(_DONE)

    async def receive(self) -> Message:
        if self.disconnected.is_set():
            return {"type": "http.disconnect"}
        if not self.request_done:
            try:
                chunk = await self.request_body.__anext__()
            except StopAsyncIteration:
                self.request_done = True
                return {"type": "http.request", "body": b"", "more_body": False}
            return {"type": "http.request", "body": chunk, "more_body": True}
        await self.disconnected.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            if self.started.done():
                raise RuntimeError("the app started its response twice")
            self.started.set_result(message)
        elif message["type"] == "http.response.body":
            if not self.started.done():
                raise RuntimeError("the app sent a body before starting its response")
            if self.complete or self.disconnected.is_set():
                return  # the client has gone: nothing more is read
            if not message.get("more_body", False):
                self.complete = True
            self.body.put_nowait(message)

    async def close(self, grace_s: float) -> None:
        """The client is done: a disconnect for the app, then its task ends. An app that sent
        its whole answer finishes what it does after it (as with httpx's transport); one cut
        short is cancelled if it does not end within ``grace_s``."""
        self.disconnected.set()
        if self.complete:
            await asyncio.wait({self.task})
        elif not self.task.done():
            await asyncio.wait({self.task}, timeout=grace_s)
        if not self.task.done():
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task


class _Body(httpx.AsyncByteStream):
    """The response body as the app sends it."""

    def __init__(self, exchange: _Exchange, *, raise_errors: bool, grace_s: float) -> None:
        self.exchange = exchange
        self.raise_errors = raise_errors
        self.grace_s = grace_s

    async def __aiter__(self) -> AsyncIterator[bytes]:
        exchange = self.exchange
        while True:
            message = await exchange.body.get()
            if message is _DONE:
                break
            chunk = message.get("body", b"")
            if chunk and not exchange.head:
                yield bytes(chunk)
            if not message.get("more_body", False):
                break
        if not exchange.complete:  # the app ended (or failed) without its last chunk
            await exchange.task
            if exchange.error is not None and self.raise_errors:
                raise exchange.error

    async def aclose(self) -> None:
        exchange = self.exchange
        await exchange.close(self.grace_s)
        if exchange.error is not None and self.raise_errors and exchange.complete:
            raise exchange.error  # failed after its last chunk: still the caller's to know


class StreamingASGITransport(httpx.AsyncBaseTransport):
    """An httpx transport to an ASGI app in this process, its answers streamed.

    ``grace_s``: how long the app has to end once the response is closed before its task is
    cancelled (it is sent ``http.disconnect`` first).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        raise_app_exceptions: bool = True,
        root_path: str = "",
        client: tuple[str, int] = ("127.0.0.1", 123),
        grace_s: float = 1.0,
    ) -> None:
        self.app = app
        self.raise_app_exceptions = raise_app_exceptions
        self.root_path = root_path
        self.client = client
        self.grace_s = grace_s

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Run the request through the app, its answer streamed back as the app sends it."""
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "headers": [(k.lower(), v) for (k, v) in request.headers.raw],
            "scheme": request.url.scheme,
            "path": request.url.path,
            "raw_path": request.url.raw_path.split(b"?")[0],
            "query_string": request.url.query,
            "server": (request.url.host, request.url.port),
            "client": self.client,
            "root_path": self.root_path,
        }
        exchange = _Exchange(self.app, scope, request)
        try:
            start = await asyncio.shield(exchange.started)
        except asyncio.CancelledError:
            await exchange.close(0)
            raise
        except Exception:
            await exchange.close(self.grace_s)
            if self.raise_app_exceptions:
                raise
            return httpx.Response(500, headers=[], stream=httpx.ByteStream(b""))
        body = _Body(exchange, raise_errors=self.raise_app_exceptions, grace_s=self.grace_s)
        return httpx.Response(start["status"], headers=start.get("headers", []), stream=body)
