"""The "smtp send" span around handing a message to the mail server (tracing on), and none
when tracing is off."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage as MimeMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from cap_notifications.config import Settings
from cap_notifications.mail.transports import SmtpTransport, TransportError
from cap_shared import telemetry
from cap_shared.testing.net import free_port
from cap_shared.testing.tracing import by_name, spans

__all__ = ["spans"]
RECIPIENT = "claire@coorace.example"


class _Refusing:
    """Accepts the envelope, refuses the message (quoting the recipient, as servers do)."""

    refuse = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return f"554 5.7.1 <{RECIPIENT}>: refused" if self.refuse else "250 OK"


@pytest.fixture
def server() -> Iterator[tuple[Settings, _Refusing]]:
    handler = _Refusing()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield Settings(mail_transport="smtp", smtp_port=port, smtp_timeout_s=5), handler
    finally:
        controller.stop()


def _message() -> MimeMessage:
    message = MimeMessage()
    message["From"] = "no-reply@cap.coorace.example"
    message["To"] = RECIPIENT
    message["Subject"] = "Audit planifié"
    message.set_content("Bonjour")
    return message


async def test_each_message_sent_is_a_client_span_without_the_address(
    server: tuple[Settings, _Refusing], spans: InMemorySpanExporter
) -> None:
    settings, handler = server
    transport = SmtpTransport(settings)
    with telemetry.tracer().start_as_current_span("job mail") as job:
        await transport.send(_message(), sender="no-reply@cap.coorace.example", recipient=RECIPIENT)
        handler.refuse = True
        with pytest.raises(TransportError):
            await transport.send(
                _message(), sender="no-reply@cap.coorace.example", recipient=RECIPIENT
            )
    await transport.close()

    sent, refused = by_name(spans.get_finished_spans(), "smtp send")
    for span in (sent, refused):
        assert span.kind is SpanKind.CLIENT
        assert span.parent is not None
        assert span.parent.span_id == job.get_span_context().span_id
        assert dict(span.attributes or {})["server.port"] == settings.smtp_port
        assert RECIPIENT not in str(dict(span.attributes or {})) + str(span.status.description)
        assert not span.events  # no exception recorded: its message quotes the address
    assert sent.status.status_code is StatusCode.UNSET
    assert refused.status.status_code is StatusCode.ERROR
    assert dict(refused.attributes or {})["error.type"] == "TransportError"


async def test_tracing_off_sends_without_any_span(server: tuple[Settings, _Refusing]) -> None:
    settings, _ = server
    assert not telemetry.enabled()
    transport = SmtpTransport(settings)
    await transport.send(_message(), sender="no-reply@cap.coorace.example", recipient=RECIPIENT)
    await transport.close()
