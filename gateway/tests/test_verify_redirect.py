"""The certificate's QR code (``/v1/registry/verify/{code}``): a browser lands on the console's
verification page, an API client keeps the JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from cap_gateway.proxy import prefers_html
from cap_shared.testing.logs import CapturedLogs, captured_logs
from cap_shared.testing.tracing import spans

__all__ = ["captured_logs", "spans"]

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.mark.parametrize(
    ("accept", "page"),
    [
        (BROWSER, True),
        ("text/html", True),
        ("application/xhtml+xml,*/*;q=0.5", True),
        ("", False),
        ("*/*", False),
        ("application/json", False),
        ("application/json, text/html", False),
        ("text/html;q=0.5, application/json", False),
        ("application/json;q=0.2, text/html", True),
        ("text/html;q=0", False),
        ("text/html;q=oops", False),
        ("application/problem+json", False),
    ],
)
def test_a_browser_is_told_from_an_api_client_by_its_accept_header(accept: str, page: bool) -> None:
    assert prefers_html(accept) is page


@pytest.fixture
async def gateway(gateway_factory: Callable[..., Any]) -> tuple[httpx.AsyncClient, list[str]]:
    seen: list[str] = []

    async def verify(request: Request) -> JSONResponse:
        seen.append(request.path_params["code"])
        return JSONResponse({"status": "active"}, headers={"Cache-Control": "public, max-age=60"})

    upstream = Starlette(routes=[Route("/v1/registry/verify/{code}", verify)])
    client, _ = await gateway_factory(transports={"labelling": httpx.ASGITransport(app=upstream)})
    return client, seen


async def test_a_browser_scanning_the_qr_code_lands_on_the_console_page(
    gateway: tuple[httpx.AsyncClient, list[str]],
) -> None:
    client, seen = gateway
    answer = await client.get("/v1/registry/verify/K7QH-3M9X-PT2A", headers={"accept": BROWSER})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/verifier/K7QH-3M9X-PT2A"
    assert "Accept" in answer.headers["vary"]
    assert seen == []  # answered at the gateway, the service is not asked


async def test_the_code_is_in_no_access_line_nor_span(
    spans: InMemorySpanExporter,  # first: the gateway is built with tracing on
    captured_logs: CapturedLogs,
    gateway: tuple[httpx.AsyncClient, list[str]],
) -> None:
    client, _ = gateway
    await client.get("/v1/registry/verify/K7QH-3M9X-PT2A", headers={"accept": BROWSER})
    (line,) = captured_logs.of("cap.access")
    assert (line["route"], line["status"]) == ("proxy -> labelling", 303)
    (server,) = spans.get_finished_spans()
    assert server.name == "GET proxy -> labelling"
    assert "K7QH" not in server.name


async def test_an_api_client_keeps_the_json_even_after_a_browser_asked(
    gateway: tuple[httpx.AsyncClient, list[str]],
) -> None:
    client, seen = gateway
    await client.get("/v1/registry/verify/K7QH-3M9X-PT2A", headers={"accept": BROWSER})
    for accept in ("application/json", "*/*"):
        answer = await client.get("/v1/registry/verify/K7QH-3M9X-PT2A", headers={"accept": accept})
        assert answer.status_code == 200, accept
        assert answer.json() == {"status": "active"}
    assert seen == ["K7QH-3M9X-PT2A"]  # the second JSON answer came from the cache
    again = await client.get("/v1/registry/verify/K7QH-3M9X-PT2A", headers={"accept": BROWSER})
    assert again.status_code == 303  # a cached JSON answer is never given to a browser


@pytest.mark.parametrize(
    ("raw", "location"),
    [
        ("/v1/registry/verify/%3Cb%3E", "/verifier/%3Cb%3E"),
        ("/v1/registry/verify/a%20b?x=//evil.example", "/verifier/a%20b"),
        ("/v1/registry/verify/@evil.example", "/verifier/%40evil.example"),
    ],
)
async def test_the_redirect_stays_on_the_console_whatever_the_code(
    gateway: tuple[httpx.AsyncClient, list[str]], raw: str, location: str
) -> None:
    client, _ = gateway
    answer = await client.get(raw, headers={"accept": BROWSER})
    assert answer.status_code == 303
    assert answer.headers["location"] == location


async def test_other_registry_paths_and_writes_are_not_redirected(
    gateway: tuple[httpx.AsyncClient, list[str]],
) -> None:
    client, _ = gateway
    answer = await client.post(
        "/v1/registry/verify/K7QH-3M9X-PT2A", headers={"accept": BROWSER}, json={}
    )
    assert answer.status_code != 303
    deeper = await client.get("/v1/registry/verify/K7QH/more", headers={"accept": BROWSER})
    assert deeper.status_code != 303
