"""E-mail: rendering (Jinja2 templates, text + HTML) and sending (SMTP or .eml files), once.

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

import asyncio
import email.errors
import logging
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

import aiosmtplib
import jinja2
import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_notifications import messages
from cap_notifications.catalogue import EVENT_TYPES
from cap_notifications.config import Settings
from cap_notifications.models import EmailMessage
from cap_shared.pagination import newest_first
from cap_shared.problems import Conflict, NotFound

logger = logging.getLogger(__name__)

PLATFORM_NAME = "Plateforme CAP — Coorace"
TEMPLATES_DIR = Path(__file__).parent / "templates"
#: A row still ``sending`` after this long is taken as abandoned and sent again (same Message-ID).
SENDING_STALE_AFTER = timedelta(minutes=15)
#: ``email_message.last_error`` length.
ERROR_MAX = 2000
EmailStatus = Literal["pending", "sending", "sent", "failed"]


class TemplateFailure(Exception):
    """A message cannot be rendered (no template, missing variable, bad data): it is failed
    on its own, never retried automatically, and never blocks the others."""


class MessageFailure(Exception):
    """A message cannot be composed (e.g. an invalid address): failed like a template failure."""


@dataclass(frozen=True)
class RenderedMail:
    """What a person receives: the subject and the two alternative bodies."""

    subject: str
    text: str
    html: str


# rendering ------------------------------------------------------------------------------------------
def _percent(value: float) -> str:
    return f"{round(value * 100)} %"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        date_fr=messages.format_date,
        datetime_fr=messages.format_datetime,
        scheme=messages.scheme_label,
        referential=messages.referential_label,
        audit_type=messages.audit_type_label,
        finding_type=messages.finding_type_label,
        finding_status=messages.finding_status_label,
        priority=messages.priority_label,
        days=messages.days_label,
        reason=messages.reason_label,
        recognition_status=messages.recognition_status_label,
        category=messages.category_label,
        percent=_percent,
    )
    env.globals["platform"] = PLATFORM_NAME
    return env


_ENV = _environment()
#: The public base URL of default settings (CAP_PUBLIC_BASE_URL unset).
_DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _subject(kind: str, context: Mapping[str, Any]) -> str:
    if kind == "event":
        return _one_line(str(context["title"]))
    count = len(context["items"])
    noun = "notification" if count <= 1 else "notifications"
    return f"Votre récapitulatif CAP du {messages.format_date(context['date'])} : {count} {noun}"


def render(
    kind: Literal["event", "digest"],
    event_type: str | None,
    context: Mapping[str, Any],
    *,
    public_url: str = _DEFAULT_PUBLIC_URL,
) -> RenderedMail:
    """Render one e-mail from its stored context; :class:`TemplateFailure` if it cannot be.

    ``kind="event"``: the templates of ``event_type``, context ``{event, event_type, title,
    body, link, organisation_name, recipient_name}``; ``kind="digest"``: context
    ``{recipient_name, items: [{event_type, title, body, link, created_at}], date}``.
    """
    if kind == "event":
        if event_type not in EVENT_TYPES:
            msg = f"aucun modèle d'e-mail pour le type d'événement {event_type!r}"
            raise TemplateFailure(msg)
        name = f"event/{event_type}"
    elif kind == "digest":
        name = "digest"
    else:
        msg = f"sorte d'e-mail inconnue : {kind!r}"
        raise TemplateFailure(msg)
    base = public_url.rstrip("/")

    def url(link: str) -> str:
        # An absolute link only if it is http(s): "javascript:...//://" is a path here, never
        # a scheme a mail client would run.
        if urlsplit(link).scheme in ("http", "https"):
            return link
        return f"{base}/{link.lstrip('/')}"

    try:
        subject = _subject(kind, context)
        variables = {
            **context,
            "subject": subject,
            "public_url": base,
            "preferences_url": f"{base}/preferences",
            "url": url,
        }
        if kind == "event":
            link = context["link"]
            variables["link_url"] = url(link) if link else None
        text = _ENV.get_template(f"{name}.txt").render(variables)
        html = _ENV.get_template(f"{name}.html").render(variables)
    except jinja2.TemplateNotFound as exc:
        msg = f"modèle d'e-mail introuvable : {exc.name}"
        raise TemplateFailure(msg) from exc
    except jinja2.TemplateError as exc:
        msg = f"modèle d'e-mail {name} : {exc}"
        raise TemplateFailure(msg) from exc
    except (LookupError, TypeError, ValueError, AttributeError) as exc:
        msg = f"données invalides pour le modèle {name} : {type(exc).__name__}: {exc}"
        raise TemplateFailure(msg) from exc
    return RenderedMail(subject=subject, text=text, html=html)


def render_row(row: EmailMessage, settings: Settings) -> RenderedMail:
    """Render a stored message."""
    if row.kind not in ("event", "digest"):
        msg = f"sorte d'e-mail inconnue : {row.kind!r}"
        raise TemplateFailure(msg)
    kind: Literal["event", "digest"] = "event" if row.kind == "event" else "digest"
    return render(kind, row.event_type, row.context, public_url=settings.public_base)


def message_id_header(message_id: str) -> str:
    """The row's Message-ID in header form (``<...>``)."""
    bare = message_id.strip().strip("<>")
    return f"<{bare}>"


def compose(row: EmailMessage, settings: Settings, now: datetime) -> MimeMessage:
    """The MIME message of a row: multipart/alternative (text, then HTML), its stable
    Message-ID. :class:`TemplateFailure` or :class:`MessageFailure` if it cannot be made."""
    rendered = render_row(row, settings)
    try:
        mime = MimeMessage(policy=policy.SMTP)
        mime["From"] = settings.mail_from
        name = row.context.get("recipient_name")
        mime["To"] = Address(
            display_name=name if isinstance(name, str) else "", addr_spec=row.to_address
        )
        mime["Subject"] = rendered.subject
        mime["Date"] = format_datetime(now)
        mime["Message-ID"] = message_id_header(row.message_id)
        mime["Auto-Submitted"] = "auto-generated"
        mime["Content-Language"] = "fr"
        mime.set_content(rendered.text)
        mime.add_alternative(rendered.html, subtype="html")
    except (ValueError, TypeError, email.errors.MessageError) as exc:
        msg = f"message invalide : {exc}"
        raise MessageFailure(msg) from exc
    return mime


# transports ------------------------------------------------------------------------------------------
class TransportError(Exception):
    """The message was not taken. ``unreachable``: nothing can be sent now (server down,
    authentication refused, mail directory not writable): the rest of the batch waits too."""

    def __init__(self, message: str, *, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


class MailTransport(Protocol):
    """Hands a message to the mail system; raises :class:`TransportError` if it is not taken."""

    async def send(self, message: MimeMessage, *, sender: str, recipient: str) -> None: ...

    async def close(self) -> None: ...


class SmtpTransport:
    """SMTP with ``aiosmtplib``, one connection reused across a batch (reopened after an error)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: aiosmtplib.SMTP | None = None

    @property
    def _where(self) -> str:
        return f"{self.settings.smtp_host}:{self.settings.smtp_port}"

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username,
            password=s.smtp_password,
            use_tls=s.smtp_tls,
            start_tls=s.smtp_starttls and not s.smtp_tls,
            timeout=s.smtp_timeout_s,
        )
        try:
            await client.connect()
        except aiosmtplib.SMTPResponseException as exc:
            client.close()
            msg = f"serveur SMTP {self._where} : connexion refusée ({exc.code} {exc.message})"
            raise TransportError(msg, unreachable=True) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            client.close()
            msg = f"serveur SMTP {self._where} injoignable : {type(exc).__name__}: {exc}"
            raise TransportError(msg, unreachable=True) from exc
        self._client = client
        return client

    async def send(self, message: MimeMessage, *, sender: str, recipient: str) -> None:
        client = await self._connected()
        try:
            await client.send_message(message, sender=sender, recipients=[recipient])
        except aiosmtplib.SMTPRecipientsRefused as exc:
            await self.close()
            refused = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
            msg = f"destinataire refusé par le serveur SMTP {self._where} : {refused}"
            raise TransportError(msg) from exc
        except aiosmtplib.SMTPResponseException as exc:
            await self.close()
            msg = f"message refusé par le serveur SMTP {self._where} : {exc.code} {exc.message}"
            raise TransportError(msg) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self.close()
            msg = f"échange interrompu avec le serveur SMTP {self._where} : {type(exc).__name__}: {exc}"
            raise TransportError(msg, unreachable=True) from exc

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        if client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                client.close()
        else:
            client.close()


_UNSAFE = re.compile(r"[^A-Za-z0-9._@-]")


class FileTransport:
    """Writes each message as ``<Message-ID>.eml`` under a directory (the standalone platform's
    default: no mail server needed). Sending a message again rewrites the same file."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path_of(self, message: MimeMessage) -> Path:
        stem = _UNSAFE.sub("_", str(message["Message-ID"]).strip("<>")) or "message"
        return self.directory / f"{stem}.eml"

    def _write(self, message: MimeMessage) -> None:
        path = self.path_of(message)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".eml.part")
        partial.write_bytes(message.as_bytes(policy=policy.default))
        os.replace(partial, path)

    async def send(self, message: MimeMessage, *, sender: str, recipient: str) -> None:
        del sender, recipient  # the headers name them
        try:
            await asyncio.to_thread(self._write, message)
        except OSError as exc:
            msg = f"écriture impossible dans {self.directory} : {exc}"
            raise TransportError(msg, unreachable=True) from exc

    async def close(self) -> None:
        return None


def make_transport(settings: Settings) -> MailTransport:
    """The transport the settings choose."""
    if settings.mail_transport == "file":
        return FileTransport(Path(settings.mail_dir))
    return SmtpTransport(settings)


# sending ---------------------------------------------------------------------------------------------
def _clip_error(text: str) -> str:
    return text if len(text) <= ERROR_MAX else text[: ERROR_MAX - 1] + "…"


def _defer(row: EmailMessage, now: datetime, delays: Sequence[float], error: str) -> None:
    """One more failed attempt: the next one per the schedule, or ``failed`` past its end."""
    row.attempts += 1
    row.last_error = _clip_error(error)
    if row.attempts > len(delays):
        row.status = "failed"
        logger.warning("e-mail %s failed after %d attempts: %s", row.id, row.attempts, error)
    else:
        row.status = "pending"
        row.next_attempt_at = now + timedelta(seconds=delays[row.attempts - 1])


async def _due(session: AsyncSession, now: datetime, limit: int) -> Sequence[EmailMessage]:
    query = (
        sa.select(EmailMessage)
        .where(
            sa.or_(
                sa.and_(
                    col(EmailMessage.status) == "pending",
                    col(EmailMessage.next_attempt_at) <= now,
                ),
                sa.and_(
                    col(EmailMessage.status) == "sending",
                    col(EmailMessage.next_attempt_at) <= now - SENDING_STALE_AFTER,
                ),
            )
        )
        .order_by(col(EmailMessage.next_attempt_at), col(EmailMessage.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(query)).scalars().all()


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
    rows = await _due(session, now, limit)
    if not rows:
        return 0
    own_transport = transport is None
    transport = transport or make_transport(settings)
    sender = parseaddr(settings.mail_from)[1] or settings.mail_from
    delays = settings.mail_retry_delays_s
    unreachable: str | None = None
    sent = 0
    try:
        for row in rows:
            try:
                mime = compose(row, settings, now)
            except (TemplateFailure, MessageFailure) as exc:
                row.status, row.last_error = "failed", _clip_error(str(exc))
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
            sent += 1
    finally:
        if own_transport:
            await transport.close()
    await session.flush()
    return sent


# operators -------------------------------------------------------------------------------------------
class EmailOut(BaseModel):
    """One line of the mail log."""

    id: str
    user_id: str
    to_address: str
    kind: str
    event_type: str | None
    event_id: str | None
    subject: str | None
    status: str
    attempts: int
    last_error: str | None
    message_id: str
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None


def to_out(row: EmailMessage) -> EmailOut:
    title = row.context.get("title") if row.kind == "event" else None
    return EmailOut(
        id=row.id,
        user_id=row.user_id,
        to_address=row.to_address,
        kind=row.kind,
        event_type=row.event_type,
        event_id=row.event_id,
        subject=title if isinstance(title, str) else None,
        status=row.status,
        attempts=row.attempts,
        last_error=row.last_error,
        message_id=row.message_id,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at,
        sent_at=row.sent_at,
    )


#: The mail log's order: newest first.
EMAILS = newest_first("notifications.emails", col(EmailMessage.created_at), col(EmailMessage.id))


async def list_emails(
    session: AsyncSession,
    *,
    status: EmailStatus | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[EmailMessage], str | None]:
    """A page of the mail log, newest first, and the next cursor."""
    query = sa.select(EmailMessage)
    if status is not None:
        query = query.where(col(EmailMessage.status) == status)
    return await EMAILS.fetch(session, query, cursor=cursor, limit=limit)


async def retry(session: AsyncSession, email_id: str, now: datetime) -> EmailMessage:
    """Give a failed e-mail a new schedule, its first attempt now (operators)."""
    query = sa.select(EmailMessage).where(col(EmailMessage.id) == email_id).with_for_update()
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        raise NotFound("no e-mail has this id", detail_fr="aucun e-mail n'a cet identifiant")
    if row.status != "failed":
        msg = f"only a failed e-mail can be sent again; this one is {row.status!r}"
        msg_fr = f"seul un e-mail en échec peut être renvoyé ; celui-ci est {row.status!r}"
        raise Conflict(msg, detail_fr=msg_fr, extensions={"status": row.status})
    row.status, row.attempts, row.next_attempt_at = "pending", 0, now
    await session.flush()
    return row
