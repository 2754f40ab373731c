"""One person's click, as the logs tell it: an access line from the console, the gateway and
the service that answered, all under the request id of the console's request."""

from __future__ import annotations

from uuid import uuid4

from cap_shared.testing.auth import DEV_ADMIN_EMAIL as ADMIN_EMAIL
from cap_shared.testing.auth import DEV_ADMIN_PASSWORD as ADMIN_PASSWORD
from cap_shared.testing.logs import CapturedLogs, captured_logs
from cap_web.testing import ConsoleClient

__all__ = ["captured_logs"]


async def test_a_console_page_is_one_access_line_per_hop_under_one_request_id(
    console: ConsoleClient, captured_logs: CapturedLogs
) -> None:
    await console.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    session = console.http.cookies.get("cap_session")
    assert session
    request_id = uuid4().hex
    page = await console.http.get("/admin/webhooks?q=atelier", headers={"X-Request-ID": request_id})
    assert page.status_code == 200
    lines = [line for line in captured_logs.of("cap.access") if line["request_id"] == request_id]
    by_service = {line["service"]: line for line in lines}
    assert by_service["web"]["route"] == "/admin/webhooks"
    assert by_service["web"]["caller"] == "user"
    # Behind the console, the gateway and a service answered the page's calls, as the admin.
    assert by_service.keys() == {"web", "gateway", "notifications"}
    assert by_service["gateway"]["route"] == "proxy -> notifications"
    assert by_service["notifications"]["route"] == "/v1/webhook-subscriptions"
    assert all(line["caller"] == "user" for line in lines if line["service"] != "web")
    everything = captured_logs.stream.getvalue()
    assert session not in everything
    assert "atelier" not in everything
