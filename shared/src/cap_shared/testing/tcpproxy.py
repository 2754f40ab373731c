"""An in-process TCP proxy to cut or pause a connection to a real server (fault injection).

The same idea aio-pika's own tests use (aiomisc's TCPProxy): point the client at the proxy, then
``disconnect_all()`` (TCP loss) or ``pause()`` (server unreachable: new connections refused, open
ones closed) and ``resume()``. The real broker stays up for the other tests running in parallel.
"""

from __future__ import annotations

import asyncio
import contextlib


class TCPProxy:
    """Forward 127.0.0.1:<port> to ``target_host:target_port``."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target_host = target_host
        self.target_port = target_port
        self.port = 0
        self._server: asyncio.Server | None = None
        self._links: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._flowing = asyncio.Event()
        self._flowing.set()

    async def start(self) -> None:
        """Listen on a free port (kept across pause/resume)."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(self.target_host, self.target_port)
        except OSError:
            writer.close()
            return
        link = (writer, up_writer)
        self._links.add(link)
        for src, dst in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(src, dst, link))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pipe(
        self,
        src: asyncio.StreamReader,
        dst: asyncio.StreamWriter,
        link: tuple[asyncio.StreamWriter, asyncio.StreamWriter],
    ) -> None:
        try:
            while data := await src.read(65536):
                await self._flowing.wait()
                dst.write(data)
                await dst.drain()
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            for w in link:
                with contextlib.suppress(Exception):
                    w.close()
            self._links.discard(link)

    def stall(self) -> None:
        """Keep connections open but stop forwarding: the peer hangs (aio-pika #636)."""
        self._flowing.clear()

    def unstall(self) -> None:
        """Forward again."""
        self._flowing.set()

    def disconnect_all(self) -> None:
        """Drop every open connection (both sides see a reset)."""
        for client, upstream in list(self._links):
            for w in (client, upstream):
                with contextlib.suppress(Exception):
                    w.transport.abort()
        self._links.clear()

    async def pause(self) -> None:
        """Stop listening and drop open connections: the server looks down."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        self.disconnect_all()

    async def resume(self) -> None:
        """Listen again on the same port."""
        if self._server is None:
            self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def close(self) -> None:
        """Stop everything."""
        self._flowing.set()
        await self.pause()
        for task in list(self._tasks):
            task.cancel()
