"""Routing /v1 to services: streamed answers, request ids, hop-by-hop headers, upstream faults."""

from __future__ import annotations

import asyncio

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def echo(request: Request) -> JSONResponse:
    body = await request.body()
    return JSONResponse(
        {
            "path": request.url.path,
            "query": str(request.query_params),
            "headers": dict(request.headers),
            "body": body.decode(),
        },
        status_code=201 if request.method == "POST" else 200,
        headers={"x-upstream": "diagnostic"},
    )


async def slow(_request: Request) -> JSONResponse:
    await asyncio.sleep(2)
    return JSONResponse({})


upstream = Starlette(
    routes=[
        Route("/v1/diagnostics/slow", slow),
        Route("/{path:path}", echo, methods=["GET", "POST", "PATCH"]),
    ]
)


async def test_request_is_forwarded_to_the_owning_service_with_its_request_id(
    gateway_factory,
) -> None:
    client, _ = await gateway_factory(transports={"diagnostic": httpx.ASGITransport(app=upstream)})
    response = await client.post(
        "/v1/diagnostics/42/answers?page=2",
        json={"level": 3},
        headers={
            "X-Request-ID": "6f1c2d0e-8f5b-4c1e-9d4a-1b2c3d4e5f60",
            "Keep-Alive": "timeout=5",
            "TE": "trailers",
            "Connection": "keep-alive, X-Hop-Secret",
            "X-Hop-Secret": "for the next hop only",
        },
    )
    assert response.status_code == 201
    seen = response.json()
    assert seen["path"] == "/v1/diagnostics/42/answers"
    assert seen["query"] == "page=2"
    assert seen["body"] == '{"level":3}'
    assert seen["headers"]["x-request-id"] == "6f1c2d0e-8f5b-4c1e-9d4a-1b2c3d4e5f60"
    assert "keep-alive" not in seen["headers"]
    assert "te" not in seen["headers"]
    assert "x-hop-secret" not in seen["headers"]  # named in Connection: hop-by-hop
    assert seen["headers"]["x-forwarded-proto"] == "http"
    assert response.headers["x-upstream"] == "diagnostic"
    assert response.headers["x-request-id"] == "6f1c2d0e-8f5b-4c1e-9d4a-1b2c3d4e5f60"


async def test_unknown_resource_is_a_404_problem(client) -> None:
    response = await client.get("/v1/payroll")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_upstream_down_is_a_503_problem_not_a_hang(gateway_factory) -> None:
    client, _ = await gateway_factory(
        diagnostic_url="http://127.0.0.1:9", upstream_connect_timeout_s=1
    )
    response = await client.get("/v1/diagnostics")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["type"].endswith("/upstream-unavailable")


async def test_slow_upstream_is_a_504_problem(gateway_factory) -> None:
    client, _ = await gateway_factory(
        transports={"diagnostic": httpx.ASGITransport(app=upstream)},
        upstream_read_timeout_s=0.2,
        upstream_connect_timeout_s=0.1,
    )
    response = await client.get("/v1/diagnostics/slow")
    assert response.status_code == 504
    assert response.json()["type"].endswith("/upstream-timeout")


class _Stream:
    """An upstream event stream: one event now, the next only when released."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.closed = False

    async def body(self):  # type: ignore[no-untyped-def]
        yield b"id: 1\nevent: notification\ndata: {}\n\n"
        await self.release.wait()
        yield b"id: 2\nevent: notification\ndata: {}\n\n"

    async def close(self) -> None:
        self.closed = True


def _reply(stream: _Stream):  # type: ignore[no-untyped-def]
    from cap_gateway.upstreams import Reply

    return Reply(200, [(b"content-type", b"text/event-stream")], stream.body(), stream.close)


async def test_an_event_stream_is_passed_on_event_by_event() -> None:
    from cap_gateway.proxy import UpstreamResponse

    stream, sent = _Stream(), []
    first = asyncio.Event()
    disconnect = asyncio.Event()

    async def send(message):  # type: ignore[no-untyped-def]
        sent.append(message)
        if message.get("body", b"").startswith(b"id: 1"):
            first.set()

    async def receive():  # type: ignore[no-untyped-def]
        await disconnect.wait()
        return {"type": "http.disconnect"}

    task = asyncio.create_task(UpstreamResponse(_reply(stream))({}, receive, send))
    # The first event reaches the client before the upstream has sent the next one.
    await asyncio.wait_for(first.wait(), 2)
    stream.release.set()
    await asyncio.sleep(0.05)
    assert [m.get("body", b"")[:5] for m in sent[1:]] == [b"id: 1", b"id: 2", b""]
    assert stream.closed
    await task


async def test_a_client_leaving_an_event_stream_releases_the_upstream() -> None:
    from cap_gateway.proxy import UpstreamResponse

    stream = _Stream()  # never released: the upstream would stream on
    disconnect = asyncio.Event()

    async def send(_message):  # type: ignore[no-untyped-def]
        return None

    async def receive():  # type: ignore[no-untyped-def]
        await disconnect.wait()
        return {"type": "http.disconnect"}

    task = asyncio.create_task(UpstreamResponse(_reply(stream))({}, receive, send))
    await asyncio.sleep(0.05)
    assert not stream.closed
    disconnect.set()
    await asyncio.wait_for(task, 2)
    assert stream.closed
