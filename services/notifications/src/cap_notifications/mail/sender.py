"""E-mail sending: the periodic job that renders the due e-mails and hands them to the
transport (SMTP or .eml files), once.

Rows of :class:`~cap_notifications.models.EmailMessage` are written by the fan-out (one event to
one person) and by the digest (several events to one person); :func:`send_due` is the periodic
job's body that renders and sends them.

Sent at most once, and what "once" costs
-----------------------------------------
The job framework (:mod:`cap_shared.jobs`) runs a job in **one transaction**, committed by the
runner when the body returns: nothing :func:`send_due` writes is durable before the end of the
batch, so a ``sending`` mark could not be made durable before talking to the server. Instead:

* the due rows are locked (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, on top of the job's
  advisory lock), so no two workers ever hold the same message;
* every outcome of every message (sent, refused, unreachable, template failure, or any
  unexpected error) is recorded on its row and never raised, so one message can never roll
  back the batch that other messages were already sent in;
* a batch is small (``limit``), so the transaction is short.

A message is therefore sent again only if the process dies (or the database commit fails)
between the server's acceptance of the message and the commit of the job's transaction: the
row is still ``pending`` and is sent again at the next run, **with the same Message-ID**, which
lets receiving servers and mail clients recognise the duplicate. A server that accepts the data
but whose reply is lost (a timeout after DATA) is the same, unavoidable, SMTP ambiguity.
A row found in ``sending`` (left by a runner that commits per step) is taken again once it is
older than :data:`SENDING_STALE_AFTER`, with the same Message-ID.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from email.utils import parseaddr

from opentelemetry.trace import Status, StatusCode
from sqlalchemy.ext.asyncio import AsyncSession

from cap_notifications import tracing
from cap_notifications.config import Settings
from cap_notifications.mail.render import MessageFailure, TemplateFailure, compose
from cap_notifications.mail.repository import EmailRepository
from cap_notifications.mail.transports import MailTransport, TransportError, make_transport
from cap_notifications.models import EmailMessage
from cap_shared import metrics, telemetry

logger = logging.getLogger(__name__)

#: A row still ``sending`` after this long is taken as abandoned and sent again (same Message-ID).
SENDING_STALE_AFTER = timedelta(minutes=15)
#: The ``service`` label of ``cap_emails_total``.
SERVICE = "notifications"
#: ``email_message.last_error`` length.
ERROR_MAX = 2000


def _clip_error(text: str) -> str:
    return text if len(text) <= ERROR_MAX else text[: ERROR_MAX - 1] + "…"


def _defer(row: EmailMessage, now: datetime, delays: Sequence[float], error: str) -> None:
    """One more failed attempt: the next one per the schedule, or ``failed`` past its end."""
    row.attempts += 1
    row.last_error = _clip_error(error)
    if row.attempts > len(delays):
        row.status = "failed"
        metrics.EMAILS.labels(SERVICE, "failed").inc()
        logger.warning("e-mail %s failed after %d attempts: %s", row.id, row.attempts, error)
    else:
        row.status = "pending"
        metrics.EMAILS.labels(SERVICE, "deferred").inc()
        row.next_attempt_at = now + timedelta(seconds=delays[row.attempts - 1])


@contextmanager
def _delivering(row: EmailMessage) -> Iterator[None]:
    """Tracing on: the span ``email deliver`` of one attempt, in the trace of the span that
    queued the message (its ``smtp send`` a child); its state after the attempt, no address."""
    with tracing.resumed(
        "email deliver",
        traceparent=row.traceparent,
        tracestate=row.tracestate,
        attributes={
            "cap.email.id": row.id,
            "cap.email.kind": row.kind,
            "cap.event.type": row.event_type or "",
            "cap.attempt": row.attempts + 1,
        },
    ) as span:
        yield
        span.set_attribute("cap.email.status", row.status)
        if row.status != "sent":
            span.set_status(Status(StatusCode.ERROR))


async def send_due(
    session: AsyncSession,
    now: datetime,
    settings: Settings,
    transport: MailTransport | None = None,
    *,
    limit: int = 20,
) -> int:
    """Send the e-mails that are due (at most ``limit``); how many were sent.

    Each row ends the run ``sent``, ``failed`` (template failure: at once; refusals and outages:
    once ``mail_retry_delays_s`` is exhausted) or ``pending`` for its next attempt. Never raises
    for one message (see the module's notes on sending once).
    """
    repository = EmailRepository(session)
    rows = await repository.due(now, stale_before=now - SENDING_STALE_AFTER, limit=limit)
    if not rows:
        return 0
    own_transport = transport is None
    transport = transport or make_transport(settings)
    sender = parseaddr(settings.mail_from)[1] or settings.mail_from
    delays = settings.mail_retry_delays_s
    unreachable: str | None = None
    sent = 0
    traced = telemetry.enabled()
    try:
        for row in rows:
            with _delivering(row) if traced else contextlib.nullcontext():
                try:
                    mime = compose(row, settings, now)
                except (TemplateFailure, MessageFailure) as exc:
                    row.status, row.last_error = "failed", _clip_error(str(exc))
                    metrics.EMAILS.labels(SERVICE, "failed").inc()
                    logger.warning("e-mail %s not sendable: %s", row.id, exc)
                    continue
                if unreachable is not None:
                    _defer(row, now, delays, unreachable)
                    continue
                row.status, row.next_attempt_at = "sending", now
                try:
                    await transport.send(mime, sender=sender, recipient=row.to_address)
                except TransportError as exc:
                    _defer(row, now, delays, str(exc))
                    if exc.unreachable:
                        unreachable = str(exc)
                    continue
                except Exception as exc:  # one message's surprise must not undo the batch's sends
                    logger.exception("e-mail %s: unexpected error while sending", row.id)
                    _defer(row, now, delays, f"erreur inattendue : {type(exc).__name__}: {exc}")
                    continue
                row.attempts += 1
                row.status, row.sent_at = "sent", now
                metrics.EMAILS.labels(SERVICE, "sent").inc()
                sent += 1
    finally:
        if own_transport:
            await transport.close()
    await repository.flush()
    return sent
