"""`make up`'s front: one origin for the console and the gateway, routed as the one-process
dispatch, forwarding everything but the client's claims about its address."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from cap_standalone.dispatch import Dispatcher
from cap_standalone.front import HttpUpstream

GATEWAY, CONSOLE = "http://gateway.internal:8005", "http://console.internal:8010"


class _Chunks(httpx.AsyncByteStream):
    """A body as a real connection gives it: streamed, in chunks."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk


def _upstream(seen: list[httpx.Request]) -> httpx.AsyncClient:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/down":
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(
            201,
            stream=_Chunks(b"from ", request.url.host.encode()),
            headers=[("set-cookie", "a=1"), ("set-cookie", "b=2"), ("x-upstream", "yes")],
        )

    return httpx.AsyncClient(transport=httpx.MockTransport(answer))


@pytest.fixture
def seen() -> list[httpx.Request]:
    return []


@pytest.fixture
async def browser(seen: list[httpx.Request]) -> httpx.AsyncClient:
    http = _upstream(seen)
    front = Dispatcher(HttpUpstream(GATEWAY, http), HttpUpstream(CONSOLE, http))
    transport = httpx.ASGITransport(app=front, client=("203.0.113.5", 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000")


@pytest.mark.parametrize(
    ("path", "host"),
    [
        ("/v1/organisations?limit=5", "gateway.internal"),
        ("/v1", "gateway.internal"),
        ("/.well-known/jwks.json", "gateway.internal"),
        ("/problems/not-found", "gateway.internal"),
        ("/readyz", "gateway.internal"),
        ("/", "console.internal"),
        ("/console/callback?code=x&state=y", "console.internal"),
        ("/v1x", "console.internal"),
    ],
)
async def test_the_front_routes_as_the_one_process_dispatch(
    browser: httpx.AsyncClient, seen: list[httpx.Request], path: str, host: str
) -> None:
    answer = await browser.get(path)
    assert answer.status_code == 201
    assert answer.text == f"from {host}"
    assert answer.headers.get_list("set-cookie") == ["a=1", "b=2"]
    (request,) = seen
    assert request.url.host == host
    assert request.url.raw_path.decode() == path
    # The browser's own Host is kept: the upstream sees the public origin.
    assert request.headers["host"] == "127.0.0.1:8000"


async def test_the_front_forwards_bodies_and_believes_no_forwarded_address(
    browser: httpx.AsyncClient, seen: list[httpx.Request]
) -> None:
    answer = await browser.post(
        "/v1/auth/token",
        data={"grant_type": "password"},
        headers={"x-forwarded-for": "198.51.100.1", "forwarded": "for=198.51.100.2"},
    )
    assert answer.status_code == 201
    (request,) = seen
    assert request.content == b"grant_type=password"
    # The peer's address replaces what the client claimed.
    assert request.headers["x-forwarded-for"] == "203.0.113.5"
    assert "forwarded" not in request.headers
    assert request.headers["x-forwarded-proto"] == "http"


async def test_an_unreachable_upstream_is_a_502(browser: httpx.AsyncClient) -> None:
    answer = await browser.get("/down")
    assert answer.status_code == 502


async def test_replicas_take_the_requests_in_turn(seen: list[httpx.Request]) -> None:
    """The front's round robin over two gateways (``FRONT_GATEWAY_URL=url,url``)."""
    from cap_standalone.front import RoundRobin, urls

    http = _upstream(seen)
    replicas = urls("http://gw1.internal:8005, http://gw2.internal:8005")
    front = RoundRobin([HttpUpstream(u, http) for u in replicas])
    transport = httpx.ASGITransport(app=front, client=("203.0.113.5", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as c:
        for _ in range(4):
            assert (await c.get("/v1/organisations")).status_code == 201
    assert [r.url.host for r in seen] == ["gw1.internal", "gw2.internal"] * 2


async def test_the_balancer_forwards_in_turn_and_keeps_forwarded_headers_and_host() -> None:
    """The balancer inside the platform (cap_standalone.balance), on real sockets: each request
    to the next replica; the forwarding headers the edge wrote and the client's Host pass
    unchanged, hop-by-hop ones are dropped; a body is streamed to the replica, the answer's
    headers come back (both cookies); an event stream's first event arrives before the stream
    ends; a replica that cannot be reached is a 502."""
    import asyncio

    import uvicorn

    from cap_shared.testing.net import free_port
    from cap_standalone.balance import Balancer, bind

    seen: list[tuple[int, dict[bytes, bytes], bytes]] = []
    release = asyncio.Event()

    def replica(number: int) -> object:
        async def app(scope: dict, receive: object, send: object) -> None:
            if scope["type"] != "http":
                return
            body = b""
            while True:
                message = await receive()  # type: ignore[operator]
                body += message.get("body", b"")
                if not message.get("more_body"):
                    break
            seen.append((number, dict(scope["headers"]), body))
            if scope["path"] == "/stream":
                start = {"type": "http.response.start", "status": 200}
                start["headers"] = [(b"content-type", b"text/event-stream")]
                await send(start)  # type: ignore[operator]
                first = {"type": "http.response.body", "body": b"data: 1\n\n", "more_body": True}
                await send(first)  # type: ignore[operator]
                await release.wait()
                await send({"type": "http.response.body", "body": b""})  # type: ignore[operator]
                return
            headers = [(b"set-cookie", b"a=1"), (b"set-cookie", b"b=2"), (b"connection", b"x")]
            start = {"type": "http.response.start", "status": 201, "headers": headers}
            await send(start)  # type: ignore[operator]
            await send({"type": "http.response.body", "body": b"from %d" % number})  # type: ignore[operator]

        return app

    ports = [free_port(), free_port()]
    down, port = free_port(), free_port()
    servers = [
        uvicorn.Server(
            uvicorn.Config(replica(i), host="127.0.0.1", port=p, log_config=None, lifespan="off")
        )
        for i, p in enumerate(ports, 1)
    ]
    replicas = [f"http://127.0.0.1:{p}" for p in ports]
    balancer = uvicorn.Server(
        uvicorn.Config(
            Balancer({port: replicas, down: [f"http://127.0.0.1:{free_port()}"]}),
            log_config=None,
            lifespan="off",
        )
    )
    tasks = [asyncio.create_task(s.serve()) for s in servers]
    tasks.append(
        asyncio.create_task(
            balancer.serve(sockets=[bind("127.0.0.1", port), bind("127.0.0.1", down)])
        )
    )
    try:
        for _ in range(1000):  # every server listening
            if balancer.started and all(s.started for s in servers):
                break
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as c:
            for _ in range(2):
                answer = await c.get(
                    "/v1/diagnostics?limit=5",
                    headers={
                        "x-forwarded-for": "203.0.113.5",
                        "keep-alive": "timeout=5",
                        "host": "cap.example",
                    },
                )
                assert answer.status_code == 201
                assert answer.headers.get_list("set-cookie") == ["a=1", "b=2"]
                assert "connection" not in answer.headers or answer.headers["connection"] != "x"
            posted = await c.post("/v1/diagnostics", content=_Chunks(b"a" * 70_000, b"b"))
            assert posted.status_code == 201
            async with c.stream("GET", "/stream") as events:
                parts = events.aiter_raw()
                assert await asyncio.wait_for(anext(parts), 5) == b"data: 1\n\n"
                release.set()
            assert (await c.get(f"http://127.0.0.1:{down}/x")).status_code == 502
        assert [number for number, _, _ in seen] == [1, 2, 1, 2]
        first, second = seen[0][1], seen[1][1]
        assert first[b"x-forwarded-for"] == second[b"x-forwarded-for"] == b"203.0.113.5"
        assert first[b"host"] == b"cap.example"
        assert b"keep-alive" not in first
        assert seen[2][2] == b"a" * 70_000 + b"b"
    finally:
        release.set()
        for server in (*servers, balancer):
            server.should_exit = True
        await asyncio.gather(*tasks)


async def test_the_balancer_answers_without_waiting_for_a_delayed_ack() -> None:
    """Through a real balancer socket, a small exchange is not held by Nagle's algorithm: the
    listening socket says TCP and no delay, so do the connections it accepts, and a request
    through it takes about a millisecond, not the 40 ms of a delayed ACK."""
    import asyncio
    import socket
    import statistics
    import time

    import uvicorn

    from cap_shared.testing.net import free_port
    from cap_standalone.balance import Balancer, bind

    async def hello(scope: dict, receive: object, send: object) -> None:
        assert scope["type"] == "http"
        await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]
        await send({"type": "http.response.body", "body": b"ok"})  # type: ignore[operator]

    upstream_port, port = free_port(), free_port()
    upstream = uvicorn.Server(
        uvicorn.Config(hello, host="127.0.0.1", port=upstream_port, log_config=None, lifespan="off")
    )
    listening = bind("127.0.0.1", port)
    assert listening.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    balancer = uvicorn.Server(
        uvicorn.Config(
            Balancer({port: [f"http://127.0.0.1:{upstream_port}"]}), log_config=None, lifespan="off"
        )
    )
    tasks = [
        asyncio.create_task(upstream.serve()),
        asyncio.create_task(balancer.serve(sockets=[listening])),
    ]
    try:
        for _ in range(1000):  # both servers listening
            if upstream.started and balancer.started:
                break
            await asyncio.sleep(0.01)
        took = []
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(21):
                start = time.perf_counter()
                assert (await client.get("/")).text == "ok"
                took.append(time.perf_counter() - start)
        assert statistics.median(took) < 0.02, took  # 0.044 s each with Nagle on
    finally:
        upstream.should_exit = balancer.should_exit = True
        await asyncio.gather(*tasks)
