"""E-mail rendering: the Jinja2 templates of each event and of the digest (text + HTML), and
the MIME message of a stored e-mail."""

from __future__ import annotations

import email.errors
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import jinja2

from cap_notifications.catalogue import EVENT_TYPES
from cap_notifications.config import Settings
from cap_notifications.fanout.messages import labels as messages
from cap_notifications.models import EmailMessage

PLATFORM_NAME = "Plateforme CAP — Coorace"
TEMPLATES_DIR = Path(__file__).parent.parent / "templates"


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
