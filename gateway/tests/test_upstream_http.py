"""The proxy's own HTTP/1.1 client (cap_gateway.upstream_http) against a real server over TCP:
keep-alive reuse, streamed bodies both ways, HEAD, interim answers, a connection the upstream
closed, timeouts and refusals, and nothing written that could split a request."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from cap_gateway.upstream_http import IDLE_S, UpstreamPool, UpstreamTimeout, UpstreamUnavailable
from cap_shared.opsport import EmbeddedServer
from cap_shared.testing.messaging import wait_until
from cap_shared.testing.net import free_port

peers: list[tuple[str, int]] = []


async def echo(request: Request) -> JSONResponse:
    body = await request.body()
    client = request.scope["client"]
    peers.append(client)
    return JSONResponse(
        {
            "method": request.method,
            "size": len(body),
            "sum": sum(body) % 65_536,
            "headers": dict(request.headers.items()),
            "query": request.url.query,
        }
    )


async def big(_request: Request) -> StreamingResponse:
    async def parts() -> AsyncIterator[bytes]:
        for n in range(64):
            yield bytes([n]) * 32_768  # 2 MiB, chunked

    return StreamingResponse(parts(), media_type="application/octet-stream")


async def events(_request: Request) -> StreamingResponse:
    async def stream() -> AsyncIterator[bytes]:
        yield b"data: first\n\n"
        await asyncio.sleep(0.3)
        yield b"data: second\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream")


async def closing(_request: Request) -> Response:
    return Response(b"bye", headers={"Connection": "close"})


async def slow(_request: Request) -> Response:
    await asyncio.sleep(2)
    return Response(b"late")


app = Starlette(
    routes=[
        Route("/big", big),
        Route("/events", events),
        Route("/closing", closing),
        Route("/slow", slow),
        Route("/{path:path}", echo, methods=["GET", "POST", "PUT", "HEAD", "DELETE"]),
    ]
)


@pytest.fixture
async def upstream() -> AsyncIterator[str]:
    port = free_port()
    server = EmbeddedServer(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    await wait_until(lambda: server.started, message="the upstream server started")
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


def pool_of(url: str, **options: float) -> UpstreamPool:
    return UpstreamPool(
        url,
        connect_timeout=options.get("connect_timeout", 2.0),
        read_timeout=options.get("read_timeout", 5.0),
    )


async def fetch(
    pool: UpstreamPool,
    method: str,
    target: str,
    headers: list[tuple[str, str]] | None = None,
    body: AsyncIterator[bytes] | None = None,
) -> tuple[int, dict[bytes, bytes], bytes]:
    answer = await pool.request(method, target, headers or [], body)
    try:
        received = b"".join([chunk async for chunk in answer.body()])
    finally:
        await answer.close()
    return answer.status, {k.lower(): v for k, v in answer.headers}, received


async def test_answers_come_back_on_one_kept_alive_connection(upstream: str) -> None:
    pool = pool_of(upstream)
    peers.clear()
    for n in range(5):
        status, headers, body = await fetch(
            pool, "GET", f"/x?n={n}", [("X-Request-ID", "r"), ("Authorization", "Bearer t")]
        )
        assert status == 200
        assert headers[b"content-type"] == b"application/json"
        seen = json.loads(body)
        assert seen["query"] == f"n={n}"
        assert seen["headers"]["authorization"] == "Bearer t"
        assert seen["headers"]["host"] == upstream.removeprefix("http://")
    assert len(set(peers)) == 1  # the same client port every time
    await pool.aclose()


async def test_request_bodies_stream_with_their_length_or_chunked(upstream: str) -> None:
    pool = pool_of(upstream)

    async def parts() -> AsyncIterator[bytes]:
        for n in range(40):
            yield bytes([n % 256]) * 10_000

    expected = sum(n % 256 for n in range(40)) * 10_000 % 65_536
    _, _, chunked = await fetch(pool, "POST", "/upload", body=parts())
    assert json.loads(chunked)["size"] == 400_000
    assert json.loads(chunked)["sum"] == expected
    assert json.loads(chunked)["headers"]["transfer-encoding"] == "chunked"
    _, _, sized = await fetch(pool, "PUT", "/upload", [("Content-Length", "400000")], body=parts())
    assert json.loads(sized)["size"] == 400_000
    assert "transfer-encoding" not in json.loads(sized)["headers"]
    _, _, empty = await fetch(pool, "POST", "/nothing")
    assert json.loads(empty)["headers"]["content-length"] == "0"
    await pool.aclose()


async def test_a_large_answer_streams_in_parts_and_an_event_stream_part_by_part(
    upstream: str,
) -> None:
    pool = pool_of(upstream)
    status, _, body = await fetch(pool, "GET", "/big")
    assert status == 200
    assert body == b"".join(bytes([n]) * 32_768 for n in range(64))

    answer = await pool.request("GET", "/events", [], None)
    parts = answer.body()
    started = asyncio.get_running_loop().time()
    first = await anext(parts)
    assert first == b"data: first\n\n"
    assert asyncio.get_running_loop().time() - started < 0.25  # not held for the next one
    assert await anext(parts) == b"data: second\n\n"
    await answer.close()
    # The pool still works after a streamed answer.
    assert (await fetch(pool, "GET", "/after"))[0] == 200
    await pool.aclose()


async def test_head_and_connection_close_answers_end_without_hanging(upstream: str) -> None:
    pool = pool_of(upstream, read_timeout=2.0)
    status, headers, body = await asyncio.wait_for(fetch(pool, "HEAD", "/x"), 3)
    assert (status, body) == (200, b"")
    assert int(headers[b"content-length"]) > 0
    assert (await asyncio.wait_for(fetch(pool, "GET", "/closing"), 3))[2] == b"bye"
    assert (await fetch(pool, "GET", "/x"))[0] == 200  # on a new connection
    await pool.aclose()


async def test_a_connection_idle_past_the_limit_is_not_reused(upstream: str) -> None:
    """Idle connections are dropped before the upstream's keep-alive timeout can close them
    under a request: a POST on a connection the upstream is closing could not be sent again."""
    pool = UpstreamPool(upstream, connect_timeout=2.0, read_timeout=5.0, idle_timeout=0.2)
    peers.clear()
    for n in range(3):
        assert (await fetch(pool, "GET", f"/x?n={n}"))[0] == 200
    assert len(set(peers)) == 1  # kept alive while used
    await asyncio.sleep(0.3)
    status, _, body = await fetch(pool, "POST", "/x")
    assert (status, json.loads(body)["method"]) == (200, "POST")
    assert len(set(peers)) == 2  # on a new connection
    await pool.aclose()


def test_idle_connections_go_before_the_services_keep_alive_timeout() -> None:
    """The services serve with uvicorn's keep-alive timeout (cap_shared.cli sets none)."""
    assert uvicorn.Config(app).timeout_keep_alive > IDLE_S


async def raw_server(
    handle: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
) -> tuple[asyncio.Server, str]:
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}"


async def read_head(reader: asyncio.StreamReader) -> bytes:
    return await reader.readuntil(b"\r\n\r\n")


async def test_a_kept_connection_the_upstream_closed_is_retried_for_an_idempotent_request() -> None:
    connections = 0

    async def once_then_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        await read_head(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        # Keep-alive announced, then the next request is read and dropped unanswered (the
        # upstream's keep-alive timeout racing with it).
        with contextlib.suppress(asyncio.IncompleteReadError):
            await read_head(reader)
        writer.close()

    server, url = await raw_server(once_then_close)
    pool = pool_of(url)
    assert (await fetch(pool, "GET", "/a"))[2] == b"ok"
    assert (await fetch(pool, "GET", "/b"))[2] == b"ok"  # sent again on a new connection
    assert connections == 2
    with pytest.raises(UpstreamUnavailable):  # a POST is never sent twice
        await fetch(pool, "POST", "/c", [("Content-Length", "0")])
    await pool.aclose()
    server.close()


async def test_interim_answers_are_skipped_and_a_broken_answer_is_unavailable() -> None:
    async def interim(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await read_head(reader)
        if head.startswith(b"GET /broken"):
            writer.write(b"HTTP/1.1 2x0 nonsense\r\n\r\n")
        else:
            writer.write(
                b"HTTP/1.1 100 Continue\r\n\r\n"
                b"HTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\ndone"
            )
        await writer.drain()
        writer.close()

    server, url = await raw_server(interim)
    pool = pool_of(url)
    status, _, body = await fetch(pool, "GET", "/interim")
    assert (status, body) == (201, b"done")
    with pytest.raises(UpstreamUnavailable):
        await fetch(pool, "GET", "/broken")
    await pool.aclose()
    server.close()


async def test_an_answer_delimited_by_the_connection_end_is_whole() -> None:
    async def until_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it")
        await writer.drain()
        writer.close()

    server, url = await raw_server(until_close)
    pool = pool_of(url)
    assert (await fetch(pool, "GET", "/x"))[2] == b"all of it"
    await pool.aclose()
    server.close()


async def test_timeouts_refusals_and_line_breaks(upstream: str) -> None:
    pool = pool_of(upstream, read_timeout=0.3)
    with pytest.raises(UpstreamTimeout):
        await fetch(pool, "GET", "/slow")
    assert (await fetch(pool, "GET", "/x"))[0] == 200  # the pool goes on
    with pytest.raises(UpstreamUnavailable):
        await fetch(pool, "GET", "/x", [("X-Injected", "a\r\nX-Smuggled: b")])
    with pytest.raises(UpstreamUnavailable):
        await fetch(pool, "GET", "/x?a=1 HTTP/1.1\r\nX-Smuggled: b")
    await pool.aclose()

    refused = pool_of(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(UpstreamUnavailable, match="could not connect"):
        await fetch(refused, "GET", "/x")

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)

    server, url = await raw_server(silent)
    quiet = pool_of(url, read_timeout=0.3)
    with pytest.raises(UpstreamTimeout):
        await fetch(quiet, "GET", "/x")
    await quiet.aclose()
    server.close()


async def test_the_pool_bounds_the_connections_in_use(upstream: str) -> None:
    pool = UpstreamPool(upstream, limit=2, connect_timeout=2.0, read_timeout=5.0)
    first = await pool.request("GET", "/x", [], None)
    second = await pool.request("GET", "/x", [], None)
    third = asyncio.create_task(pool.request("GET", "/x", [], None))
    await asyncio.sleep(0.2)
    assert not third.done()  # waits for a connection to be given back
    await first.close()
    answer = await asyncio.wait_for(third, 2)
    assert answer.status == 200
    await second.close()
    await answer.close()
    await pool.aclose()


async def test_an_answer_before_the_whole_body_is_the_answer() -> None:
    async def refuse_early(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        writer.write(b"HTTP/1.1 413 Content Too Large\r\nContent-Length: 3\r\n\r\nbig")
        await writer.drain()
        await asyncio.sleep(0.2)
        writer.close()

    server, url = await raw_server(refuse_early)
    pool = pool_of(url)

    async def slow_parts() -> AsyncIterator[bytes]:
        for _ in range(20):
            await asyncio.sleep(0.05)
            yield b"x" * 65_536

    status, _, body = await fetch(pool, "POST", "/upload", body=slow_parts())
    assert (status, body) == (413, b"big")
    await pool.aclose()
    server.close()
