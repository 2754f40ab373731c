"""The console's traces hold no query string: a search typed into a page travels as ``?q=`` to
the console, then to the gateway and the service; none of their server spans (nor the client
spans between them) keeps it."""

from __future__ import annotations

from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from cap_shared.testing.auth import DEV_ADMIN_EMAIL as ADMIN_EMAIL
from cap_shared.testing.auth import DEV_ADMIN_PASSWORD as ADMIN_PASSWORD
from cap_shared.testing.tracing import spans
from cap_web.testing import ConsoleClient

__all__ = ["spans"]


async def test_no_span_of_a_console_page_holds_its_query_string(
    spans: InMemorySpanExporter,  # first: the platform is built with tracing on
    console: ConsoleClient,
) -> None:
    await console.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    spans.clear()
    page = await console.http.get("/admin/webhooks?q=secret-atelier")
    assert page.status_code == 200

    finished = spans.get_finished_spans()
    servers = {
        str((s.attributes or {}).get("url.path")): s for s in finished if s.kind is SpanKind.SERVER
    }
    # The console's page, the gateway's proxying and the service's route: each a server span.
    assert {"/admin/webhooks", "/v1/webhook-subscriptions"} <= servers.keys()
    assert servers["/admin/webhooks"].name == "GET /admin/webhooks"
    behind = [
        s
        for s in finished
        if s.kind is SpanKind.SERVER
        and (s.attributes or {}).get("url.path") == "/v1/webhook-subscriptions"
    ]
    assert sorted(s.name for s in behind) == [
        "GET /v1/webhook-subscriptions",  # the service's route
        "GET proxy -> notifications",  # the gateway's proxying
    ]
    assert not any("url.query" in (s.attributes or {}) for s in [*behind, *servers.values()])
    for span in finished:
        assert "secret-atelier" not in span.name
        for key, value in (span.attributes or {}).items():
            assert "secret-atelier" not in str(value), (span.name, key, value)
