"""The in-process transport that streams: what a network server would give, without buffering."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from cap_shared.asgi import StreamingASGITransport


class Ticker:
    """An endless event stream whose chunks are released one by one by the test."""

    def __init__(self) -> None:
        self.release = asyncio.Queue[str]()
        self.ended = asyncio.Event()
        self.disconnected = asyncio.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/event-stream")],
            }
        )

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            self.disconnected.set()

        watcher = asyncio.create_task(watch())
        try:
            while not self.disconnected.is_set():
                getter = asyncio.ensure_future(self.release.get())
                gone = asyncio.ensure_future(self.disconnected.wait())
                done, pending = await asyncio.wait(
                    {getter, gone}, return_when=asyncio.FIRST_COMPLETED
                )
                for task in pending:
                    task.cancel()
                if getter in done:
                    data = getter.result().encode()
                    await send({"type": "http.response.body", "body": data, "more_body": True})
        finally:
            watcher.cancel()
            self.ended.set()


def _tasks() -> set[asyncio.Task[Any]]:
    return {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}


async def test_chunks_arrive_as_they_are_sent_and_closing_disconnects_the_app() -> None:
    ticker = Ticker()
    before = _tasks()
    async with (
        httpx.AsyncClient(transport=StreamingASGITransport(ticker), base_url="http://t") as client,
        client.stream("GET", "/events") as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/event-stream"
        chunks = response.aiter_raw()
        for n in range(3):
            await ticker.release.put(f"data: {n}\n\n")
            assert await asyncio.wait_for(chunks.__anext__(), 2) == f"data: {n}\n\n".encode()
    # the response is closed: the app heard the disconnect and ended, no task is left
    assert ticker.disconnected.is_set()
    assert ticker.ended.is_set()
    await asyncio.sleep(0)
    assert _tasks() <= before


async def test_an_app_that_ignores_the_disconnect_is_cancelled_after_the_grace() -> None:
    cancelled = asyncio.Event()

    async def stubborn(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"first", "more_body": True})
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    before = _tasks()
    transport = StreamingASGITransport(stubborn, grace_s=0.05)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://t") as client,
        client.stream("GET", "/") as response,
    ):
        assert await response.aiter_raw().__anext__() == b"first"
    assert cancelled.is_set()
    assert _tasks() <= before


def _app() -> Starlette:
    async def echo(request: Request) -> Response:
        chunks = [chunk async for chunk in request.stream() if chunk]
        return JSONResponse({"chunks": len(chunks), "body": b"".join(chunks).decode()})

    async def big(request: Request) -> Response:
        async def parts() -> AsyncIterator[bytes]:
            for n in range(100):
                yield f"{n:03d}".encode()

        return StreamingResponse(parts(), media_type="text/plain")

    async def boom(request: Request) -> Response:
        raise ValueError("boom before the answer")

    async def half(request: Request) -> Response:
        async def parts() -> AsyncIterator[bytes]:
            yield b"half"
            raise ValueError("boom in the middle")

        return StreamingResponse(parts(), media_type="text/plain")

    async def plain(request: Request) -> Response:
        return PlainTextResponse("bonjour", headers={"x-kept": "oui"})

    return Starlette(
        routes=[
            Route("/echo", echo, methods=["POST"]),
            Route("/big", big),
            Route("/boom", boom),
            Route("/half", half),
            Route("/plain", plain, methods=["GET", "HEAD"]),
        ]
    )


async def test_ordinary_answers_are_the_same_as_with_httpx() -> None:
    app = _app()
    async with httpx.AsyncClient(
        transport=StreamingASGITransport(app), base_url="http://t"
    ) as client:
        plain = await client.get("/plain?x=1")
        assert (plain.status_code, plain.text, plain.headers["x-kept"]) == (200, "bonjour", "oui")
        head = await client.head("/plain")
        assert head.status_code == 200
        assert head.content == b""
        big = await client.get("/big")
        assert big.text == "".join(f"{n:03d}" for n in range(100))
        missing = await client.get("/nowhere")
        assert missing.status_code == 404


async def test_the_request_body_is_streamed_to_the_app() -> None:
    async def body() -> AsyncIterator[bytes]:
        for part in (b"un ", b"deux ", b"trois"):
            yield part

    async with httpx.AsyncClient(
        transport=StreamingASGITransport(_app()), base_url="http://t"
    ) as client:
        answer = await client.post("/echo", content=body())
    assert answer.json() == {"chunks": 3, "body": "un deux trois"}


async def test_the_apps_exceptions_reach_the_caller() -> None:
    before = _tasks()
    async with httpx.AsyncClient(
        transport=StreamingASGITransport(_app()), base_url="http://t"
    ) as client:
        with pytest.raises(ValueError, match="boom before the answer"):
            await client.get("/boom")
        with pytest.raises(ValueError, match="boom in the middle"):
            await client.get("/half")
    assert _tasks() <= before


async def test_without_raising_an_exception_is_a_500() -> None:
    transport = StreamingASGITransport(_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answer = await client.get("/boom")
    assert answer.status_code == 500


async def test_an_app_that_never_answers_is_an_error() -> None:
    async def silent(scope: Any, receive: Any, send: Any) -> None:
        return None

    async with httpx.AsyncClient(
        transport=StreamingASGITransport(silent), base_url="http://t"
    ) as client:
        with pytest.raises(RuntimeError, match="without a response"):
            await client.get("/")


async def test_a_caller_cancelled_while_waiting_leaves_no_task() -> None:
    started = asyncio.Event()

    async def slow(scope: Any, receive: Any, send: Any) -> None:
        started.set()
        await asyncio.sleep(3600)

    before = _tasks()
    async with httpx.AsyncClient(
        transport=StreamingASGITransport(slow), base_url="http://t"
    ) as client:
        call = asyncio.create_task(client.get("/"))
        await started.wait()
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
    assert _tasks() <= before


async def test_work_after_the_whole_answer_is_finished_not_cancelled() -> None:
    finished = asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done", "more_body": False})
        await asyncio.sleep(0.2)  # e.g. a background task, longer than the grace
        finished.set()

    transport = StreamingASGITransport(app, grace_s=0.01)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answer = await client.get("/")
    assert answer.text == "done"
    assert finished.is_set()
