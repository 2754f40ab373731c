"""An upstream's streamed answer (Server-Sent Events) relayed to an ASGI client: each part as
soon as it comes, until the upstream ends it or the client goes (the gateway's proxy and the
standalone topology's balancer)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.types import Receive, Send


async def relay_stream(parts: AsyncIterator[bytes], receive: Receive, send: Send) -> None:
    """Send ``parts`` as the answer's body (its start already sent), each at once; stop reading
    them when the client disconnects. An upstream failure is raised, not swallowed."""

    async def pump() -> None:
        async for chunk in parts:
            if chunk:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def disconnected() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    tasks = {asyncio.create_task(pump()), asyncio.create_task(disconnected())}
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    for task in pending:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    for task in done:
        task.result()
