"""One trace per request across the process topology (issue 21): every role of every service its
own OS process, tracing on, spans exported over OTLP/HTTP to a receiver the test runs.

The journey step: a structure completes its CAP diagnostic. The request goes through the
gateway to the diagnostic service, which records ``diagnostic.completed.v1``; its relay
publishes it; the audit, labelling and notifications workers handle it, and the notifications
service notifies the structure's administrator, in the feed and by e-mail (sent later by the
worker's ``mail-deliveries`` job to an SMTP server the test runs). All of it must be one trace,
each span's parent a span of that trace: the e-mail's ``smtp send`` included.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from aiosmtpd.controller import Controller

from cap_shared.testing.auth import create_user, sign_in
from cap_shared.testing.net import free_port
from cap_shared.testing.otlp import OtlpReceiver, ReceivedSpan, descendants, otlp_receiver
from cap_shared.testing.siret import make_siret
from cap_standalone.processes import ProcessPlatform

__all__ = ["otlp_receiver"]

T = TypeVar("T")
EVENT = "diagnostic.completed.v1"
#: The services whose workers handle the event (their queues are bound to it).
CONSUMERS = {"audit", "labelling", "notifications"}


async def eventually(probe: Callable[[], Awaitable[T | None]], what: str, timeout: float = 30) -> T:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found = await probe()
        if found:
            return found
        assert loop.time() < deadline, f"{what}: not within {timeout} s"
        await asyncio.sleep(0.1)


def ok(answer: httpx.Response, status: int = 200) -> Any:
    assert answer.status_code == status, f"{answer.request.url.path}: {answer.text}"
    return answer.json() if answer.content else None


async def complete_a_diagnostic(client: httpx.AsyncClient) -> tuple[str, dict[str, str]]:
    """A structure and its administrator (known to every service), a started diagnostic rated
    on every criterion; returns the diagnostic's URL and the administrator's headers."""
    admin = await sign_in(client)
    organisation = ok(
        await client.post(
            "/v1/organisations",
            json={"siret": make_siret(21), "name": "Trace et Cie", "siae_types": ["ACI"]}
            | {"region": "75"},
            headers=admin,
        ),
        201,
    )
    member = await create_user(
        client,
        admin,
        role="member_admin",
        email=f"lea.{uuid.uuid4().hex[:8]}@coorace.example",
        organisation_id=organisation["id"],
    )

    async def known() -> bool:
        return (await client.get("/v1/preferences", headers=member)).status_code == 200

    await eventually(known, "the administrator known to the notifications service")
    # E-mailed at once whatever the hour the test runs (no quiet hours to hold it back).
    chosen = ok(
        await client.put(
            "/v1/preferences",
            json={"quiet_hours": None, "events": {EVENT: {"email": "on"}}},
            headers=member,
        )
    )
    assert (chosen["quiet_hours"], chosen["events"][EVENT]["email"]) == (None, "on")

    async def opened() -> dict[str, Any] | None:
        answer = await client.post(
            "/v1/diagnostics",
            json={"organisation_id": organisation["id"], "kind": "self_assessment"},
            headers=member,
        )
        return None if answer.status_code == 422 else dict(ok(answer, 201))

    diagnostic = await eventually(opened, "the structure known to the diagnostic service")
    url = f"/v1/diagnostics/{diagnostic['id']}"
    ok(await client.post(f"{url}/transitions", json={"action": "start"}, headers=member))
    referential = ok(await client.get("/v1/referentials/CAP/versions/1", headers=member))
    answers = [
        {"id": str(uuid.uuid4()), "criterion": c["urn"], "level": 3}
        for theme in referential["themes"]
        for c in theme["criteria"]
    ]
    ok(await client.put(f"{url}/answers", json={"answers": answers}, headers=member))
    return url, member


def the_trace(spans: list[ReceivedSpan]) -> list[ReceivedSpan] | None:
    """The trace of the completion once every expected span of it arrived, else None."""
    publish = [s for s in spans if s.name == f"{EVENT} publish"]
    if len(publish) != 1:
        return None
    trace = [s for s in spans if s.trace_id == publish[0].trace_id]
    handled = {s.service for s in trace if s.name == f"{EVENT} process"}
    roots = [s for s in trace if s.parent_span_id is None]
    mailed = any(s.name == "smtp send" for s in trace)
    return trace if handled >= CONSUMERS and roots and mailed else None


def the_mail_job(trace: list[ReceivedSpan], spans: list[ReceivedSpan]) -> ReceivedSpan | None:
    """The run of the mail job an ``email deliver`` span of ``trace`` links to, once received."""
    links = {link for s in trace if s.name == "email deliver" for link in s.links}
    runs = [
        s for s in spans if s.name == "job mail-deliveries" and (s.trace_id, s.span_id) in links
    ]
    return runs[0] if runs else None


class Mailbox:
    """An aiosmtpd handler: the recipients of each message it accepts."""

    def __init__(self) -> None:
        self.recipients: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


@pytest.mark.slow
@pytest.mark.timeout(600)  # 17 processes (one of each) to start, each importing its package
async def test_one_request_is_one_trace_across_the_processes(
    tmp_path: Path, otlp_receiver: OtlpReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every process exports to the receiver, in batches every 200 ms.
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "otlp")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", otlp_receiver.endpoint)
    monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "200")
    monkeypatch.delenv("OTEL_SDK_DISABLED", raising=False)
    parts = ("gateway", "diagnostic", "audit", "labelling", "notifications")
    settings: dict[str, dict[str, Any]] = {part: {"telemetry_enabled": True} for part in parts}
    # The notifications worker sends its e-mails over SMTP, to this server.
    mailbox, smtp_port = Mailbox(), free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    settings["notifications"] |= {"mail_transport": "smtp", "smtp_port": smtp_port}
    platform = ProcessPlatform(tmp_path / "logs", settings, replicas=1)
    await platform.start()
    try:
        async with httpx.AsyncClient(base_url=platform.url, timeout=30) as client:
            url, member = await complete_a_diagnostic(client)
            completed = ok(
                await client.post(f"{url}/transitions", json={"action": "complete"}, headers=member)
            )
            assert completed["status"] == "rated", completed

            async def notified() -> bool:
                feed = ok(await client.get("/v1/notifications?limit=100", headers=member))
                return any(n.get("event_type") == EVENT for n in feed["data"])

            await eventually(notified, "the administrator notified of the completion")
        trace: list[ReceivedSpan] = await asyncio.to_thread(
            otlp_receiver.wait_for, the_trace, timeout=30
        )
        job: ReceivedSpan = await asyncio.to_thread(
            otlp_receiver.wait_for, partial(the_mail_job, trace), timeout=30
        )
    except BaseException:
        print(platform.log_tails())
        raise
    finally:
        await platform.stop()
        smtp.stop()

    ids = {s.span_id for s in trace}
    (root,) = [s for s in trace if s.parent_span_id is None]
    # Parents right: every span but the root hangs under a span of this trace, and the root is
    # the gateway's server span of the request.
    assert all(s.parent_span_id in ids for s in trace if s is not root), [
        (s.service, s.name) for s in trace if s.parent_span_id not in ids
    ]
    assert len(descendants(trace, root)) == len(trace)  # a tree: all reachable from the root
    assert (root.service, root.kind) == ("gateway", "SERVER")
    assert root.attributes["url.path"] == f"{url}/transitions"
    by_id = {s.span_id: s for s in trace}

    def parent(span: ReceivedSpan) -> ReceivedSpan:
        assert span.parent_span_id is not None
        return by_id[span.parent_span_id]

    # gateway server -> gateway client (the proxy) -> diagnostic server
    (service_server,) = [s for s in trace if s.service == "diagnostic" and s.kind == "SERVER"]
    proxy = parent(service_server)
    assert (proxy.service, proxy.kind) == ("gateway", "CLIENT")
    assert root in _ancestors(proxy, by_id)
    # the diagnostic records the event in its request; its relay (another process) publishes it
    (publish,) = [s for s in trace if s.name == f"{EVENT} publish"]
    assert (publish.service, publish.kind) == ("diagnostic", "PRODUCER")
    assert service_server in _ancestors(publish, by_id)
    assert publish.resource["service.instance.id"] != service_server.resource["service.instance.id"]
    # each consumer's worker handles it under the publish span
    processed = [s for s in trace if s.name == f"{EVENT} process"]
    assert {s.service for s in processed} == CONSUMERS
    for span in processed:
        assert span.kind == "CONSUMER"
        assert span.parent_span_id == publish.span_id
        assert span.status != "ERROR"
        assert span.attributes["messaging.system"] == "rabbitmq"
        assert span.attributes["messaging.destination.name"].endswith(f".{span.service}")
    # The administrator's e-mail, sent later by the notifications worker's mail job (a trace
    # of its own): its attempt span hangs under the handler's span that queued it, and the SMTP
    # exchange under the attempt.
    assert any(r.startswith("lea.") for r in mailbox.recipients), mailbox.recipients
    (notified,) = [s for s in processed if s.service == "notifications"]
    (smtp_send,) = [s for s in trace if s.name == "smtp send"]
    deliver = parent(smtp_send)
    assert (smtp_send.service, smtp_send.kind, smtp_send.status) == (
        "notifications",
        "CLIENT",
        "UNSET",
    )
    assert smtp_send.attributes["server.port"] == smtp_port
    assert (deliver.name, deliver.service) == ("email deliver", "notifications")
    assert notified in _ancestors(deliver, by_id)
    assert root in _ancestors(smtp_send, by_id)
    # ... and links to the run of the job that sent it.
    assert (job.trace_id, job.span_id) in deliver.links
    assert job.trace_id != root.trace_id
    # Five services' processes, one trace.
    assert {s.service for s in trace} >= {"gateway", "diagnostic", *CONSUMERS}


def _ancestors(span: ReceivedSpan, by_id: dict[str, ReceivedSpan]) -> list[ReceivedSpan]:
    found = []
    while span.parent_span_id is not None and span.parent_span_id in by_id:
        span = by_id[span.parent_span_id]
        found.append(span)
    return found
