"""The console calls the gateway for many people from one address: the gateway trusts the
console (and only the console) to say whose request it is, so that its rate limits count per
person's address, never for everyone behind the console together, and a browser calling the
gateway directly cannot pass for someone else with ``X-Forwarded-For``."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.requests import Request

from cap_shared.testing.ratelimit import clear_of_window_edge
from cap_standalone.platform import CONSOLE_ADDRESS
from cap_standalone.testing import Overrides, Topology
from cap_web.api import Api, ApiProblem
from cap_web.console import api as api_of_request

#: An anonymous API call the public screens make (the registry's search).
PUBLIC = "/v1/registry/recognitions"
LIMIT = 3


@pytest.fixture
def topology_settings() -> Overrides:
    return {"gateway": {"rate_limit_anonymous": f"{LIMIT}/minute"}}


def _dispatcher(standalone: Topology) -> Any:
    transport = (
        standalone.client._transport
    )  # an in-process transport: httpx's or the streaming one
    return transport.app  # type: ignore[attr-defined]


async def _api_for_browser_at(standalone: Topology, address: str) -> Api:
    """The API as the console calls it for an anonymous browser at ``address`` (what a public
    screen's ``ApiDep`` gets)."""
    console_app = _dispatcher(standalone).console
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/registre",
        "query_string": b"",
        "headers": [],
        "client": (address, 51000),
        "app": console_app,
    }
    return await api_of_request(Request(scope))


async def test_the_gateway_trusts_the_in_process_console_only(standalone: Topology) -> None:
    settings = standalone.runtimes["gateway"].settings
    assert settings.trusted_proxies == [CONSOLE_ADDRESS]  # type: ignore[attr-defined]


async def test_two_people_behind_the_console_are_not_throttled_together(
    standalone: Topology,
) -> None:
    anne = await _api_for_browser_at(standalone, "203.0.113.7")
    bruno = await _api_for_browser_at(standalone, "203.0.113.8")
    assert anne.forwarded_for == "203.0.113.7"
    await clear_of_window_edge()
    for _ in range(LIMIT):
        await anne.get(PUBLIC)
    with pytest.raises(ApiProblem) as refused:
        await anne.get(PUBLIC)
    # The limit does apply, to Anne's address, in French...
    assert refused.value.status == 429
    assert refused.value.title == "Trop de requêtes"
    # ...and Bruno, behind the same console, is not counted with her.
    for _ in range(LIMIT):
        await bruno.get(PUBLIC)


async def test_a_browser_cannot_spoof_its_address_to_the_gateway(standalone: Topology) -> None:
    dispatcher = _dispatcher(standalone)
    await clear_of_window_edge()
    transport = httpx.ASGITransport(app=dispatcher, client=("203.0.113.9", 52000))
    async with httpx.AsyncClient(transport=transport, base_url=standalone.public_url) as browser:
        codes = [
            (
                await browser.get(
                    PUBLIC, headers={"x-forwarded-for": f"198.51.100.{n}, {CONSOLE_ADDRESS}"}
                )
            ).status_code
            for n in range(LIMIT + 1)
        ]
    # Each request claimed another address (even the console's): all counted as the browser's.
    assert codes == [200] * LIMIT + [429]
    # The console still speaks for other people.
    other = await _api_for_browser_at(standalone, "203.0.113.10")
    await other.get(PUBLIC)
