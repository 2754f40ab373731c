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


async def test_replicas_take_the_requests_in_turn_and_the_balancer_keeps_forwarded_headers(
    seen: list[httpx.Request],
) -> None:
    """The front's round robin over two gateways (``FRONT_GATEWAY_URL=url,url``), and the
    balancer inside the platform (cap_standalone.balance): the forwarding headers the edge
    wrote pass unchanged, hop-by-hop ones are dropped."""
    from cap_standalone.balance import Balancer
    from cap_standalone.front import RoundRobin, urls

    http = _upstream(seen)
    replicas = urls("http://gw1.internal:8005, http://gw2.internal:8005")
    front = RoundRobin([HttpUpstream(u, http) for u in replicas])
    transport = httpx.ASGITransport(app=front, client=("203.0.113.5", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as c:
        for _ in range(4):
            assert (await c.get("/v1/organisations")).status_code == 201
    assert [r.url.host for r in seen] == ["gw1.internal", "gw2.internal"] * 2

    seen.clear()
    balancer = Balancer({8001: ["http://api1.internal:8101", "http://api2.internal:8201"]})
    balancer.http = http
    for upstream in balancer.routes[8001].upstreams:
        assert isinstance(upstream, HttpUpstream)
        upstream.http = http
    transport = httpx.ASGITransport(app=balancer, client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8001") as c:
        for _ in range(2):
            answer = await c.get(
                "/v1/diagnostics",
                headers={"x-forwarded-for": "203.0.113.5", "keep-alive": "timeout=5"},
            )
            assert answer.status_code == 201
    assert [r.url.host for r in seen] == ["api1.internal", "api2.internal"]
    assert {r.headers["x-forwarded-for"] for r in seen} == {"203.0.113.5"}
    assert all("keep-alive" not in r.headers for r in seen)


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
