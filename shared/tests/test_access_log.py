"""The access line: one per request, with the route template, status, duration, request id and
the kind of caller; never the token, the cookies nor the query string."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from starlette.types import Message, Receive, Scope, Send

from cap_diagnostic.main import SERVICE
from cap_shared.access import AccessLogMiddleware
from cap_shared.correlation import REQUEST_ID_HEADER
from cap_shared.testing.auth import TestIssuer, bearer
from cap_shared.testing.logs import CapturedLogs, captured_logs

__all__ = ["captured_logs"]

AUDIENCE = "urn:cap:diagnostic"


@dataclass
class Service:
    client: httpx.AsyncClient
    token: str


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[Service]:
    """The diagnostic service's API (SQLite), and an admin's access token."""
    settings = SERVICE.settings()
    settings.database_url = f"sqlite+aiosqlite:///{tmp_path / 'svc.db'}"
    issuer = TestIssuer()
    runtime = SERVICE.build_runtime(settings, keys=issuer.key_source())
    await runtime.migrate()
    app = SERVICE.create_app(runtime, manage_runtime=False)
    token = issuer.token(roles=[{"role": "admin"}], audience=AUDIENCE)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://svc"
        ) as client:
            yield Service(client, token)
    finally:
        await runtime.close()


async def test_one_line_per_request_with_the_route_template_and_no_secret(
    service: Service, captured_logs: CapturedLogs
) -> None:
    answer = await service.client.get(
        "/v1/diagnostics/d-4711/scores?code=secret-code&state=xyz",
        headers={**bearer(service.token), "Cookie": "cap_session=cookie-secret"},
    )
    (line,) = captured_logs.of("cap.access")
    assert line["request_id"] == answer.headers[REQUEST_ID_HEADER]
    assert {k: line[k] for k in ("level", "method", "route", "status", "caller", "service")} == {
        "level": "INFO",
        "method": "GET",
        "route": "/v1/diagnostics/{diagnostic_id}/scores",
        "status": answer.status_code,
        "caller": "user",
        "service": "diagnostic",
    }
    assert line["message"].startswith(
        f"GET /v1/diagnostics/{{diagnostic_id}}/scores {answer.status_code} "
    )
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] == round(line["duration_ms"], 1) >= 0
    assert "d-4711" not in str(line)  # the template, never the path with its ids
    everything = captured_logs.stream.getvalue()
    for secret in ("secret-code", "xyz", "cookie-secret", service.token, "Bearer"):
        assert secret not in everything


async def test_the_caller_is_anonymous_without_a_token_and_an_unmatched_path_is_cut(
    service: Service, captured_logs: CapturedLogs
) -> None:
    await service.client.get("/v1/diagnostics/d-1")
    await service.client.get("/nowhere/" + "x" * 200 + "?token=secret")
    known, unknown = captured_logs.of("cap.access")
    assert (known["route"], known["status"], known["caller"]) == (
        "/v1/diagnostics/{diagnostic_id}",
        401,
        "anonymous",
    )
    assert unknown["status"] == 404
    assert unknown["route"] == ("/nowhere/" + "x" * 200)[:80]
    assert "secret" not in captured_logs.stream.getvalue()


async def test_probes_are_logged_at_debug_and_a_server_error_at_warning(
    service: Service, captured_logs: CapturedLogs
) -> None:
    assert (await service.client.get("/healthz")).status_code == 200
    (probe,) = captured_logs.of("cap.access")
    assert (probe["route"], probe["level"]) == ("/healthz", "DEBUG")


async def test_a_request_that_fails_is_a_500_at_warning(captured_logs: CapturedLogs) -> None:
    async def failing(_scope: Scope, _receive: Receive, _send: Send) -> None:
        raise RuntimeError("a bug")

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(_message: Message) -> None:
        pass

    scope: Scope = {"type": "http", "method": "POST", "path": "/v1/things", "query_string": b""}
    with pytest.raises(RuntimeError):
        await AccessLogMiddleware(failing, service="toy")(scope, receive, send)
    (line,) = captured_logs.of("cap.access")
    assert (line["level"], line["status"], line["route"], line["caller"]) == (
        "WARNING",
        500,
        "/v1/things",
        "anonymous",
    )
